/**
 * The report of a benchmark run: a markdown table per size and thread count, the training
 * step, and the "what must hold" checks computed from the measurements (never written by hand).
 */
import { bytesPerElement, type Case } from './cases.js';
import type { PeerStatus } from './peers.js';
import type { Dir, Impl, Result, TrainingRow } from './results.js';

/** Everything a run produced. */
export interface Run {
  date: string;
  command: string;
  machine: { node: string; cpu: string; cores: number; loadBefore: number[]; loadAfter: number[] };
  sizes: number[];
  threads: number[];
  dirs: Dir[];
  cases: Case[];
  impls: Impl[];
  statuses: PeerStatus[];
  results: Result[];
  training: TrainingRow[];
}

/** One computed check. */
export interface Check {
  id: string;
  title: string;
  /** null: nothing to compare (a peer or size was not measured). */
  pass: boolean | null;
  passed: number;
  total: number;
  /** The cells, worst first: what was compared and the margin (>= 1 holds). */
  cells: { what: string; margin: number; pass: boolean }[];
}

const DIR_LABEL: Record<Dir, string> = { fwd: 'fwd', bwd: 'fwd+bwd' };

/** Lookups over the results of a run. */
export class Table {
  private byKey = new Map<string, Result>();
  constructor(private run: Run) {
    for (const r of run.results) this.byKey.set(`${r.impl}|${r.case}|${r.dir}|${r.size}|${r.threads}`, r);
  }

  /** The result of an implementation in the column of `threads` threads. */
  get(impl: Impl, c: string, dir: Dir, size: number, threads: number): Result | undefined {
    return this.byKey.get(`${impl.key}|${c}|${dir}|${size}|${impl.oneThread ? 1 : threads}`);
  }

  /** Seconds of a copy moving as many bytes as this row must. */
  copySeconds(c: Case, dir: Dir, size: number, threads: number): number | null {
    const r = this.byKey.get(`copy|copy|fwd|${size}|${threads}`);
    if (r?.seconds == null) return null;
    return (r.seconds * bytesPerElement(c, dir)) / 8;
  }

  /** The fastest implementation of a role (paoding backends, or usual-API peers). */
  best(role: 'paoding' | 'peer', c: string, dir: Dir, size: number, threads: number, filter: (i: Impl, r: Result) => boolean = () => true): { impl: Impl; r: Result } | null {
    let out: { impl: Impl; r: Result } | null = null;
    for (const impl of this.run.impls) {
      if (impl.role !== role) continue;
      const r = this.get(impl, c, dir, size, threads);
      if (r?.seconds == null || !filter(impl, r)) continue;
      if (out === null || r.seconds < out.r.seconds!) out = { impl, r };
    }
    return out;
  }
}

/** 1234567 -> "1.23 M". */
export function si(v: number): string {
  const units: [number, string][] = [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [s, u] of units) if (v >= s) return `${(v / s).toPrecision(3)} ${u}`;
  return v.toPrecision(3);
}

export function seconds(s: number): string {
  if (s >= 1) return `${s.toPrecision(3)} s`;
  if (s >= 1e-3) return `${(s * 1e3).toPrecision(3)} ms`;
  return `${(s * 1e6).toPrecision(3)} µs`;
}

const ratio = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

function threadLabel(impl: Impl, t: number): string {
  if (impl.role === 'paoding') return impl.oneThread ? impl.label : `${impl.label} ${t}T`;
  return impl.oneThread ? `${impl.label} (1T)` : `${impl.label} ${t}T`;
}

/** The markdown table of one size and thread count. */
export function sizeTable(run: Run, tab: Table, size: number, t: number): string {
  const n = 2 ** size;
  const cols = run.impls;
  const head = ['activation', 'direction', ...cols.map((i) => threadLabel(i, t)), `copy ${t}T`, 'paoding GB/s', '% of copy'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const c of run.cases) {
    for (const dir of run.dirs) {
      const best = tab.best('paoding', c.name, dir, size, t);
      const cells = cols.map((impl) => {
        const status = run.statuses.find((s) => s.key === impl.key);
        if (status?.absent !== undefined) return 'absent';
        if (dir === 'bwd' && impl.forwardOnly) return '—';
        const r = tab.get(impl, c.name, dir, size, t);
        if (r === undefined) return '';
        if (r.seconds === null) return r.note?.startsWith('failed') ? 'failed' : '—';
        const rate = `${si(n / r.seconds)}${r.composite ? '*' : ''}`;
        return best ? `${rate} · ${ratio(r.seconds / best.r.seconds!)}` : rate;
      });
      const copy = tab.copySeconds(c, dir, size, t);
      let copyCell = '';
      let gbs = '';
      let frac = '';
      if (copy !== null) copyCell = best ? `${si(n / copy)} · ${ratio(copy / best.r.seconds!)}` : si(n / copy);
      if (best) {
        gbs = ((n * bytesPerElement(c, dir)) / best.r.seconds! / 1e9).toFixed(2);
        if (copy !== null) frac = `${((100 * copy) / best.r.seconds!).toFixed(0)}%`;
      }
      lines.push(`| ${c.name} | ${DIR_LABEL[dir]} | ${cells.join(' | ')} | ${copyCell} | ${gbs} | ${frac} |`);
    }
  }
  return lines.join('\n');
}

function describe(c: string, dir: Dir, size: number, t: number): string {
  return `${c} ${DIR_LABEL[dir]} 2^${size} ${t}T`;
}

function summarise(id: string, title: string, cells: Check['cells']): Check {
  cells.sort((a, b) => a.margin - b.margin);
  const passed = cells.filter((x) => x.pass).length;
  return { id, title, pass: cells.length === 0 ? null : passed === cells.length, passed, total: cells.length, cells };
}

/** The checks the issue asks the benchmark to show. */
export function checks(run: Run, tab: Table): Check[] {
  const out: Check[] = [];
  const each = (f: (c: Case, dir: Dir, size: number, t: number) => void): void => {
    for (const size of run.sizes) for (const t of run.threads) for (const c of run.cases) for (const dir of run.dirs) f(c, dir, size, t);
  };

  // 1. In Node, at 2^16 and above: paoding at least as fast as the fastest peer (usual API).
  const fastest: Check['cells'] = [];
  each((c, dir, size, t) => {
    if (size < 16) return;
    const p = tab.best('paoding', c.name, dir, size, t);
    const q = tab.best('peer', c.name, dir, size, t);
    if (!p || !q) return;
    const margin = q.r.seconds! / p.r.seconds!;
    fastest.push({ what: `${describe(c.name, dir, size, t)}: paoding ${p.impl.key.slice(8)} ${seconds(p.r.seconds!)}, ${q.impl.label}${q.r.composite ? '*' : ''} ${seconds(q.r.seconds!)}`, margin, pass: margin >= 1 });
  });
  out.push(summarise('node-fastest', 'Node, 2^16 and above: paoding at least as fast as the fastest peer, forward and forward+backward (margin = peer time / paoding time, >= 1 holds)', fastest));

  // 2. Within 1.25x of the copy bandwidth at 2^24 on two threads.
  const copy: Check['cells'] = [];
  each((c, dir, size, t) => {
    if (size !== 24 || t !== 2) return;
    const p = tab.best('paoding', c.name, dir, size, t);
    const cs = tab.copySeconds(c, dir, size, t);
    if (!p || cs === null) return;
    const margin = (1.25 * cs) / p.r.seconds!;
    copy.push({ what: `${describe(c.name, dir, size, t)}: paoding ${p.impl.key.slice(8)} ${seconds(p.r.seconds!)}, copy of the same bytes ${seconds(cs)} (${(p.r.seconds! / cs).toFixed(2)}x)`, margin, pass: margin >= 1 });
  });
  out.push(summarise('copy-bandwidth', 'Within 1.25x of the copy bandwidth at 2^24 on 2 threads (margin = 1.25 x copy time / paoding time)', copy));

  // 3. WebAssembly alone: faster than TF.js wasm and onnxruntime-web on every op they offer.
  const wasm: Check['cells'] = [];
  const wasmImpl = run.impls.find((i) => i.key === 'paoding-wasm');
  each((c, dir, size, t) => {
    if (!wasmImpl || t !== Math.min(...run.threads)) return;
    const p = tab.get(wasmImpl, c.name, dir, size, t);
    if (p?.seconds == null) return;
    for (const peer of run.impls.filter((i) => i.role === 'peer' && i.wasm)) {
      const q = tab.get(peer, c.name, dir, size, t);
      if (q?.seconds == null || q.composite) continue;
      const margin = q.seconds / p.seconds;
      wasm.push({ what: `${describe(c.name, dir, size, t)}: paoding wasm ${seconds(p.seconds)}, ${peer.label} ${seconds(q.seconds)}`, margin, pass: margin > 1 });
    }
  });
  out.push(summarise('wasm', 'WebAssembly alone (paoding wasm, 1 thread): faster than TF.js wasm and onnxruntime-web on every activation they offer as an op (margin = peer time / paoding time, > 1 holds)', wasm));

  // 4. At 2^10 and below: call overhead within 2x of the fastest peer.
  const overhead: Check['cells'] = [];
  each((c, dir, size, t) => {
    if (size > 10) return;
    const p = tab.best('paoding', c.name, dir, size, t);
    const q = tab.best('peer', c.name, dir, size, t);
    if (!p || !q) return;
    const margin = (2 * q.r.seconds!) / p.r.seconds!;
    overhead.push({ what: `${describe(c.name, dir, size, t)}: paoding ${p.impl.key.slice(8)} ${seconds(p.r.seconds!)}, ${q.impl.label}${q.r.composite ? '*' : ''} ${seconds(q.r.seconds!)}`, margin, pass: margin >= 1 });
  });
  out.push(summarise('small-overhead', '2^10 and below: paoding within 2x of the fastest peer (margin = 2 x peer time / paoding time)', overhead));

  // 5. The training step: faster than PyTorch CPU and TF.js.
  const train: Check['cells'] = [];
  const ours = run.training.filter((r) => r.role === 'paoding' && r.msPerStep !== null).sort((a, b) => a.msPerStep! - b.msPerStep!)[0];
  if (ours) {
    for (const peer of ['torch', 'tfjs-wasm', 'tfjs-cpu']) {
      const theirs = run.training.filter((r) => r.impl === peer && r.msPerStep !== null).sort((a, b) => a.msPerStep! - b.msPerStep!)[0];
      if (!theirs) continue;
      const margin = theirs.msPerStep! / ours.msPerStep!;
      train.push({ what: `paoding ${ours.impl.slice(8)} ${ours.threads}T ${ours.msPerStep!.toFixed(2)} ms, ${theirs.label} ${theirs.threads}T ${theirs.msPerStep!.toFixed(2)} ms`, margin, pass: margin > 1 });
    }
  }
  out.push(summarise('training', 'Training step (MLP 784-256-256-10, batch 128): faster than PyTorch CPU and TF.js (margin = peer time / paoding time, > 1 holds)', train));
  return out;
}

/** The checks as lines: PASS/FAIL, counts, and the worst cells. */
export function checkLines(cs: Check[], worst = 5): string {
  const lines: string[] = [];
  for (const c of cs) {
    const verdict = c.pass === null ? 'N/A ' : c.pass ? 'PASS' : 'FAIL';
    lines.push(`- **${verdict}** ${c.title}: ${c.passed}/${c.total} hold${c.total ? `; worst margin ${ratio(c.cells[0]!.margin)}` : ' (nothing measured to compare)'}`);
    for (const cell of c.cells.slice(0, c.pass ? 1 : worst)) lines.push(`  - ${cell.pass ? 'holds' : 'misses'}, margin ${ratio(cell.margin)}: ${cell.what}`);
  }
  return lines.join('\n');
}

/**
 * The headline of one size and thread count: per row and direction, the fastest paoding backend
 * against the fastest peer (usual API), with the fraction of the copy bandwidth paoding reaches.
 */
export function headline(run: Run, tab: Table, size: number, t: number, only?: readonly string[]): string {
  const n = 2 ** size;
  const head = ['activation', 'direction', 'paoding (fastest backend)', 'fastest peer', 'peer time / paoding time', 'paoding % of copy'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const c of run.cases) {
    if (only && !only.includes(c.name)) continue;
    for (const dir of run.dirs) {
      const p = tab.best('paoding', c.name, dir, size, t);
      const q = tab.best('peer', c.name, dir, size, t);
      const copy = tab.copySeconds(c, dir, size, t);
      const ours = p ? `${si(n / p.r.seconds!)}/s (${p.impl.key.slice(8)})` : '';
      const theirs = q ? `${si(n / q.r.seconds!)}/s (${q.impl.label}${q.r.composite ? '*' : ''})` : 'none';
      const r = p && q ? ratio(q.r.seconds! / p.r.seconds!) : '';
      const frac = p && copy !== null ? `${((100 * copy) / p.r.seconds!).toFixed(0)}%` : '';
      lines.push(`| ${c.name} | ${DIR_LABEL[dir]} | ${ours} | ${theirs} | ${r} | ${frac} |`);
    }
  }
  return lines.join('\n');
}

/** Copy bandwidth per size and thread count, GB/s (bytes read + written). */
export function copyTable(run: Run): string {
  const lines = [`| threads | ${run.sizes.map((s) => `2^${s}`).join(' | ')} |`, `|---|${run.sizes.map(() => '---').join('|')}|`];
  for (const t of run.threads) {
    const cells = run.sizes.map((s) => {
      const r = run.results.find((x) => x.impl === 'copy' && x.size === s && x.threads === t);
      return r?.seconds == null ? '' : ((8 * 2 ** s) / r.seconds / 1e9).toFixed(1);
    });
    lines.push(`| ${t} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The training table. */
export function trainingTable(rows: TrainingRow[]): string {
  const ours = rows.filter((r) => r.role === 'paoding' && r.msPerStep !== null).sort((a, b) => a.msPerStep! - b.msPerStep!)[0];
  const lines = ['| implementation | threads | ms / step | steps / s | time / best paoding | note |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    const ms = r.msPerStep;
    lines.push(`| ${r.label} | ${r.threads} | ${ms === null ? 'absent' : ms.toFixed(2)} | ${ms === null ? '' : (1000 / ms).toFixed(1)} | ${ms === null || !ours ? '' : ratio(ms / ours.msPerStep!)} | ${r.note} |`);
  }
  return lines.join('\n');
}

/** The whole report, markdown. */
export function report(run: Run, cs: Check[]): string {
  const tab = new Table(run);
  const out: string[] = [];
  out.push(`# paoding activation benchmark`);
  out.push('');
  out.push(`${run.date} · \`${run.command}\` · node ${run.machine.node} · ${run.machine.cores} × ${run.machine.cpu} · load average ${run.machine.loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${run.machine.loadAfter.map((l) => l.toFixed(2)).join(' ')} after`);
  out.push('');
  out.push('Cells: elements/s (of the input) · the time over the fastest paoding backend\'s at that size and thread count (above 1: paoding is faster). `*`: the peer composes the activation from several of its ops. `—`: not offered (or no autograd). "copy": a memcpy moving the bytes the row must move (fwd 8 B/element, fwd+bwd 20 B/element; GLU 6 and 16), whose ratio is the fraction of the copy bandwidth paoding reaches. fwd+bwd is `autograd.grad(F.act(x), x, { gradOutputs: g })` and each peer\'s equivalent.');
  out.push('');
  out.push('## Implementations');
  out.push('');
  for (const s of run.statuses) out.push(`- ${s.key}: ${s.absent !== undefined ? `**absent**: ${s.absent}` : (s.version ?? '')}${s.note ? ` (${s.note})` : ''}`);
  out.push('');
  out.push('## What must hold');
  out.push('');
  out.push(checkLines(cs));
  const top = Math.max(...run.sizes);
  const tt = Math.max(...run.threads);
  out.push('');
  out.push(`## Headline: 2^${top} elements, ${tt} thread${tt > 1 ? 's' : ''}`);
  out.push('');
  out.push(headline(run, tab, top, tt));
  if (run.results.some((r) => r.impl === 'copy')) {
    out.push('');
    out.push('## Copy bandwidth (GB/s, bytes read + written)');
    out.push('');
    out.push(copyTable(run));
  }
  for (const size of run.sizes) {
    for (const t of run.threads) {
      out.push('');
      out.push(`## 2^${size} elements, ${t} thread${t > 1 ? 's' : ''}`);
      out.push('');
      out.push(sizeTable(run, tab, size, t));
    }
  }
  if (run.training.length) {
    out.push('');
    out.push('## Training step: MLP 784-256-256-10, batch 128, SGD with momentum');
    out.push('');
    out.push(trainingTable(run.training));
  }
  return out.join('\n') + '\n';
}
