/**
 * Runs a test suite on the native backend: `npm run test:native` (vitest.native.config.ts) uses
 * this setup file, so the conformance and gradient suites (which import the browser entry) load
 * the addon and select 'native' before they start, and each file checks at the end that the
 * native backend did run. Without the addon (no compiler at install) it changes nothing.
 */
import { afterAll, expect } from 'vitest';
import { backends } from '../../src/index.js';
import { stats } from '../../src/backends/native/index.js';
import { loadNative } from '../../src/node/native.js';

const loaded = loadNative().loaded;
if (loaded) backends.setBackend('native');

afterAll(() => {
  if (loaded) expect(stats.taken + stats.declined + stats.matmul, 'the native backend ran').toBeGreaterThan(0);
});
