/**
 * "Show code": the TypeScript (paoding) and the PyTorch for what the explorer shows, generated
 * from the declarations: PyTorch's keywords and defaults, paoding's camelCased options. No DOM.
 */
import { nn } from '../index.js';
import { pyRepr } from '../util/pyformat.js';
import { entry, variant, type Control, type Entry, type ParamValue } from './catalogue.js';
import { NAIVE } from './numerics.js';
import { paramsOf, type State } from './state.js';

/** Generated snippets. */
export interface Snippets {
  ts: string;
  torch: string;
}

function tsValue(v: ParamValue): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}

function pyValue(v: ParamValue, c: Control): string {
  return pyRepr(v, c.type === 'int' ? 'int' : 'float');
}

/** The functional call's arguments: required ones (positional), and options that differ from the defaults. */
function given(e: Entry, values: Readonly<Record<string, ParamValue>>): { required: [Control, ParamValue][]; options: [Control, ParamValue][] } {
  const required: [Control, ParamValue][] = [];
  const options: [Control, ParamValue][] = [];
  for (const c of e.controls) {
    if (c.moduleOnly) continue;
    const v = values[c.key]!;
    if (c.required) required.push([c, v]);
    else if (v !== c.default) options.push([c, v]);
  }
  return { required, options };
}

/** The names a TypeScript snippet uses from paoding, as an import line. */
function tsImport(body: string, always: readonly string[] = []): string {
  const names = new Set(always);
  for (const name of ['autograd', 'data', 'F', 'linspace', 'manualSeed', 'nn', 'optim', 'stack', 'tensor', 'zerosLike']) {
    if (new RegExp(`\\b${name}[.(]`).test(body)) names.add(name);
  }
  const sorted = [...names].sort((a, b) => a.replace('type ', '').localeCompare(b.replace('type ', ''), 'en', { sensitivity: 'base' }));
  return `import { ${sorted.join(', ')} } from 'paoding';`;
}

function tsOptions(pairs: readonly (readonly [string, string])[]): string {
  return pairs.length === 0 ? '' : `{ ${pairs.map(([k, v]) => `${k}: ${v}`).join(', ')} }`;
}

/** Whether paoding (and PyTorch) have a module class for the activation. */
export function hasModule(e: Entry): boolean {
  return e.module in (nn as unknown as Record<string, unknown>);
}

/** The functional call in paoding, applied to the 1-D tensor named `x`. */
export function tsCall(e: Entry, values: Readonly<Record<string, ParamValue>>, dtype: string, x = 'x'): string {
  const { required, options } = given(e, values);
  const pos = required.map(([, v]) => tsValue(v));
  const opts: [string, string][] = options.map(([c, v]) => [c.key, tsValue(v)]);
  const args = (input: string, extra: [string, string][] = []) => [input, ...pos, tsOptions([...extra, ...opts])].filter((s) => s !== '').join(', ');
  switch (e.form) {
    case 'elementwise':
      return `F.${e.fn}(${args(x)})`;
    case 'weight': {
      const init = values['init'];
      return `F.${e.fn}(${x}, tensor([${tsValue(typeof init === 'number' ? init : 1)}], { dtype: '${dtype}' }))`;
    }
    case 'pair-zero':
      return `F.${e.fn}(${args(`stack([${x}, zerosLike(${x})], 1)`, [['dim', '1']])}).select(1, 0)`;
    case 'pair-same':
      return `F.${e.fn}(${args(`stack([${x}, ${x}], 1)`, [['dim', '1']])}).select(1, 0)`;
    case 'image-pair':
      return `new nn.${e.module}(${tsModuleArgs(e, values)}).forward(stack([${x}, zerosLike(${x})], 1).reshape([-1, 2, 1, 1])).reshape([-1, 2]).select(1, 0)`;
  }
}

/** The functional call in PyTorch, applied to the 1-D tensor named `x`. */
export function torchCall(e: Entry, values: Readonly<Record<string, ParamValue>>, dtype: string, x = 'x'): string {
  const { required, options } = given(e, values);
  const pos = required.map(([c, v]) => pyValue(v, c));
  const kw = options.map(([c, v]) => `${c.torchName}=${pyValue(v, c)}`);
  const args = (input: string, extra: string[] = []) => [input, ...pos, ...extra, ...kw].join(', ');
  switch (e.form) {
    case 'elementwise':
      return `F.${e.id}(${args(x)})`;
    case 'weight': {
      const init = values['init'];
      return `F.${e.id}(${x}, torch.tensor([${pyRepr(typeof init === 'number' ? init : 1)}], dtype=torch.${dtype}))`;
    }
    case 'pair-zero':
      return `F.${e.id}(${args(`torch.stack([${x}, torch.zeros_like(${x})], dim=1)`, ['dim=1'])})[:, 0]`;
    case 'pair-same':
      return `F.${e.id}(${args(`torch.stack([${x}, ${x}], dim=1)`, ['dim=1'])})[:, 0]`;
    case 'image-pair':
      return `nn.${e.module}(${torchModuleArgs(e, values)})(torch.stack([${x}, torch.zeros_like(${x})], dim=1)[:, :, None, None])[:, 0, 0, 0]`;
  }
}

/** The module constructor's arguments in paoding (required ones positional, then options). */
export function tsModuleArgs(e: Entry, values: Readonly<Record<string, ParamValue>>): string {
  const omit = e.act.spec.moduleSetup?.omit ?? [];
  const pos: string[] = [];
  const opts: [string, string][] = [];
  for (const c of e.controls) {
    if (omit.includes(c.key)) continue;
    const v = values[c.key]!;
    if (c.required) pos.push(tsValue(v));
    else if (v !== c.default) opts.push([c.key, tsValue(v)]);
  }
  if (e.form === 'pair-zero' || e.form === 'pair-same') opts.unshift(['dim', '1']);
  return [...pos, tsOptions(opts)].filter((s) => s !== '').join(', ');
}

/** The module constructor's arguments in PyTorch. */
export function torchModuleArgs(e: Entry, values: Readonly<Record<string, ParamValue>>): string {
  const omit = e.act.spec.moduleSetup?.omit ?? [];
  const pos: string[] = [];
  const kw: string[] = [];
  for (const c of e.controls) {
    if (omit.includes(c.key)) continue;
    const v = values[c.key]!;
    if (c.required) pos.push(pyValue(v, c));
    else if (v !== c.default) kw.push(`${c.torchName}=${pyValue(v, c)}`);
  }
  if (e.form === 'pair-zero' || e.form === 'pair-same') kw.unshift('dim=1');
  return [...pos, ...kw].join(', ');
}

/** `new nn.GELU({ approximate: 'tanh' })`. */
export function tsModule(e: Entry, values: Readonly<Record<string, ParamValue>>): string {
  return `new nn.${e.module}(${tsModuleArgs(e, values)})`;
}

/** `nn.GELU(approximate='tanh')`. */
export function torchModule(e: Entry, values: Readonly<Record<string, ParamValue>>): string {
  return `nn.${e.module}(${torchModuleArgs(e, values)})`;
}

/** A JavaScript identifier for an activation or variant key. */
function ident(key: string): string {
  return key.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase()).replace(/^[0-9]/, '_$&');
}

function pyIdent(key: string): string {
  return key.replace(/[^A-Za-z0-9]+/g, '_').replace(/_$/, '');
}

function fmt(n: number): string {
  return String(n);
}

/** The curves' code: f, f', f'' of every selected activation (and variant) by autograd. */
export function curvesCode(s: State, n: number): Snippets {
  const entries = s.acts.map((id) => entry(id));
  const tsLines: string[] = [];
  const pyLines: string[] = [];
  const modulesTs: string[] = [];
  const modulesPy: string[] = [];
  for (const e of entries) {
    const v = paramsOf(s, e.id);
    const call = tsCall(e, v, s.dtype, 't');
    // Random activations draw the same numbers at every call (the explorer's seed, 0).
    tsLines.push(`const ${ident(e.id)} = curves((t) => ${e.random ? `(manualSeed(0), ${call})` : call});`);
    pyLines.push(`${pyIdent(e.id)} = curves(lambda t: ${e.random ? '(torch.manual_seed(0), ' : ''}${torchCall(e, v, s.dtype, 't')}${e.random ? ')[1]' : ''})`);
    if (hasModule(e)) {
      modulesTs.push(tsModule(e, v));
      modulesPy.push(torchModule(e, v));
    }
  }
  for (const key of s.variants) {
    const vr = variant(key);
    if (vr === undefined || !s.acts.includes(vr.base)) continue;
    tsLines.push(`const ${ident(key)} = curves((x) => ${vr.ts}); // ${vr.label}`);
    pyLines.push(`${pyIdent(key)} = curves(lambda x: ${vr.torch})  # ${vr.label}`);
  }
  const body: string[] = [];
  body.push(`const x = linspace(${fmt(s.lo)}, ${fmt(s.hi)}, ${n}, { dtype: '${s.dtype}', requiresGrad: true });`, '');
  body.push("/** f, f' and f'' on the grid, by autograd (createGraph keeps the first derivative differentiable). */");
  body.push('function curves(f: (x: Tensor) => Tensor) {');
  body.push('  const y = f(x);');
  body.push('  const [dy] = autograd.grad(y.sum(), x, { createGraph: true });');
  body.push('  const [d2y] = autograd.grad(dy!.sum(), x, { allowUnused: true });');
  body.push('  return { y: y.tolist(), dy: dy!.tolist(), d2y: d2y?.tolist() };');
  body.push('}', '');
  body.push(...tsLines);
  if (modulesTs.length > 0) body.push('', "// As modules (PyTorch's classes and constructor options):", `const modules = [${modulesTs.join(', ')}];`, 'console.log(modules.map((m) => m.toString()));');
  const ts = [tsImport(body.join('\n'), ['type Tensor']), '', ...body];
  const py: string[] = [];
  py.push('import math', 'import torch', 'import torch.nn as nn', 'import torch.nn.functional as F', '');
  py.push(`x = torch.linspace(${pyRepr(s.lo)}, ${pyRepr(s.hi)}, ${n}, dtype=torch.${s.dtype}, requires_grad=True)`, '');
  py.push('def curves(f):', '    """f, f\' and f\'\' on the grid, by autograd."""', '    y = f(x)');
  py.push('    dy, = torch.autograd.grad(y.sum(), x, create_graph=True)');
  py.push('    d2y, = torch.autograd.grad(dy.sum(), x, allow_unused=True)');
  py.push('    return y, dy, d2y', '');
  py.push(...pyLines);
  if (modulesPy.length > 0) py.push('', 'modules = [' + modulesPy.join(', ') + ']', 'print(modules)');
  return { ts: ts.join('\n') + '\n', torch: py.join('\n') + '\n' };
}

/** The numerics' code: float32 against float64 for the focused activation, and its naive form. */
export function numericsCode(s: State): Snippets {
  const e = entry(s.focus);
  const v = paramsOf(s, e.id);
  const naive = NAIVE[e.id];
  const body = [
    `const x64 = linspace(${fmt(s.nlo)}, ${fmt(s.nhi)}, 801, { dtype: 'float32' }).double();`,
    `const y64 = ${tsCall(e, v, 'float64', 'x64')};`,
    `const y32 = ${tsCall(e, v, 'float32', 'x64.float()')};`,
    '// relative error of float32 against float64:',
    'const rel = y32.double().sub(y64).abs().div(y64.abs().clampMin(2 ** -126));',
    'console.log(rel.max().item());',
    '',
    '// NaN, ±inf and ±0:',
    `console.log(${tsCall(e, v, 'float32', 'tensor([NaN, -Infinity, -0, 0, Infinity])')}.tolist());`,
  ];
  const ts = [tsImport(body.join('\n')), '', ...body];
  const py = [
    'import math',
    'import torch',
    'import torch.nn as nn',
    'import torch.nn.functional as F',
    '',
    `x64 = torch.linspace(${pyRepr(s.nlo)}, ${pyRepr(s.nhi)}, 801, dtype=torch.float32).double()`,
    `y64 = ${torchCall(e, v, 'float64', 'x64')}`,
    `y32 = ${torchCall(e, v, 'float32', 'x64.float()')}`,
    '# relative error of float32 against float64:',
    'rel = (y32.double() - y64).abs() / y64.abs().clamp_min(2.0 ** -126)',
    'print(rel.max().item())',
  ];
  if (naive) {
    py.push('', `# the naive formula, ${naive.text}:`, 'x = x64.float()', `naive = ${naive.torch(v)}`, 'print(((naive.double() - y64).abs() / y64.abs().clamp_min(2.0 ** -126)).max().item())');
  }
  py.push('', '# NaN, +-inf and +-0:', `print(${torchCall(e, v, 'float32', "torch.tensor([math.nan, -math.inf, -0.0, 0.0, math.inf])")})`);
  return { ts: ts.join('\n') + '\n', torch: py.join('\n') + '\n' };
}

const TS_OPTIMIZERS = { sgd: (lr: number) => `new optim.SGD(model.parameters(), { lr: ${lr} })`, momentum: (lr: number) => `new optim.SGD(model.parameters(), { lr: ${lr}, momentum: 0.9 })`, adam: (lr: number) => `new optim.Adam(model.parameters(), { lr: ${lr} })` };
const PY_OPTIMIZERS = { sgd: (lr: number) => `torch.optim.SGD(model.parameters(), lr=${pyRepr(lr)})`, momentum: (lr: number) => `torch.optim.SGD(model.parameters(), lr=${pyRepr(lr)}, momentum=0.9)`, adam: (lr: number) => `torch.optim.Adam(model.parameters(), lr=${pyRepr(lr)})` };

/** The PyTorch form of paoding's synthetic data sets: the same draws from the same generator. */
const PY_DATA: Readonly<Record<string, string[]>> = {
  circle: ['u = uniform(2 * n)', 'r = torch.where(c == 0, 0.5 * u[0::2], 0.7 + 0.3 * u[0::2])', 't = 2 * math.pi * u[1::2]', 'pts = torch.stack([r * torch.cos(t), r * torch.sin(t)], dim=1)'],
  xor: ['u = uniform(3 * n)', 'a, b = 0.1 + 0.9 * u[0::3], 0.1 + 0.9 * u[1::3]', 's = 1.0 - 2.0 * (u[2::3] >= 0.5).double()', 'pts = torch.stack([s * a, torch.where(c == 0, s * b, -s * b)], dim=1)'],
  gaussian: ['w = g_normal(2 * n)', 'm = c.double() - 0.5', 'pts = torch.stack([m + 0.3 * w[0::2], m + 0.3 * w[1::2]], dim=1)'],
  spiral: ['u = uniform(n)', 't = 3.5 * math.pi * u + math.pi * c.double()', 'pts = torch.stack([u * torch.cos(t), u * torch.sin(t)], dim=1)'],
  moons: ['u = uniform(n)', 'a, b = torch.cos(math.pi * u) - 0.5, torch.sin(math.pi * u) - 0.25', 'pts = torch.where((c == 0)[:, None], torch.stack([a, b], dim=1), torch.stack([-a, -b], dim=1))'],
};

/** The playground's training run, as a script. */
export function playgroundCode(s: State, steps: number): Snippets {
  const pg = s.pg;
  const e = entry(pg.act);
  const v = { ...paramsOf({ ...s, params: { [pg.act]: pg.params } }, pg.act) };
  const n = 200;
  const layersTs: string[] = [];
  const layersPy: string[] = [];
  let fanIn = 2;
  for (let i = 0; i < pg.depth; i++) {
    layersTs.push(`  new nn.Linear(${fanIn}, ${pg.width}), ${tsModule(e, v)},`);
    layersPy.push(`    nn.Linear(${fanIn}, ${pg.width}), ${torchModule(e, v)},`);
    fanIn = pg.width;
  }
  layersTs.push(`  new nn.Linear(${fanIn}, 2),`);
  layersPy.push(`    nn.Linear(${fanIn}, 2),`);
  const k = Math.max(steps, 1);
  const batched = pg.batch > 0;
  const ts = [
    `const { x, y } = data.${pg.dataset}(${n}, { noise: ${pg.noise}, seed: ${pg.seed} });`,
    `manualSeed(${pg.seed});`,
    'const model = new nn.Sequential(',
    ...layersTs,
    ');',
    `const opt = ${TS_OPTIMIZERS[pg.optimizer](pg.lr)};`,
  ];
  if (batched) {
    ts.push(`const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: ${pg.batch}, shuffle: true });`);
    ts.push(`let batches = loader[Symbol.iterator]();`);
    ts.push(`for (let step = 0; step < ${k}; step++) {`);
    ts.push('  let next = batches.next();');
    ts.push('  if (next.done) {');
    ts.push('    batches = loader[Symbol.iterator]();');
    ts.push('    next = batches.next();');
    ts.push('  }');
    ts.push('  const [xb, yb] = next.value as [Tensor, Tensor];');
    ts.push('  const loss = F.crossEntropy(model.forward(xb) as Tensor, yb);');
  } else {
    ts.push(`for (let step = 0; step < ${k}; step++) {`);
    ts.push('  const loss = F.crossEntropy(model.forward(x) as Tensor, y);');
  }
  ts.push('  opt.zeroGrad();', '  loss.backward();', '  opt.step();', '}');
  ts.unshift(tsImport(ts.join('\n'), ['type Tensor']), '');
  const py = [
    'import math',
    'import torch',
    'import torch.nn as nn',
    'import torch.nn.functional as F',
    '',
    `# paoding's data.${pg.dataset}(${n}, noise=${pyRepr(pg.noise)}, seed=${pg.seed}): the same draws from the same generator`,
    `n, noise = ${n}, ${pyRepr(pg.noise)}`,
    `g = torch.Generator().manual_seed(${pg.seed})`,
    'uniform = lambda k: torch.empty(k, dtype=torch.float64).uniform_(generator=g)',
    'g_normal = lambda k: torch.empty(k, dtype=torch.float64).normal_(generator=g)',
    'c = torch.arange(n) % 2',
    ...PY_DATA[pg.dataset]!,
    'x = (pts + noise * g_normal(2 * n).reshape(n, 2)).float()',
    'y = c',
    '',
    `torch.manual_seed(${pg.seed})`,
    'model = nn.Sequential(',
    ...layersPy,
    ')',
    `opt = ${PY_OPTIMIZERS[pg.optimizer](pg.lr)}`,
  ];
  if (batched) {
    py.push(`loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=${pg.batch}, shuffle=True)`);
    py.push('batches = iter(loader)');
    py.push(`for step in range(${k}):`);
    py.push('    try:', '        xb, yb = next(batches)', '    except StopIteration:', '        batches = iter(loader)', '        xb, yb = next(batches)');
    py.push('    loss = F.cross_entropy(model(xb), yb)');
  } else {
    py.push(`for step in range(${k}):`, '    loss = F.cross_entropy(model(x), y)');
  }
  py.push('    opt.zero_grad()', '    loss.backward()', '    opt.step()');
  return { ts: ts.join('\n') + '\n', torch: py.join('\n') + '\n' };
}

/** The snippets for the current tab. */
export function codeFor(s: State, opts: { points: number; steps: number }): Snippets {
  if (s.tab === 'numerics') return numericsCode(s);
  if (s.tab === 'playground') return playgroundCode(s, opts.steps);
  return curvesCode(s, opts.points);
}
