/// <reference types="node" />
/**
 * `paoding bench` (and `npm run bench`): paoding's activations against the peers, side by side
 * in one process tree on the same inputs. paoding on every registered backend, PyTorch CPU (a
 * subprocess of Debian's python3-torch, when present), onnxruntime-node and onnxruntime-web,
 * TensorFlow.js (cpu and wasm) and the machine's copy bandwidth; float32 forward and
 * forward+backward of every activation at 2^10, 2^16, 2^20 and 2^24 elements on 1 and 2
 * threads, and a training step of an MLP. Prints a markdown report (tables, the computed
 * checks) and writes JSON. Absent peers are reported as absent.
 *
 * The method and how to read the results: docs/benchmarks.md.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
// The Node entry too, so that backends registered by Node-only modules are benchmarked as well.
import '../node/index.js';
import { backends, manualSeed, randn } from '../index.js';
import { allCases } from './bench/cases.js';
import { packageRoot, paodingThreadControl, type PeerStatus, type RunContext, runCopy, runOrt, runPaoding, runTfjs, runTorch } from './bench/peers.js';
import { checks, report, type Run, Table } from './bench/report.js';
import { type Dir, type Impl, paodingImpl, PEERS, type Result } from './bench/results.js';
import { runIsolated } from './bench/isolate.js';
import { FULL_PLAN, QUICK_PLAN } from './bench/timing.js';
import { runTraining } from './bench/training.js';

const ALL_PEERS = [...PEERS.map((p) => p.key), 'copy'];
const QUICK_ACTIVATIONS = ['relu', 'sigmoid', 'gelu', 'softmax'];

const USAGE = `usage: paoding bench [options]

Benchmark paoding's activations against PyTorch, onnxruntime, TensorFlow.js and the copy
bandwidth, side by side on the same inputs. Prints a markdown report, writes JSON.

options:
  --quick              a small subset for smoke tests (2^10 and 2^16; ${QUICK_ACTIVATIONS.join(', ')}; 1 thread; short timings)
  --sizes 10,16,20,24  log2 of the element counts
  --activations LIST   rows (activation ids, and gelu_tanh), or all (the default)
  --backends LIST      paoding backends; default: every registered one (${backends.list().join(', ')})
  --peers LIST         ${ALL_PEERS.join(', ')} (or none); default: all
  --threads 1,2        thread counts
  --dirs fwd,bwd       forward, and forward+backward
  --steps N            training steps timed (default 20; 0 skips the training step)
  --in-process         measure every JavaScript library in this process, one after the other,
                       instead of each in a process of its own
  --json FILE          where to write the JSON (default bench/results/activations.json)
  --markdown FILE      also write the report there
  --report FILE        measure nothing: print the report of a saved JSON run again
  --help`;

function list(v: string | undefined, fallback: string[], all: string[] = fallback): string[] {
  if (v === undefined) return fallback;
  if (v === 'all') return all;
  if (v === 'none' || v === '') return [];
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function fail(msg: string): never {
  throw new Error(`paoding bench: ${msg}`);
}

/** How the run was invoked, for the report. */
function commandLine(args: string[], invokedAs: string): string {
  const viaNpm = process.env['npm_lifecycle_event'] === 'bench';
  const rest = args.map((a) => (/^[\w.,=/-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
  if (viaNpm) return `npm run bench${rest ? ` -- ${rest}` : ''}`;
  return `${invokedAs}${rest ? ` ${rest}` : ''}`;
}

/** The JSON a run writes. */
type SavedRun = Omit<Run, 'cases'> & { cases: string[] };

function writeReport(md: string, path: string | undefined): void {
  process.stdout.write(md);
  if (path === undefined) return;
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileSync(resolve(path), md);
}

/** `--report FILE`: the report of a saved run, with the checks computed again. */
function rerender(path: string, markdown: string | undefined): number {
  const saved = JSON.parse(readFileSync(path, 'utf8')) as SavedRun;
  const every = allCases();
  const run: Run = { ...saved, cases: saved.cases.map((n) => every.find((c) => c.name === n) ?? fail(`${path}: unknown activation '${n}'`)) };
  writeReport(report(run, checks(run, new Table(run))), markdown);
  return 0;
}

/** Run the benchmark. Returns the process exit code (0 whatever the checks say). */
export async function main(args: string[], invokedAs = 'paoding bench'): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: 'boolean', default: false },
      sizes: { type: 'string' },
      activations: { type: 'string' },
      backends: { type: 'string' },
      peers: { type: 'string' },
      threads: { type: 'string' },
      dirs: { type: 'string' },
      steps: { type: 'string' },
      json: { type: 'string' },
      markdown: { type: 'string' },
      report: { type: 'string' },
      'in-process': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.report !== undefined) return rerender(values.report, values.markdown);
  const quick = values.quick === true;
  const isolate = values['in-process'] !== true;
  const sizes = list(values.sizes, quick ? ['10', '16'] : ['10', '16', '20', '24']).map(Number);
  if (sizes.some((s) => !Number.isInteger(s) || s < 0 || s > 26)) fail(`--sizes takes log2 sizes from 0 to 26, got '${values.sizes}'`);
  const threads = list(values.threads, quick ? ['1'] : ['1', '2']).map(Number);
  if (threads.some((t) => !Number.isInteger(t) || t < 1)) fail(`--threads takes positive integers, got '${values.threads}'`);
  const dirs = list(values.dirs, ['fwd', 'bwd']) as Dir[];
  if (dirs.some((d) => d !== 'fwd' && d !== 'bwd')) fail(`--dirs takes fwd and bwd, got '${values.dirs}'`);
  const every = allCases();
  const names = list(values.activations, quick ? QUICK_ACTIVATIONS : every.map((c) => c.name), every.map((c) => c.name));
  const unknown = names.filter((n) => !every.some((c) => c.name === n));
  if (unknown.length) fail(`unknown activation(s) ${unknown.join(', ')} (known: ${every.map((c) => c.name).join(', ')})`);
  const cases = every.filter((c) => names.includes(c.name));
  const backendNames = list(values.backends, backends.list());
  const unknownB = backendNames.filter((b) => !backends.list().includes(b));
  if (unknownB.length) fail(`unknown backend(s) ${unknownB.join(', ')} (registered: ${backends.list().join(', ')})`);
  const peers = list(values.peers, ALL_PEERS);
  const unknownP = peers.filter((p) => !ALL_PEERS.includes(p));
  if (unknownP.length) fail(`unknown peer(s) ${unknownP.join(', ')} (known: ${ALL_PEERS.join(', ')})`);
  const steps = values.steps === undefined ? (quick ? 0 : 20) : Number(values.steps);
  if (!Number.isInteger(steps) || steps < 0) fail(`--steps takes a non-negative integer, got '${values.steps}'`);

  const log = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);
  const jsonPath = resolve(values.json ?? join(packageRoot(), 'bench', 'results', 'activations.json'));
  mkdirSync(dirname(jsonPath), { recursive: true });
  const started = new Date().toISOString();
  const loadBefore = loadavg();
  log(`load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores (other work makes the numbers noisy)`);

  // The inputs, once: x = 3 N(0,1) (mixed signs, past every kink), g = N(0,1); smaller sizes use prefixes.
  const nMax = 2 ** Math.max(...sizes);
  manualSeed(0);
  const x = randn([nMax]).mul(3).toTypedArray() as Float32Array;
  const g = randn([nMax]).toTypedArray() as Float32Array;

  const results: Result[] = [];
  const ctx: RunContext = { cases, sizes, dirs, threads, plan: quick ? QUICK_PLAN : FULL_PLAN, x, g, record: (r) => void results.push(r), log };
  /** Each implementation's status: a version, or why it is absent (an absence wins). */
  const status = new Map<string, PeerStatus>();
  /** Run a runner; one that throws makes its implementations absent, with the error. */
  const guarded = async (keys: string[], runner: () => Promise<PeerStatus | PeerStatus[]>): Promise<void> => {
    let got: PeerStatus[];
    try {
      const s = await runner();
      got = (Array.isArray(s) ? s : [s]).filter((st) => keys.includes(st.key));
    } catch (e) {
      got = keys.map((key) => ({ key, absent: `failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` }));
    }
    for (const st of got) if (status.get(st.key)?.absent === undefined) status.set(st.key, st);
  };
  // Size by size, every implementation in turn: the cells compared with each other are measured
  // minutes apart, not an hour apart, on a machine whose load drifts.
  for (const size of sizes) {
    const at: RunContext = { ...ctx, sizes: [size] };
    for (const b of backendNames) await guarded([`paoding-${b}`], () => (isolate ? runIsolated(at, { kind: 'paoding', backend: b }) : runPaoding(at, b)));
    const torchVariants = ['torch', 'torch-out'].filter((p) => peers.includes(p));
    if (torchVariants.length) await guarded(torchVariants, () => runTorch(at, torchVariants));
    for (const flavour of ['node', 'web'] as const) {
      const key = flavour === 'node' ? 'ort' : 'ort-web';
      if (peers.includes(key)) await guarded([key], () => (isolate ? runIsolated(at, { kind: 'ort', flavour }) : runOrt(at, flavour)));
    }
    for (const b of ['wasm', 'cpu'] as const) {
      const keys = [`tfjs-${b}`, `tfjs-${b}-read`].filter((k) => peers.includes(k));
      const read = keys.includes(`tfjs-${b}-read`);
      if (keys.length) await guarded(keys, () => (isolate ? runIsolated(at, { kind: 'tfjs', backend: b, read }) : runTfjs(at, b, read)));
    }
    if (peers.includes('copy')) await guarded(['copy'], () => (isolate ? runIsolated(at, { kind: 'copy' }) : runCopy(at)));
    // What is measured so far survives a crash or an interruption of a long run.
    writeFileSync(`${jsonPath}.partial`, JSON.stringify({ started, statuses: [...status.values()], results }));
  }
  const statuses = [...status.values()];
  const impls: Impl[] = backendNames.map((b) => paodingImpl(b, paodingThreadControl(b) !== null));
  impls.push(...PEERS.filter((p) => peers.includes(p.key)));

  const training = steps > 0 ? await runTraining({ backends: backendNames, peers, threads, steps, log }) : [];

  const run: Run = {
    date: started,
    command: commandLine(args, invokedAs),
    machine: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadBefore, loadAfter: loadavg() },
    sizes,
    threads,
    dirs,
    cases,
    impls,
    statuses,
    results,
    training,
  };
  const cs = checks(run, new Table(run));
  const md = report(run, cs);

  const { cases: _cases, ...rest } = run;
  writeFileSync(jsonPath, JSON.stringify({ ...rest, cases: cases.map((c) => c.name), checks: cs }, null, 1));
  rmSync(`${jsonPath}.partial`, { force: true });
  log(`wrote ${jsonPath}`);
  writeReport(md, values.markdown);
  return 0;
}
