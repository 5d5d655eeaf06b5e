/**
 * Wiring done once when the package loads: registers the built-in activations and connects the
 * few factories that would otherwise be import cycles (declarations need tensors, tensors look
 * activations up by id).
 */
import './activations/index.js';
import { setScalarFactory } from './activations/define.js';
import { setPreluWeightFactory } from './activations/prelu.js';
import { full, tensor } from './ops/creation.js';
import { Parameter } from './nn/module.js';

setScalarFactory((v) => tensor(v));
setPreluWeightFactory((n, init) => new Parameter(full([n], init)));
