/// <reference types="node" />
/**
 * Progress on stderr: on a terminal, one live bar (work done, what is running, time left);
 * otherwise one line per stage and per finished run, so logs stay readable.
 */
import type { Progress } from '../env.js';

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export class TerminalProgress implements Progress {
  private total = 0;
  private done = 0;
  private what = '';
  private stageName = '';
  private last = 0;
  private readonly start = performance.now();
  private drawn = false;
  private runs = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly live: boolean,
  ) {}

  plan(units: number): void {
    this.total += units;
  }

  advance(units: number, what?: string): void {
    this.done += units;
    if (what !== undefined) this.what = what;
    if (this.live) this.draw(false);
  }

  stage(name: string): void {
    this.stageName = name.split(':')[0]!;
    this.note(name);
  }

  note(line: string): void {
    if (this.live) {
      this.clear();
      this.out.write(`${line}\n`);
      if (this.total > 0) this.draw(true);
    } else this.out.write(`[${clock(performance.now() - this.start)}] ${line}\n`);
  }

  runDone(what: string, summary: string): void {
    this.runs++;
    if (!this.live) this.out.write(`[${clock(performance.now() - this.start)}] ${what}: ${summary}\n`);
  }

  /** Remove the bar (before the report is printed). */
  finish(): void {
    if (this.live) this.clear();
  }

  private clear(): void {
    if (this.drawn) this.out.write('\r\x1b[2K');
    this.drawn = false;
  }

  private draw(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const cols = this.out.columns || 100;
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 0;
    const width = 24;
    const n = Math.round(frac * width);
    const elapsed = now - this.start;
    const left = frac > 0.02 ? (elapsed / frac) * (1 - frac) : NaN;
    let line = `${this.stageName} [${'█'.repeat(n)}${'░'.repeat(width - n)}] ${(frac * 100).toFixed(0).padStart(3)}% ${clock(elapsed)}${Number.isFinite(left) ? `, ~${clock(left)} left` : ''} · ${this.what}`;
    if ([...line].length > cols - 1) line = [...line].slice(0, cols - 2).join('') + '…';
    this.out.write(`\r\x1b[2K${line}`);
    this.drawn = true;
  }
}

export const quietProgress: Progress & { finish(): void } = { plan() {}, advance() {}, stage() {}, note() {}, runDone() {}, finish() {} };
