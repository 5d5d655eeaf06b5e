/// <reference types="node" />
/**
 * User-defined activations from module paths (`--activations ./my_act.js`): the module's
 * default export, or its one named export, that is a `defineActivation` result (pick one of
 * several with `./acts.js#name`). It is registered like a built-in activation and then goes
 * through the same door (the registry and its module class).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Activation } from '../../activations/define.js';
import { get, has, register } from '../../activations/registry.js';
import { LabError } from '../errors.js';
import { splitToken } from '../activation.js';

function isActivation(v: unknown): v is Activation {
  const a = v as Activation | null;
  return typeof a === 'object' && a !== null && typeof a.id === 'string' && typeof a.spec === 'object' && typeof a.Module === 'function' && typeof a.call === 'function';
}

/** Load the modules named in activation tokens; returns head (path as written) → id and absolute path. */
export async function loadUserActivations(tokens: readonly string[]): Promise<Map<string, { id: string; path: string }>> {
  const out = new Map<string, { id: string; path: string }>();
  for (const token of tokens) {
    const { head, isPath } = splitToken(token);
    if (!isPath || out.has(head)) continue;
    const [file, pick] = head.split('#') as [string, string | undefined];
    const abs = resolve(file.startsWith('file:') ? new URL(file).pathname : file);
    if (!existsSync(abs)) throw new LabError(`activation module ${file} not found (resolved to ${abs})`);
    const id = await loadOne(abs, pick, file);
    out.set(head, { id, path: pick ? `${abs}#${pick}` : abs });
  }
  return out;
}

/** Import one module (absolute path, optional export name) and register its activation; returns its id. */
export async function loadOne(abs: string, pick: string | undefined, shown = abs): Promise<string> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (e) {
    throw new LabError(`cannot load activation module ${shown}: ${(e as Error).message.split('\n')[0]}`);
  }
  let act: Activation | undefined;
  if (pick) {
    act = isActivation(mod[pick]) ? (mod[pick] as Activation) : undefined;
    if (!act) throw new LabError(`activation module ${shown} has no export '${pick}' made by defineActivation`);
  } else if (isActivation(mod['default'])) act = mod['default'] as Activation;
  else {
    const named = Object.entries(mod).filter(([, v]) => isActivation(v));
    if (named.length === 0) throw new LabError(`activation module ${shown} exports no defineActivation result (export one, as default or named)`);
    if (named.length > 1) throw new LabError(`activation module ${shown} exports several activations (${named.map(([k]) => k).join(', ')}); pick one as ${shown}#name`);
    act = named[0]![1] as Activation;
  }
  if (has(act.id) && get(act.id) !== act) {
    throw new LabError(`activation module ${shown} declares id '${act.id}', which another activation already has; give it a new id`);
  }
  register(act);
  return act.id;
}
