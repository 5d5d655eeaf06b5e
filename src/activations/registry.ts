/**
 * The registry of activations by id. Built-in activations register when the package loads;
 * `register` adds user-defined ones, which the lab, the explorer and the generic tests then
 * treat exactly like the built-in ones.
 *
 * NOTE: this module imports nothing at run time, so that `Tensor` methods such as `x.relu()`
 * can look activations up without an import cycle through the module classes.
 */
import type { Activation } from './define.js';
import type { ParamSpecs } from './spec.js';

const byId = new Map<string, Activation>();

/**
 * Add an activation to the registry (its id must be new).
 *
 * @example
 * ```ts
 * import { activations } from 'paoding';
 * console.log(activations.get('leaky_relu').spec.module); // LeakyReLU
 * ```
 */
export function register<P extends ParamSpecs>(a: Activation<P>): Activation<P> {
  if (byId.has(a.id) && byId.get(a.id) !== (a as unknown as Activation)) {
    throw new Error(`activations.register(): an activation with id '${a.id}' is already registered`);
  }
  byId.set(a.id, a as unknown as Activation);
  return a;
}

/** The activation with this id, or an error listing the known ids. */
export function get(id: string): Activation {
  const a = byId.get(id);
  if (a === undefined) {
    throw new RangeError(`unknown activation '${id}' (known: ${[...byId.keys()].sort().join(', ')})`);
  }
  return a;
}

/** Whether an activation with this id is registered. */
export function has(id: string): boolean {
  return byId.has(id);
}

/** Every registered activation, in registration order. */
export function list(): Activation[] {
  return [...byId.values()];
}
