/**
 * The explorer's whole state, and its encoding in the URL's hash: activations, parameters, the
 * range, options and the playground's settings, so that a link (or a reload) restores the view.
 * Only values that differ from the defaults are written. No DOM.
 */
import { complete, entry, known, valid, variant, type ParamValue } from './catalogue.js';

export type Tab = 'curves' | 'numerics' | 'playground';
export const TABS: readonly Tab[] = ['curves', 'numerics', 'playground'];

export const DATASETS = ['circle', 'xor', 'gaussian', 'spiral', 'moons'] as const;
export type Dataset = (typeof DATASETS)[number];

export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** Learning rates the playground offers. */
export const LEARNING_RATES: readonly number[] = [0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3];
/** Batch sizes the playground offers (0: the whole set). */
export const BATCH_SIZES: readonly number[] = [0, 10, 32, 100];

export interface PlaygroundState {
  dataset: Dataset;
  noise: number;
  act: string;
  /** Parameters of the playground's activation (non-default ones matter). */
  params: Record<string, ParamValue>;
  depth: number;
  width: number;
  lr: number;
  optimizer: OptimizerName;
  batch: number;
  seed: number;
  /** The hidden layer whose pre-activations are shown. */
  layer: number;
}

export interface State {
  tab: Tab;
  /** Selected activations, in order. */
  acts: string[];
  /** Parameter values per activation (missing ones take the defaults). */
  params: Record<string, Record<string, ParamValue>>;
  /** Overlaid variants (`gelu:tanh`). */
  variants: string[];
  /** The activation whose regions are shaded and whose numerics are shown. */
  focus: string;
  lo: number;
  hi: number;
  dtype: 'float32' | 'float64';
  /** Saturation threshold on |f'|. */
  threshold: number;
  showFd: boolean;
  showRegions: boolean;
  /** Where the values are read out. */
  probe: number;
  /** The numerics' range. */
  nlo: number;
  nhi: number;
  /** Whether the code panel is open. */
  code: boolean;
  pg: PlaygroundState;
}

export function defaultState(): State {
  return {
    tab: 'curves',
    acts: ['gelu'],
    params: {},
    variants: [],
    focus: 'gelu',
    lo: -6,
    hi: 6,
    dtype: 'float64',
    threshold: 0.01,
    showFd: true,
    showRegions: true,
    probe: 1,
    nlo: -20,
    nhi: 20,
    code: false,
    pg: { dataset: 'circle', noise: 0.1, act: 'relu', params: {}, depth: 2, width: 8, lr: 0.03, optimizer: 'adam', batch: 0, seed: 0, layer: 0 },
  };
}

/** Limits of the numeric settings. */
export const LIMITS = {
  range: [-1000, 1000],
  depth: [1, 4],
  width: [2, 16],
  noise: [0, 0.5],
  seed: [0, 2 ** 31 - 1],
  threshold: [1e-6, 1],
} as const;

/** Parse a parameter value as written in the URL. */
function parseValue(s: string): ParamValue {
  if (s === 'true' || s === 'false') return s === 'true';
  const n = Number(s);
  return s.trim() !== '' && !Number.isNaN(n) ? n : s;
}

/** Write a parameter value for the URL. */
function writeValue(v: ParamValue): string {
  return String(v);
}

function num(s: string | null, fallback: number, lo = -Infinity, hi = Infinity): number {
  if (s === null || s.trim() === '') return fallback;
  const n = Number(s);
  return Number.isFinite(n) ? Math.min(hi, Math.max(lo, n)) : fallback;
}

function int(s: string | null, fallback: number, lo: number, hi: number): number {
  const n = num(s, fallback, lo, hi);
  return Number.isInteger(n) ? n : Math.round(n);
}

function flag(s: string | null, fallback: boolean): boolean {
  return s === null ? fallback : s === '1' || s === 'true';
}

/** Keep only the valid, non-default parameter values of an activation. */
export function cleanParams(id: string, given: Readonly<Record<string, ParamValue>>): Record<string, ParamValue> {
  if (!known(id)) return {};
  const e = entry(id);
  const out: Record<string, ParamValue> = {};
  for (const c of e.controls) {
    const v = given[c.key];
    if (v !== undefined && valid(c, v) && v !== c.default) out[c.key] = v;
  }
  return out;
}

/** The full parameter values of a selected activation. */
export function paramsOf(s: State, id: string): Record<string, ParamValue> {
  return complete(entry(id), s.params[id] ?? {});
}

/** Decode a hash (`#a=gelu,silu&p.gelu.approximate=tanh&...`, with or without the `#`). */
export function decode(hash: string): State {
  const s = defaultState();
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const tab = q.get('tab');
  if (tab !== null && (TABS as readonly string[]).includes(tab)) s.tab = tab as Tab;
  const a = q.get('a');
  if (a !== null) s.acts = [...new Set(a.split(',').filter((id) => known(id)))];
  const params: Record<string, Record<string, ParamValue>> = {};
  const pgParams: Record<string, ParamValue> = {};
  for (const [k, v] of q) {
    const m = /^p\.([a-z0-9_]+)\.([A-Za-z0-9_]+)$/.exec(k);
    if (m) (params[m[1]!] ??= {})[m[2]!] = parseValue(v);
    const g = /^pg\.p\.([A-Za-z0-9_]+)$/.exec(k);
    if (g) pgParams[g[1]!] = parseValue(v);
  }
  for (const [id, p] of Object.entries(params)) {
    const c = cleanParams(id, p);
    if (Object.keys(c).length > 0) s.params[id] = c;
  }
  const v = q.get('v');
  if (v !== null) s.variants = [...new Set(v.split(',').filter((k) => variant(k) !== undefined))];
  const focus = q.get('f');
  s.focus = focus !== null && s.acts.includes(focus) ? focus : (s.acts[0] ?? s.focus);
  s.lo = num(q.get('lo'), s.lo, ...LIMITS.range);
  s.hi = num(q.get('hi'), s.hi, ...LIMITS.range);
  if (!(s.hi > s.lo)) [s.lo, s.hi] = [-6, 6];
  const dt = q.get('dt');
  if (dt === 'float32' || dt === 'float64') s.dtype = dt;
  s.threshold = num(q.get('thr'), s.threshold, ...LIMITS.threshold);
  s.showFd = flag(q.get('fd'), s.showFd);
  s.showRegions = flag(q.get('rg'), s.showRegions);
  s.probe = num(q.get('x'), s.probe, s.lo, s.hi);
  s.nlo = num(q.get('nlo'), s.nlo, ...LIMITS.range);
  s.nhi = num(q.get('nhi'), s.nhi, ...LIMITS.range);
  if (!(s.nhi > s.nlo)) [s.nlo, s.nhi] = [-20, 20];
  s.code = flag(q.get('code'), s.code);
  const pg = s.pg;
  const ds = q.get('pg.data');
  if (ds !== null && (DATASETS as readonly string[]).includes(ds)) pg.dataset = ds as Dataset;
  pg.noise = num(q.get('pg.noise'), pg.noise, ...LIMITS.noise);
  const act = q.get('pg.act');
  if (act !== null && known(act) && entry(act).trainable) pg.act = act;
  pg.params = cleanParams(pg.act, pgParams);
  pg.depth = int(q.get('pg.depth'), pg.depth, ...LIMITS.depth);
  pg.width = int(q.get('pg.width'), pg.width, ...LIMITS.width);
  const lr = num(q.get('pg.lr'), pg.lr, 0, 10);
  if (lr > 0) pg.lr = lr;
  const opt = q.get('pg.opt');
  if (opt !== null && (OPTIMIZERS as readonly string[]).includes(opt)) pg.optimizer = opt as OptimizerName;
  const batch = int(q.get('pg.batch'), pg.batch, 0, 200);
  pg.batch = batch;
  pg.seed = int(q.get('pg.seed'), pg.seed, ...LIMITS.seed);
  pg.layer = int(q.get('pg.layer'), pg.layer, 0, pg.depth - 1);
  return s;
}

/** Encode the state as a hash (without the `#`), writing only what differs from the defaults. */
export function encode(s: State): string {
  const d = defaultState();
  const q = new URLSearchParams();
  if (s.tab !== d.tab) q.set('tab', s.tab);
  if (s.acts.join(',') !== d.acts.join(',')) q.set('a', s.acts.join(','));
  for (const id of s.acts) {
    for (const [k, v] of Object.entries(cleanParams(id, s.params[id] ?? {}))) q.set(`p.${id}.${k}`, writeValue(v));
  }
  if (s.variants.length > 0) q.set('v', s.variants.join(','));
  if (s.focus !== (s.acts[0] ?? d.focus)) q.set('f', s.focus);
  if (s.lo !== d.lo) q.set('lo', String(s.lo));
  if (s.hi !== d.hi) q.set('hi', String(s.hi));
  if (s.dtype !== d.dtype) q.set('dt', s.dtype);
  if (s.threshold !== d.threshold) q.set('thr', String(s.threshold));
  if (s.showFd !== d.showFd) q.set('fd', s.showFd ? '1' : '0');
  if (s.showRegions !== d.showRegions) q.set('rg', s.showRegions ? '1' : '0');
  if (s.probe !== d.probe) q.set('x', String(s.probe));
  if (s.nlo !== d.nlo) q.set('nlo', String(s.nlo));
  if (s.nhi !== d.nhi) q.set('nhi', String(s.nhi));
  if (s.code !== d.code) q.set('code', s.code ? '1' : '0');
  const pg = s.pg;
  const dp = d.pg;
  if (pg.dataset !== dp.dataset) q.set('pg.data', pg.dataset);
  if (pg.noise !== dp.noise) q.set('pg.noise', String(pg.noise));
  if (pg.act !== dp.act) q.set('pg.act', pg.act);
  for (const [k, v] of Object.entries(cleanParams(pg.act, pg.params))) q.set(`pg.p.${k}`, writeValue(v));
  if (pg.depth !== dp.depth) q.set('pg.depth', String(pg.depth));
  if (pg.width !== dp.width) q.set('pg.width', String(pg.width));
  if (pg.lr !== dp.lr) q.set('pg.lr', String(pg.lr));
  if (pg.optimizer !== dp.optimizer) q.set('pg.opt', pg.optimizer);
  if (pg.batch !== dp.batch) q.set('pg.batch', String(pg.batch));
  if (pg.seed !== dp.seed) q.set('pg.seed', String(pg.seed));
  if (pg.layer !== dp.layer) q.set('pg.layer', String(pg.layer));
  // Commas and colons read better unescaped, and are safe in a fragment.
  return q.toString().replace(/%2C/g, ',').replace(/%3A/g, ':');
}
