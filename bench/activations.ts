/**
 * The activation benchmark: paoding (each backend) against PyTorch CPU, onnxruntime-node,
 * onnxruntime-web, TensorFlow.js (cpu, wasm) and the copy bandwidth, side by side on the same
 * inputs, plus the training step. The harness is `paoding bench` (src/cli/bench.ts); this runs
 * it from the sources.
 *
 *   npm run bench                         (everything: 2^10..2^24, 1 and 2 threads; over an hour)
 *   npm run bench -- --quick              (a smoke run)
 *   npx tsx bench/activations.ts --sizes 16,20 --activations relu,gelu --peers torch,copy
 *
 * Method and results: docs/benchmarks.md.
 */
import { main } from '../src/cli/bench.js';

process.exitCode = await main(process.argv.slice(2), 'npx tsx bench/activations.ts');
