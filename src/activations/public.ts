/** The activation registry as the package exposes it (`activations.get('gelu')`, ...). */
export { get, has, list, register } from './registry.js';
export { builtins } from './index.js';
export { camelCase, snakeCase, torchName, ActivationModule } from './define.js';
