/**
 * The catalogue: every built-in activation, registered by id. Adding an activation is one file
 * beside this one and one line here.
 */
import { register } from './registry.js';
import celu from './celu.js';
import elu from './elu.js';
import gelu from './gelu.js';
import glu from './glu.js';
import gumbel_softmax from './gumbel_softmax.js';
import hardshrink from './hardshrink.js';
import hardsigmoid from './hardsigmoid.js';
import hardswish from './hardswish.js';
import hardtanh from './hardtanh.js';
import leaky_relu from './leaky_relu.js';
import log_softmax from './log_softmax.js';
import logsigmoid from './logsigmoid.js';
import mish from './mish.js';
import prelu from './prelu.js';
import relu from './relu.js';
import relu6 from './relu6.js';
import rrelu from './rrelu.js';
import selu from './selu.js';
import sigmoid from './sigmoid.js';
import silu from './silu.js';
import softmax from './softmax.js';
import softmax2d from './softmax2d.js';
import softmin from './softmin.js';
import softplus from './softplus.js';
import softshrink from './softshrink.js';
import softsign from './softsign.js';
import tanh from './tanh.js';
import tanhshrink from './tanhshrink.js';
import threshold from './threshold.js';

/** Every built-in activation, by canonical id, in PyTorch's documentation order. */
export const builtins = {
  threshold: register(threshold),
  relu: register(relu),
  relu6: register(relu6),
  hardtanh: register(hardtanh),
  hardswish: register(hardswish),
  hardsigmoid: register(hardsigmoid),
  elu: register(elu),
  selu: register(selu),
  celu: register(celu),
  leaky_relu: register(leaky_relu),
  prelu: register(prelu),
  rrelu: register(rrelu),
  glu: register(glu),
  gelu: register(gelu),
  logsigmoid: register(logsigmoid),
  hardshrink: register(hardshrink),
  softshrink: register(softshrink),
  tanhshrink: register(tanhshrink),
  softsign: register(softsign),
  softplus: register(softplus),
  silu: register(silu),
  mish: register(mish),
  sigmoid: register(sigmoid),
  tanh: register(tanh),
  softmax: register(softmax),
  log_softmax: register(log_softmax),
  softmin: register(softmin),
  softmax2d: register(softmax2d),
  gumbel_softmax: register(gumbel_softmax),
};
