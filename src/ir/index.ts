/** The primitive expression language, for writing activations (`defineActivation`) and tools. */
export * from './expr.js';
export { diff } from './diff.js';
export { evaluate, type EvaluateOptions } from './interpret.js';
export { erf as erfValue, erfc as erfcValue } from './special.js';
