/// <reference types="node" />
/**
 * Writing reports so that an interrupted or failed run never leaves a half-written file: each
 * file is written to a temporary name beside it and renamed into place once complete; the
 * temporary names are tracked so that an interrupt can remove them. Also where the latest runs
 * are recorded for `paoding advise`.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { LabError } from '../errors.js';

const pending = new Set<string>();

/** Write `text` to `path` atomically (temporary file, then rename). */
export function writeAtomic(path: string, text: string | Uint8Array): void {
  const target = resolve(path);
  const dir = dirname(target);
  if (!existsSync(dir)) throw new LabError(`cannot write ${path}: no such directory ${dir}`);
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  pending.add(tmp);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new LabError(`cannot write ${path}: ${(e as Error).message}`);
  } finally {
    pending.delete(tmp);
  }
}

/** Remove temporary files of writes in progress (called on interrupt). */
export function removePending(): void {
  for (const tmp of pending) rmSync(tmp, { force: true });
  pending.clear();
}

/** Check early that an output file can be written (its folder exists), so a long run does not fail at the end. */
export function checkWritable(path: string, option: string): void {
  const dir = dirname(resolve(path));
  if (!existsSync(dir)) throw new LabError(`--${option} ${path}: no such directory ${dir}`);
}

/** Where the latest lab runs are recorded: $PAODING_LAB_DIR, else $XDG_CACHE_HOME/paoding/lab, else ~/.cache/paoding/lab. */
export function labCacheDir(): string {
  if (process.env['PAODING_LAB_DIR']) return resolve(process.env['PAODING_LAB_DIR']);
  const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'paoding', 'lab');
}

/** Record a report as the latest of each experiment it contains. */
export function saveLatest(report: { experiments: object }, text: string): string[] {
  const dir = labCacheDir();
  mkdirSync(dir, { recursive: true });
  const names = Object.keys(report.experiments);
  for (const name of names) writeAtomic(join(dir, `${name}.json`), text);
  return names.map((n) => join(dir, `${n}.json`));
}

/** The latest recorded report of each experiment, parsed (missing or unreadable ones are skipped). */
export function loadLatest(): Map<string, unknown> {
  const dir = labCacheDir();
  const out = new Map<string, unknown>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.json')) continue;
    try {
      out.set(f.slice(0, -5), JSON.parse(readFileSync(join(dir, f), 'utf8')));
    } catch {
      // A file that does not parse is ignored (it is rewritten by the next run).
    }
  }
  return out;
}
