/**
 * paoding's entry in Node (the `node` condition of the package's exports): the whole library,
 * plus the native backend, loaded and made the default (see `src/node/native.ts`). Browsers and
 * bundlers get `index.js`, which never touches the addon.
 *
 * @packageDocumentation
 */
export * from './index.js';
import './node/native.js';
