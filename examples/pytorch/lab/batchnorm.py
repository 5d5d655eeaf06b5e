"""The PyTorch counterpart of `paoding lab batchnorm`: race.py with each activation with and
without batch normalisation (Linear -> BatchNorm1d -> activation), on the deep network by default.

    /usr/bin/python3 examples/pytorch/lab/batchnorm.py --json /tmp/batchnorm-torch.json
"""
import sys

import race

if __name__ == "__main__":
    argv = sys.argv[1:]
    if not any(a.startswith("--activations") for a in argv):
        argv = ["--activations", "relu,elu"] + argv
    if not any(a.startswith("--nets") for a in argv):
        argv = ["--nets", "deep"] + argv
    sys.argv = [sys.argv[0], "--batchnorm"] + argv
    race.main()
