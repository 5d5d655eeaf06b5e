/**
 * The library entry must run in a browser unchanged: bundling it for the browser platform must
 * succeed without any Node built-in module, and the bundle must still work.
 */
import { build } from 'esbuild';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('the library entry', () => {
  it('bundles for browsers without Node built-ins', async () => {
    const r = await build({
      entryPoints: [join(__dirname, '../src/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
      metafile: true,
    });
    const inputs = Object.keys(r.metafile!.inputs);
    expect(inputs.filter((f) => f.startsWith('node:') || /(^|\/)src\/(node|cli|lab)\//.test(f))).toEqual([]);
    const code = r.outputFiles[0]!.text;
    expect(code).not.toMatch(/from\s*["']node:/);
    // The bundle runs: import it as a module and compute something.
    const url = `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`;
    const lib = (await import(url)) as typeof import('../src/index.js');
    expect(lib.F.relu(lib.tensor([-1, 2])).tolist()).toEqual([0, 2]);
  });
});
