/**
 * What must hold of lab runs: the same seed and options give the same numbers (also whether the
 * runs go in worker threads or not), reports are written whole or not at all, and an interrupted
 * run leaves no report behind and exits non-zero.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type LabIO } from '../src/lab/node/cli.js';
import { writeAtomic } from '../src/lab/node/files.js';
import { withoutTiming, type LabReport } from '../src/lab/lab.js';
import { LabError } from '../src/lab/errors.js';

const ROOT = join(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'paoding-lab-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const io: LabIO = { stdout: () => {}, stderr: { write: () => true, isTTY: false }, handleSignals: false };

async function report(args: string[], name: string): Promise<LabReport> {
  const file = join(dir, name);
  expect(await main([...args, '--json', file, '--quiet', '--no-save'], io)).toBe(0);
  return JSON.parse(readFileSync(file, 'utf8')) as LabReport;
}

describe('determinism', () => {
  for (const exp of ['race', 'gradients', 'dying', 'propagation']) {
    it(`${exp}: the same seed and options give the same numbers`, async () => {
      const args = [exp, '--preset', 'tiny', '--dataset', 'moons', '--seeds', '0,3'];
      const a = await report(args, `${exp}-a.json`);
      const b = await report(args, `${exp}-b.json`);
      expect(withoutTiming(b)).toEqual(withoutTiming(a));
      // ... and a different seed gives different numbers.
      const c = await report([exp, '--preset', 'tiny', '--dataset', 'moons', '--seeds', '1,3'], `${exp}-c.json`);
      expect(withoutTiming(c)).not.toEqual(withoutTiming(a));
    });
  }

  const dist = join(ROOT, 'dist/cli/main.js');
  it.skipIf(!existsSync(dist))('worker threads give the numbers of a single thread (built CLI)', () => {
    const run = (jobs: number): LabReport => {
      const file = join(dir, `jobs-${jobs}.json`);
      const r = spawnSync(process.execPath, [dist, 'lab', 'race', '--preset', 'tiny', '--dataset', 'moons', '--backend', 'js', '--jobs', String(jobs), '--json', file, '--quiet', '--no-save'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(readFileSync(file, 'utf8')) as LabReport;
    };
    const one = run(1);
    const two = run(2);
    expect(two.jobs).toBe(2);
    expect(withoutTiming(two)).toEqual(withoutTiming(one));
  });
});

describe('reports are written whole or not at all', () => {
  it('writeAtomic renames a complete file into place', () => {
    const f = join(dir, 'atomic.json');
    writeFileSync(f, 'old');
    writeAtomic(f, '{"new":true}');
    expect(readFileSync(f, 'utf8')).toBe('{"new":true}');
    expect(readdirSync(dir).filter((x) => x.includes('.tmp-'))).toEqual([]);
    expect(() => writeAtomic(join(dir, 'missing/dir/x.json'), 'x')).toThrow(LabError);
  });

  it('an interrupted run (SIGINT) writes no report and exits with 130', async () => {
    const out = join(dir, 'interrupted');
    const json = `${out}.json`;
    const html = `${out}.html`;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'lab', 'race', '--preset', 'quick', '--dataset', 'spiral', '--json', json, '--html', html, '--no-save'], {
      cwd: ROOT,
      env: { ...process.env, PAODING_QUIET: '1' },
    });
    let err = '';
    const started = new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('learning-rate sweep')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await Promise.race([started, exited]);
    child.kill('SIGINT');
    const code = await exited;
    expect(code, err).toBe(130);
    expect(err).toMatch(/interrupted; no report written/);
    expect(existsSync(json)).toBe(false);
    expect(existsSync(html)).toBe(false);
    expect(readdirSync(dir).filter((x) => x.startsWith('interrupted'))).toEqual([]);
  }, 60_000);
});
