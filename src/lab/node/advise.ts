/// <reference types="node" />
/**
 * `paoding advise`: the rules of thumb, checked against the latest lab runs recorded on this
 * machine (or the reports given with --from), or, when there are none, against a quick race run
 * now. Prints each rule with what the evidence says, and the criterion.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkRules, rulesText, type Rule } from '../advise.js';
import { LabError } from '../errors.js';
import type { LabReport } from '../lab.js';
import { labCacheDir, loadLatest, writeAtomic } from './files.js';
import { main as labMain, type LabIO } from './cli.js';

const USAGE = `usage: paoding advise [options]

The rules of thumb ("start with ReLU and tune the learning rate, then try Leaky ReLU or ELU, try
tanh without much hope, never use sigmoid"), each checked against measured runs: the latest
'paoding lab' runs recorded on this machine (${'$'}PAODING_LAB_DIR, else ~/.cache/paoding/lab), or,
when there is no race yet, a race run now (preset quick, or --preset).

options:
  --from FILE      a report written by 'paoding lab ... --json FILE' (may be repeated)
  --fresh          run a new race (and dying experiment) now instead of using recorded runs
  --preset NAME    the preset of runs made now (default quick)
  --dataset NAME   the data set of runs made now (as paoding lab)
  --json FILE      write the rules and their evidence to FILE
  --help, -h       this help`;

function readReport(path: string): LabReport {
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as LabReport;
    if (r.format !== 'paoding-lab/1') throw new Error('not a paoding lab report');
    return r;
  } catch (e) {
    throw new LabError(`--from ${path}: ${(e as Error).message.split('\n')[0]}`);
  }
}

interface AdviseOptions {
  from: string[];
  fresh: boolean;
  preset?: string;
  dataset?: string;
  json?: string;
  help: boolean;
}

function parse(args: readonly string[]): AdviseOptions {
  const o: AdviseOptions = { from: [], fresh: false, help: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [name, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new LabError(`${name} needs a value`);
      return v;
    };
    if (name === '--help' || name === '-h') o.help = true;
    else if (name === '--fresh') o.fresh = true;
    else if (name === '--from') o.from.push(value());
    else if (name === '--preset') o.preset = value();
    else if (name === '--dataset') o.dataset = value();
    else if (name === '--json') o.json = value();
    else throw new LabError(`unknown option '${a}' (see paoding advise --help)`);
  }
  return o;
}

/** Run `paoding lab <experiment>` quietly into a temporary report. */
async function runNow(experiment: string, o: AdviseOptions, err: (s: string) => void): Promise<LabReport> {
  const dir = mkdtempSync(join(tmpdir(), 'paoding-advise-'));
  try {
    const file = join(dir, `${experiment}.json`);
    err(`paoding advise: running 'paoding lab ${experiment} --preset ${o.preset ?? 'quick'}' for evidence...`);
    const io: LabIO = { stdout: () => {}, stderr: process.stderr, handleSignals: true };
    const code = await labMain([experiment, '--preset', o.preset ?? 'quick', ...(o.dataset ? ['--dataset', o.dataset] : []), '--json', file], io);
    if (code !== 0) throw new LabError(`paoding lab ${experiment} failed (status ${code})`);
    return readReport(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function main(args: string[], out: (s: string) => void = (s) => void process.stdout.write(s), errOut: (s: string) => void = (s) => void process.stderr.write(s)): Promise<number> {
  const err = (s: string): void => errOut(`${s}\n`);
  let o: AdviseOptions;
  try {
    o = parse(args);
  } catch (e) {
    if (e instanceof LabError) {
      err(`paoding advise: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (o.help) {
    out(`${USAGE}\n`);
    return 0;
  }
  try {
    let race: LabReport | undefined;
    let dying: LabReport | undefined;
    if (o.from.length) {
      for (const f of o.from) {
        const r = readReport(f);
        if (r.experiments.race) race = r;
        if (r.experiments.dying) dying = r;
      }
    } else if (!o.fresh) {
      const latest = loadLatest();
      race = latest.get('race') as LabReport | undefined;
      dying = latest.get('dying') as LabReport | undefined;
    }
    if (!race) race = await runNow('race', o, err);
    if (!dying && (o.fresh || !o.from.length)) dying = await runNow('dying', o, err);
    const source = (r: LabReport): string => `${r.command} (${r.timing.startedAt}, preset ${r.preset.name}, ${r.dataset.name})`;
    const rules: Rule[] = checkRules(race.experiments.race, dying?.experiments.dying, source(race), race.dataset.classes);
    out(`paoding advise: the rules of thumb against measured runs\nevidence: ${source(race)}${dying ? `; ${source(dying)}` : ''}\n${o.from.length ? '' : `(recorded runs in ${labCacheDir()}; --fresh runs new ones)\n`}\n`);
    out(rulesText(rules));
    if (o.json) writeAtomic(o.json, JSON.stringify({ format: 'paoding-advise/1', evidence: { race: source(race), ...(dying ? { dying: source(dying) } : {}) }, rules }));
    return 0;
  } catch (e) {
    if (e instanceof LabError) {
      err(`paoding advise: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
