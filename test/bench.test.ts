/**
 * The benchmark harness (`paoding bench`, `npm run bench`) kept from rotting: a quick run at
 * 2^10 with the cheap peers writes its JSON and report, and the peers' formulations (the ONNX
 * graphs written by hand, the TF.js compositions) compute the same functions as paoding. No
 * timing is asserted: timings belong to the benchmark, not to the tests.
 */
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type * as ORT from 'onnxruntime-common';
import { backends, manualSeed, randn, tensor } from '../src/index.js';
import { main } from '../src/cli/bench.js';
import { allCases, ortModel, tfjsFn } from '../src/cli/bench/cases.js';
import { onnxModel } from '../src/cli/bench/onnx.js';
import { loadTfjs } from '../src/cli/bench/peers.js';

const dir = mkdtempSync(join(tmpdir(), 'paoding-bench-test-'));
const DIST = join(__dirname, '..', 'dist', 'cli', 'main.js');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const require = createRequire(import.meta.url);
function optional<T>(name: string): T | null {
  try {
    return require(name) as T;
  } catch {
    return null;
  }
}

/** Every deterministic row at a small size, with paoding's float32 result. */
function references(n: number) {
  manualSeed(1);
  const x = randn([n]).mul(3).toTypedArray() as Float32Array;
  return allCases()
    .filter((c) => c.name !== 'gumbel_softmax')
    .map((c) => ({ c, shape: c.shape(n), x, y: c.call(tensor(x, { shape: c.shape(n) })).toTypedArray() as Float32Array }));
}

function expectClose(got: ArrayLike<number>, want: Float32Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (1e-3 + Math.abs(want[i]!)));
  expect(worst, what).toBeLessThan(2e-3);
}

describe('paoding bench', () => {
  it.skipIf(!existsSync(DIST))('measures each JavaScript library in a process of its own (built CLI)', () => {
    const json = join(dir, 'isolated.json');
    const r = spawnSync(process.execPath, [DIST, 'bench', '--quick', '--sizes', '10', '--activations', 'relu,softmax', '--peers', 'copy,tfjs-cpu', '--steps', '0', '--json', json], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const run = JSON.parse(readFileSync(json, 'utf8')) as { results: { impl: string; case: string; dir: string; seconds: number | null }[]; statuses: { key: string; absent?: string }[] };
    for (const impl of ['paoding-native', 'paoding-wasm', 'paoding-js', 'copy', 'tfjs-cpu']) {
      const st = run.statuses.find((s) => s.key === impl);
      if (impl.startsWith('paoding-') && st === undefined) continue; // a backend this machine lacks
      expect(st?.absent, impl).toBeUndefined();
      expect(run.results.some((x) => x.impl === impl && x.seconds !== null && x.seconds > 0), impl).toBe(true);
    }
  });

  it('runs a quick pass at 2^10 and writes its report and JSON', async () => {
    const json = join(dir, 'quick.json');
    const md = join(dir, 'quick.md');
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let code: number;
    try {
      // In this process: the workers of the default mode load the built modules (next test).
      code = await main(['--quick', '--in-process', '--sizes', '10', '--activations', 'relu,gelu_tanh,softmax,glu', '--peers', 'copy,tfjs-cpu,ort', '--steps', '1', '--json', json, '--markdown', md]);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    expect(code).toBe(0);
    const run = JSON.parse(readFileSync(json, 'utf8')) as {
      results: { impl: string; case: string; dir: string; seconds: number | null }[];
      statuses: { key: string; absent?: string }[];
      checks: { id: string }[];
      training: { impl: string }[];
    };
    // Every backend measured every row both ways; every peer asked for is measured or absent.
    for (const b of backends.list()) {
      for (const c of ['relu', 'gelu_tanh', 'softmax', 'glu']) {
        for (const d of ['fwd', 'bwd']) {
          const r = run.results.find((x) => x.impl === `paoding-${b}` && x.case === c && x.dir === d);
          expect(r?.seconds, `paoding-${b} ${c} ${d}`).toBeGreaterThan(0);
        }
      }
    }
    for (const p of ['copy', 'tfjs-cpu', 'ort']) {
      const s = run.statuses.find((x) => x.key === p);
      expect(s, p).toBeDefined();
      if (s!.absent === undefined) expect(run.results.some((r) => r.impl === p && r.seconds !== null), p).toBe(true);
    }
    expect(run.checks.map((c) => c.id)).toEqual(['node-fastest', 'copy-bandwidth', 'wasm', 'small-overhead', 'training']);
    expect(run.training.some((t) => t.impl.startsWith('paoding-'))).toBe(true);
    const text = readFileSync(md, 'utf8');
    expect(text).toContain('## 2^10 elements, 1 thread');
    expect(text).toContain('## What must hold');
    // --report prints the same report again from the JSON, measuring nothing.
    const again = join(dir, 'again.md');
    const out2 = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['--report', json, '--markdown', again])).toBe(0);
    } finally {
      out2.mockRestore();
    }
    expect(readFileSync(again, 'utf8')).toBe(text);
  });

  it('rejects unknown options and names', async () => {
    await expect(main(['--sizes', 'x'])).rejects.toThrow(/--sizes/);
    await expect(main(['--activations', 'nope'])).rejects.toThrow(/unknown activation/);
    await expect(main(['--peers', 'numpy'])).rejects.toThrow(/unknown peer/);
  });
});

describe('the peers compute the same functions', () => {
  const n = 2048;
  const refs = references(n);

  const ort = optional<typeof ORT>('onnxruntime-node');
  it.skipIf(ort === null)('the ONNX graphs, in onnxruntime-node', async () => {
    for (const { c, shape, x, y } of refs) {
      const m = ortModel(c.name);
      if ('absent' in m) continue;
      const s = await ort!.InferenceSession.create(onnxModel(m.graph, shape.length), { executionProviders: ['cpu'] });
      const r = await s.run({ x: new ort!.Tensor('float32', x, shape) });
      expectClose(r['y']!.data as Float32Array, y, c.name);
      await s.release();
    }
  });

  it.skipIf(optional('@tensorflow/tfjs') === null)('the TF.js ops and compositions, on its cpu backend', async () => {
    const tf = await loadTfjs('cpu');
    for (const { c, shape, x, y } of refs) {
      const f = tfjsFn(tf, c.name);
      if ('absent' in f) continue;
      const t = tf.tensor(x, shape);
      const out = f.fn(t);
      expectClose(out.dataSync(), y, c.name);
      t.dispose();
      out.dispose();
    }
  });
});
