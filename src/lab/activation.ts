/**
 * Which activations the lab runs: `relu`, `leaky_relu:0.2`, `softplus:beta=2,threshold=10`,
 * `gelu:tanh`, or a user module (`./my_act.js`, `./my_act.js:beta=2`) that exports a
 * `defineActivation` result. Every choice goes through the registry and the activation's own
 * module class, the same door the built-in activations use.
 */
import { get, has, list } from '../activations/registry.js';
import type { Activation } from '../activations/define.js';
import { snakeCase } from '../activations/define.js';
import type { ActivationSpec, ParamSpec, ParamSpecs } from '../activations/spec.js';
import type { Module } from '../nn/module.js';
import { LabError } from './errors.js';

/** One activation as the lab uses it: plain data, so it can be sent to a worker. */
export interface ActivationChoice {
  /** The token as given on the command line (or built). */
  token: string;
  /** The registry id. */
  id: string;
  /** A short display label: `relu`, `leaky_relu(0.2)`, `softplus(beta=2, threshold=10)`. */
  label: string;
  /** The module constructor options (parameter names camelCased). */
  options: Record<string, number | string | boolean>;
  /** The module a user-defined activation came from (absolute path), to load it in workers. */
  modulePath?: string;
}

/** Whether an activation can be a hidden layer's nonlinearity: elementwise, shape-preserving. */
export function labCompatible(a: Activation): string | undefined {
  const spec = a.spec as ActivationSpec;
  const kind = spec.kind ?? 'elementwise';
  if (kind === 'dim') return `'${a.id}' normalises along a dimension, it is not an elementwise activation for hidden layers`;
  if (kind === 'gated') return `'${a.id}' halves its input (a gated unit), it is not an elementwise activation for hidden layers`;
  if ('dim' in spec.params) return `'${a.id}' works along a dimension, it is not an elementwise activation for hidden layers`;
  return undefined;
}

/** The activations `all` stands for: every registered elementwise activation that needs no parameter. */
export function allCompatible(): string[] {
  return list()
    .filter((a) => labCompatible(a) === undefined && moduleParams(a.spec as ActivationSpec).every(([, p]) => p.default !== undefined))
    .map((a) => a.id);
}

/** The options a module constructor takes (the functional parameters except tensors, plus the setup's). */
function moduleParams(spec: ActivationSpec): [string, ParamSpec][] {
  const setup = spec.moduleSetup;
  const own = Object.entries(spec.params as ParamSpecs).filter(([k, p]) => p.type !== 'tensor' && !(setup?.omit ?? []).includes(k));
  return [...own, ...Object.entries(setup?.params ?? {})];
}

/** Split a `--activations` value into tokens: commas separate activations, except inside one's parameters. */
export function splitActivationList(value: string): string[] {
  const out: string[] = [];
  for (const raw of value.split(',')) {
    const piece = raw.trim();
    if (piece === '') continue;
    const prev = out[out.length - 1];
    // `threshold=10` or `2` after `softplus:beta=2` / `hardtanh:-2` continues that activation.
    const continues = prev !== undefined && hasParams(prev) && (/^[A-Za-z_][\w]*=/.test(piece) || isScalar(piece)) && !has(piece);
    if (continues) out[out.length - 1] = `${prev},${piece}`;
    else out.push(piece);
  }
  return out;
}

function isScalar(s: string): boolean {
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s) || s === 'true' || s === 'false' || s === 'inf' || s === '-inf';
}

/** Whether a token has a parameter part (`id:...` or `path.js:...`). */
function hasParams(token: string): boolean {
  return splitToken(token).params !== undefined;
}

/** `leaky_relu:0.2` → id and parameter text; `./a/b.js:beta=2` → path and parameter text. */
export function splitToken(token: string): { head: string; params: string | undefined; isPath: boolean } {
  const isPath = /^(\.{1,2}\/|\/|file:)/.test(token) || /\.(m?js|cjs|ts|mts)(#|:|$)/.test(token);
  if (isPath) {
    const m = /^(.*\.(?:m?js|cjs|ts|mts)(?:#[A-Za-z_$][\w$]*)?)(?::(.*))?$/.exec(token);
    if (m) return { head: m[1]!, params: m[2], isPath };
    return { head: token, params: undefined, isPath };
  }
  const i = token.indexOf(':');
  return i < 0 ? { head: token, params: undefined, isPath } : { head: token.slice(0, i), params: token.slice(i + 1), isPath };
}

function parseValue(text: string, key: string, p: ParamSpec, id: string): number | string | boolean {
  const name = snakeCase(key);
  switch (p.type) {
    case 'float':
    case 'int': {
      const v = text === 'inf' ? Infinity : text === '-inf' ? -Infinity : Number(text);
      if (text.trim() === '' || Number.isNaN(v)) throw new LabError(`activation ${id}: ${name} must be a number, got '${text}'`);
      if (p.type === 'int' && !Number.isInteger(v)) throw new LabError(`activation ${id}: ${name} must be an integer, got '${text}'`);
      if (p.range && (v < p.range[0] || v > p.range[1])) {
        throw new LabError(`activation ${id}: ${name}=${text} is out of range [${p.range[0]}, ${p.range[1]}]`);
      }
      return v;
    }
    case 'bool':
      if (text !== 'true' && text !== 'false') throw new LabError(`activation ${id}: ${name} must be true or false, got '${text}'`);
      return text === 'true';
    case 'choice':
      if (!p.choices!.includes(text)) throw new LabError(`activation ${id}: ${name} must be one of ${p.choices!.join(', ')}, got '${text}'`);
      return text;
    default:
      throw new LabError(`activation ${id}: parameter ${name} cannot be set from the command line`);
  }
}

/**
 * Parse the parameter part of a token against an activation's module parameters. Positional
 * values fill the float, choice and bool parameters in declaration order (`leaky_relu:0.2`,
 * `hardtanh:-2,2`, `gelu:tanh`); others are named (`prelu:num_parameters=1,init=0.1`), in
 * snake_case or camelCase.
 */
export function parseParams(a: Activation, text: string | undefined): Record<string, number | string | boolean> {
  const params = moduleParams(a.spec as ActivationSpec);
  const out: Record<string, number | string | boolean> = {};
  if (text === undefined) return out;
  if (text.trim() === '') throw new LabError(`activation ${a.id}: empty parameter list after ':'`);
  const positional = params.filter(([, p]) => p.type === 'float' || p.type === 'choice' || p.type === 'bool');
  let next = 0;
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    let key: string;
    let value: string;
    if (eq >= 0) {
      const name = part.slice(0, eq).trim();
      const found = params.find(([k, p]) => k === name || snakeCase(k) === name || p.torchName === name);
      if (!found) {
        const names = params.map(([k]) => snakeCase(k));
        throw new LabError(`activation ${a.id}: unknown parameter '${name}' (${names.length ? `parameters: ${names.join(', ')}` : 'it has no parameters'})`);
      }
      key = found[0];
      value = part.slice(eq + 1).trim();
    } else {
      const slot = positional[next++];
      if (!slot) {
        throw new LabError(
          positional.length === 0
            ? `activation ${a.id}: takes no positional parameters, got '${part}'`
            : `activation ${a.id}: too many values (parameters: ${positional.map(([k]) => snakeCase(k)).join(', ')})`,
        );
      }
      key = slot[0];
      value = part.trim();
    }
    if (key in out) throw new LabError(`activation ${a.id}: ${snakeCase(key)} given twice`);
    out[key] = parseValue(value, key, params.find(([k]) => k === key)![1], a.id);
  }
  return out;
}

/** A compact label: `leaky_relu(0.2)`, `softplus(beta=2, threshold=10)`. */
export function labelFor(id: string, options: Record<string, number | string | boolean>): string {
  const entries = Object.entries(options);
  if (entries.length === 0) return id;
  if (entries.length === 1) return `${id}(${String(entries[0]![1])})`;
  return `${id}(${entries.map(([k, v]) => `${snakeCase(k)}=${String(v)}`).join(', ')})`;
}

/**
 * Resolve one token against the registry (user modules must already be loaded and registered;
 * `modulePath` records where one came from). Checks that the activation suits a hidden layer and
 * that a module can be built with the options.
 */
export function resolveActivation(token: string, loaded: ReadonlyMap<string, { id: string; path: string }> = new Map()): ActivationChoice {
  const { head, params, isPath } = splitToken(token.trim());
  let id: string;
  let modulePath: string | undefined;
  if (isPath) {
    const mod = loaded.get(head);
    if (!mod) throw new LabError(`activation module ${head} was not loaded`);
    id = mod.id;
    modulePath = mod.path;
  } else {
    id = head;
    if (!/^[a-z][a-z0-9_]*$/.test(id) || !has(id)) {
      const known = list()
        .filter((x) => labCompatible(x) === undefined)
        .map((x) => x.id)
        .sort()
        .join(', ');
      throw new LabError(`unknown activation '${head}' (known: ${known}; or a module path such as ./my_act.js)`);
    }
  }
  const a = get(id);
  const bad = labCompatible(a);
  if (bad) throw new LabError(`activation ${token}: ${bad}`);
  const options = parseParams(a, params);
  try {
    createModule({ token, id, label: id, options });
  } catch (e) {
    throw new LabError(`activation ${token}: ${(e as Error).message}`);
  }
  return { token, id, label: labelFor(id, options), options, ...(modulePath ? { modulePath } : {}) };
}

/** A fresh module for the choice (`new activation.Module(options)`). */
export function createModule(choice: ActivationChoice): Module {
  const a = get(choice.id);
  return new a.Module({ ...choice.options }) as unknown as Module;
}

/** The registry entry of a choice. */
export function activationOf(choice: ActivationChoice): Activation {
  return get(choice.id);
}

/** Make labels unique when the same activation appears with different parameters or twice. */
export function uniqueLabels(choices: ActivationChoice[]): ActivationChoice[] {
  const seen = new Map<string, number>();
  return choices.map((c) => {
    const n = seen.get(c.label) ?? 0;
    seen.set(c.label, n + 1);
    return n === 0 ? c : { ...c, label: `${c.label}#${n + 1}` };
  });
}
