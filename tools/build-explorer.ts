/**
 * Build the explorer's page into dist/explorer: src/explorer/main.ts bundled with the library by
 * esbuild into app.js, beside index.html and style.css. No CDN, no network: the folder is the
 * whole page, served by `paoding explore`.
 *
 *   npx tsx tools/build-explorer.ts [outDir]
 *
 * Runs after `tsc` in `npm run build` (tsc also compiles src/explorer into dist/explorer as
 * modules; the folder is replaced by the bundle).
 */
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundle the explorer into `outDir` (default dist/explorer); returns the files written. */
export async function buildExplorer(outDir = join(ROOT, 'dist', 'explorer')): Promise<string[]> {
  const src = join(ROOT, 'src', 'explorer');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(src, 'main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    // NOTE: package.json declares "sideEffects": false, which would let esbuild drop
    // `import './setup.js'` (the registration of the built-in activations and the factories).
    ignoreAnnotations: true,
    logLevel: 'warning',
  });
  for (const f of ['index.html', 'style.css']) copyFileSync(join(src, f), join(outDir, f));
  return ['index.html', 'style.css', 'app.js'].map((f) => join(outDir, f));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ? resolve(process.argv[2]) : undefined;
  const started = performance.now();
  buildExplorer(out).then(
    (files) => {
      const kb = statSync(files[2]!).size / 1024;
      console.log(`explorer: ${dirname(files[0]!)} (app.js ${kb.toFixed(0)} KiB, ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
