/**
 * Warnings, the way Python's `warnings.warn` shows PyTorch's `UserWarning`s: once per message,
 * on the console, unless a handler is installed (tests and the lab install one).
 */

type Handler = (message: string) => void;

const seen = new Set<string>();
let handler: Handler | undefined;

/**
 * Emit a warning once per distinct message.
 *
 * @example
 * ```ts
 * import { setWarningHandler, F, tensor } from 'paoding';
 * const got: string[] = [];
 * setWarningHandler((m) => got.push(m));
 * F.softmax(tensor([1, 2]));
 * console.log(got[0]); // UserWarning: Implicit dimension choice for softmax has been deprecated. Change the call to include dim=X as an argument.
 * setWarningHandler(undefined);
 * ```
 */
export function warn(message: string): void {
  const text = `UserWarning: ${message}`;
  if (handler) {
    handler(text);
    return;
  }
  if (seen.has(text)) return;
  seen.add(text);
  console.warn(text);
}

/** Route warnings to `h` (every occurrence, not once), or back to the console with `undefined`. */
export function setWarningHandler(h: Handler | undefined): void {
  handler = h;
}
