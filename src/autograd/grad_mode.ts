/**
 * Whether operations record history for autograd. PyTorch's `torch.no_grad()` and
 * `torch.enable_grad()` are context managers; JavaScript has no `with`, so the scopes here take
 * a callback and restore the previous mode when it returns or throws.
 */

let enabled = true;
let anomaly = false;

/**
 * Whether gradient recording is on.
 *
 * @example
 * ```ts
 * import { autograd } from 'paoding';
 * console.log(autograd.isGradEnabled()); // true
 * ```
 */
export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * Turn gradient recording on or off globally (prefer `noGrad(fn)`, which restores the mode).
 *
 * @example
 * ```ts
 * import { autograd } from 'paoding';
 * autograd.setGradEnabled(false);
 * console.log(autograd.isGradEnabled()); // false
 * autograd.setGradEnabled(true);
 * ```
 */
export function setGradEnabled(on: boolean): void {
  enabled = on;
}

function withMode<T>(on: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = on;
  try {
    const r = fn();
    if (r instanceof Promise) {
      throw new TypeError('noGrad()/enableGrad(): the callback returned a Promise; the scope only covers synchronous code, so call it inside the async function instead');
    }
    return r;
  } finally {
    enabled = prev;
  }
}

/**
 * Run `fn` without recording history, as `with torch.no_grad():`. Results do not require
 * grad, and in-place updates of leaves that require grad (optimizer steps) are allowed.
 *
 * @example
 * ```ts
 * import { autograd, tensor } from 'paoding';
 * const w = tensor([1, 2], { requiresGrad: true });
 * const y = autograd.noGrad(() => w.mul(2));
 * console.log(y.requiresGrad); // false
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  return withMode(false, fn);
}

/**
 * Run `fn` with recording on, even inside `noGrad`, as `with torch.enable_grad():`.
 *
 * @example
 * ```ts
 * import { autograd, tensor } from 'paoding';
 * const w = tensor([1, 2], { requiresGrad: true });
 * const y = autograd.noGrad(() => autograd.enableGrad(() => w.mul(2)));
 * console.log(y.requiresGrad); // true
 * ```
 */
export function enableGrad<T>(fn: () => T): T {
  return withMode(true, fn);
}

/**
 * Anomaly detection, as `torch.autograd.set_detect_anomaly`: when on, every autograd node
 * remembers the stack where its forward ran, and errors raised in backward name it.
 *
 * @example
 * ```ts
 * import { autograd } from 'paoding';
 * autograd.setDetectAnomaly(true);
 * console.log(autograd.isAnomalyEnabled()); // true
 * autograd.setDetectAnomaly(false);
 * ```
 */
export function setDetectAnomaly(on: boolean): void {
  anomaly = on;
}

/** Whether anomaly detection is on. */
export function isAnomalyEnabled(): boolean {
  return anomaly;
}
