/**
 * `paoding lab` as a command: every option documented in --help, one clear line and a non-zero
 * status for bad options, user-defined activations through the same door, and every experiment
 * on a tiny synthetic configuration.
 */
import { mkdtempSync, readFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type LabIO } from '../src/lab/node/cli.js';
import { OPTIONS } from '../src/lab/options.js';
import type { LabReport } from '../src/lab/lab.js';

const dir = mkdtempSync(join(tmpdir(), 'paoding-lab-test-'));
const oldCache = process.env['PAODING_LAB_DIR'];

beforeAll(() => {
  // Recorded runs go to a temporary folder, not the user's cache.
  process.env['PAODING_LAB_DIR'] = join(dir, 'cache');
});
afterAll(() => {
  if (oldCache === undefined) delete process.env['PAODING_LAB_DIR'];
  else process.env['PAODING_LAB_DIR'] = oldCache;
  rmSync(dir, { recursive: true, force: true });
});

async function lab(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: LabIO = { stdout: (s) => void (out += s), stderr: { write: (s: string) => ((err += s), true), isTTY: false }, handleSignals: false };
  const code = await main(args, io);
  return { code, out, err };
}

const TINY = ['--preset', 'tiny', '--dataset', 'moons', '--quiet'];

describe('paoding lab --help', () => {
  it('documents every option that applies to race, and the experiments', async () => {
    const { code, out } = await lab(['race', '--help']);
    expect(code).toBe(0);
    for (const o of OPTIONS) {
      if (o.for !== 'all' && !o.for.includes('race')) continue;
      expect(out, `--${o.name}`).toContain(`--${o.name}`);
    }
    expect(out).toContain('presets: tiny');
    expect(out).not.toContain('--depth');
  });

  it('lists the experiments without one', async () => {
    const { code, out } = await lab([]);
    expect(code).toBe(2);
    for (const e of ['race', 'gradients', 'dying', 'propagation', 'batchnorm', 'cost', 'all']) expect(out).toContain(e);
  });
});

describe('bad options give one clear line and a non-zero status', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown activation', ['race', '--activations', 'relu,swishy'], /unknown activation 'swishy'/],
    ['a parameter out of range', ['race', '--activations', 'leaky_relu:0.9'], /negative_slope=0\.9 is out of range \[0, 0\.5\]/],
    ['a parameter of the wrong kind', ['race', '--activations', 'elu:alpha=big'], /alpha must be a number/],
    ['an unknown parameter', ['race', '--activations', 'elu:beta=1'], /unknown parameter 'beta'/],
    ['a non-elementwise activation', ['race', '--activations', 'softmax'], /not an elementwise activation/],
    ['a missing data folder', ['race', '--data', '/nonexistent/fashion'], /--data \/nonexistent\/fashion: no such directory/],
    ['an unknown data set', ['race', '--dataset', 'cifar'], /unknown dataset 'cifar'/],
    ['an unknown option', ['race', '--speed', 'fast'], /unknown option '--speed'/],
    ['an option of another experiment', ['race', '--depth', '4'], /--depth does not apply to race/],
    ['a bad number', ['race', '--steps', '-3'], /--steps must be an integer >= 1/],
    ['an unknown experiment', ['racing'], /unknown experiment 'racing'/],
    ['an unknown initialisation', ['gradients', '--init', 'orthogonal'], /unknown initialisation 'orthogonal'/],
    ['an unknown preset', ['race', '--preset', 'huge'], /unknown preset 'huge'/],
    ['a missing user module', ['race', '--activations', './nowhere/act.js'], /activation module \.\/nowhere\/act\.js not found/],
    ['a missing output folder', ['race', '--json', '/nonexistent/dir/out.json'], /no such directory/],
  ];
  for (const [what, args, re] of cases) {
    it(what, async () => {
      const { code, err, out } = await lab(args);
      expect(code).toBe(2);
      expect(out).toBe('');
      const lines = err.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^paoding lab/);
      expect(lines[0]).toMatch(re);
    });
  }
});

describe('user-defined activations', () => {
  it('run through the same door as built-in ones, with parameters', async () => {
    const json = join(dir, 'user.json');
    const { code, out } = await lab(['race', ...TINY, '--nets', '8-8', '--activations', 'relu,test/helpers/lab_act.ts:beta=2', '--steps', '10', '--lrs', '0.1', '--json', json, '--no-save']);
    expect(code).toBe(0);
    expect(out).toContain('lab_swish(2)');
    const rep = JSON.parse(readFileSync(json, 'utf8')) as LabReport;
    const v = rep.experiments.race!.result.nets[0]!.variants.map((x) => x.label);
    expect(v).toEqual(['relu', 'lab_swish(2)']);
    expect(rep.experiments.race!.settings.activations[1]!.modulePath).toMatch(/lab_act\.ts$/);
  });
});

describe('every experiment on a tiny synthetic configuration', () => {
  it('runs all of them into one report, JSON and HTML', async () => {
    const json = join(dir, 'all.json');
    const html = join(dir, 'all.html');
    const { code, out } = await lab(['all', ...TINY, '--json', json, '--html', html]);
    expect(code).toBe(0);
    const rep = JSON.parse(readFileSync(json, 'utf8')) as LabReport;
    expect(Object.keys(rep.experiments).sort()).toEqual(['batchnorm', 'cost', 'dying', 'gradients', 'propagation', 'race']);
    expect(rep.preset).toEqual({ name: 'tiny', chosenBy: '--preset' });
    // Gradients: probes at initialisation and during training, per layer.
    const g = rep.experiments.gradients!.result;
    expect(g.cells[0]!.probes[0]!.layers).toHaveLength(4);
    expect(g.probeSteps).toEqual([0, 5, 10, 20]);
    // Propagation: one entry per layer; dying: counts before and after; cost: timings.
    expect(rep.experiments.propagation!.result.cells[0]!.layers).toHaveLength(6);
    expect(rep.experiments.dying!.result.cells[0]!.runs[0]!.before).toHaveLength(2);
    expect(rep.experiments.cost!.result.timing.rows.map((r) => r.label)).toEqual(['relu', 'sigmoid']);
    expect(rep.experiments.batchnorm!.result.nets[0]!.variants.map((v) => v.label)).toEqual(['relu', 'relu+BN', 'elu', 'elu+BN']);
    // Verdicts come with their criteria, from several experiments.
    expect(new Set(rep.verdicts.map((v) => v.experiment)).size).toBeGreaterThanOrEqual(4);
    for (const v of rep.verdicts) expect(v.criterion.length).toBeGreaterThan(20);
    // The terminal report and the page.
    expect(out).toContain('verdicts');
    const page = readFileSync(html, 'utf8');
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<svg');
    expect(page).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    // The run was recorded for `paoding advise`.
    expect(readdirSync(join(dir, 'cache')).sort()).toContain('race.json');
  });

  it('falls back to a built-in set, saying so, when Fashion-MNIST is missing', async () => {
    const old = process.env['PAODING_FASHION_MNIST'];
    process.env['PAODING_FASHION_MNIST'] = join(dir, 'no-fashion-here');
    try {
      let err = '';
      const io: LabIO = { stdout: () => {}, stderr: { write: (s: string) => ((err += s), true), isTTY: false }, handleSignals: false };
      const code = await main(['propagation', '--preset', 'tiny', '--no-save'], io);
      expect(code).toBe(0);
      expect(err).toMatch(/Fashion-MNIST is not installed in .*running on the built-in 'spiral' set instead/);
    } finally {
      if (old === undefined) delete process.env['PAODING_FASHION_MNIST'];
      else process.env['PAODING_FASHION_MNIST'] = old;
    }
  });
});

describe('outputs', () => {
  it('leave no temporary files behind', () => {
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(existsSync(join(dir, 'all.json'))).toBe(true);
  });
});

describe('paoding advise', () => {
  it('checks the rules of thumb against a recorded report', async () => {
    const { main: advise } = await import('../src/lab/node/advise.js');
    let out = '';
    const json = join(dir, 'advise.json');
    const code = await advise(['--from', join(dir, 'all.json'), '--json', json], (s) => void (out += s), () => {});
    expect(code).toBe(0);
    for (const rule of ['Start with ReLU', 'Tune the learning rate', 'Then try Leaky ReLU or ELU', 'Try tanh without much hope', 'Never use sigmoid']) expect(out).toContain(rule);
    const rules = (JSON.parse(readFileSync(json, 'utf8')) as { rules: { verdict: string; criterion: string }[] }).rules;
    expect(rules).toHaveLength(5);
    for (const r of rules) expect(['supported', 'partly supported', 'not supported', 'no evidence']).toContain(r.verdict);
  });

  it('reports a bad option in one line', async () => {
    const { main: advise } = await import('../src/lab/node/advise.js');
    let err = '';
    expect(await advise(['--from', join(dir, 'nope.json')], () => {}, (s) => void (err += s))).toBe(2);
    expect(err.trimEnd().split('\n')).toHaveLength(1);
    expect(err).toMatch(/^paoding advise: --from .*nope\.json/);
  });
});
