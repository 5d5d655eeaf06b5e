/** What the examples import: the library from source, so they run without a build. */
export * from '../src/index.js';
export { noGrad as noGradScope } from '../src/autograd/grad_mode.js';
