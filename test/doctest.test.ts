/**
 * Every `@example` in the TSDoc of `src/` runs here. A `console.log(...)` line followed by a
 * `// comment` must print exactly that comment (a literal `\n` in the comment stands for a line
 * break), so the documented output cannot drift from what the library does.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { formatWithOptions } from 'node:util';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as lib from '../src/index.js';
import { setDefaultDtype } from '../src/index.js';
import { setWarningHandler } from '../src/util/warn.js';

const ROOT = join(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

interface Example {
  file: string;
  line: number;
  code: string;
}

/** The ```ts blocks inside /** ... *\/ comments, with their line numbers. */
function examples(file: string): Example[] {
  const text = readFileSync(file, 'utf8');
  const out: Example[] = [];
  const lines = text.split('\n');
  let inDoc = false;
  let block: string[] | null = null;
  let start = 0;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line.startsWith('/**')) inDoc = true;
    if (inDoc) {
      const body = line.replace(/^\/?\*+\/?\s?/, '');
      if (block === null && /^```ts\b/.test(body)) {
        block = [];
        start = i + 2;
      } else if (block !== null && body.startsWith('```')) {
        out.push({ file, line: start, code: block.join('\n') });
        block = null;
      } else if (block !== null) {
        // Keep the example's own indentation (after the ' * ' prefix).
        block.push(raw.replace(/^\s*\* ?/, ''));
      }
    }
    if (line.endsWith('*/')) {
      inDoc = false;
      block = null;
    }
  });
  return out;
}

/**
 * The ```ts blocks of a Markdown file. A comment block right after a `console.log(...)` line
 * (lines starting with `// `) is its expected output, one comment line per printed line.
 */
function markdownExamples(file: string): Example[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: Example[] = [];
  let block: string[] | null = null;
  let start = 0;
  lines.forEach((l, i) => {
    if (block === null && l.trim() === '```ts') {
      block = [];
      start = i + 2;
    } else if (block !== null && l.trim() === '```') {
      out.push({ file, line: start, code: foldOutputComments(block).join('\n') });
      block = null;
    } else if (block !== null) block.push(l);
  });
  return out;
}

/** `console.log(a);` followed by `// line 1` and `// line 2` becomes `console.log(a); // line 1\nline 2`. */
function foldOutputComments(lines: string[]): string[] {
  const out: string[] = [];
  for (const l of lines) {
    const prev = out[out.length - 1];
    if (prev !== undefined && /^\s*\/\/ /.test(l) && /console\.log\(.*\);( \/\/ .*)?$/.test(prev)) {
      const text = l.replace(/^\s*\/\/ /, '');
      out[out.length - 1] = / \/\/ /.test(prev) ? `${prev}\\n${text}` : `${prev} // ${text}`;
    } else out.push(l);
  }
  return out;
}

/** Turn an example into a function of its scope that records every console.log by line. */
function compile(code: string): { js: string; expected: Map<number, string> } {
  const expected = new Map<number, string>();
  const lines = code.split('\n').map((l, i) => {
    if (/^\s*import\b/.test(l)) return '';
    const m = /console\.log\((.*)\);\s*\/\/ (.*)$/.exec(l);
    if (m) expected.set(i, m[2]!.trim());
    return l.replace(/console\.log\(/g, `__log(${i}, `);
  });
  const js = ts.transpileModule(lines.join('\n'), {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, useDefineForClassFields: true },
  }).outputText;
  return { js, expected };
}

const files = sources(join(ROOT, 'src')).filter((f) => !f.endsWith('.d.ts'));
const all = [...files.flatMap(examples), ...markdownExamples(join(ROOT, 'README.md'))];

describe('documentation examples', () => {
  it('finds examples throughout the sources', () => {
    expect(all.length).toBeGreaterThan(60);
  });

  for (const ex of all) {
    it(`${relative(ROOT, ex.file)}:${ex.line} runs and prints what it says`, async () => {
      const mod = ex.file.endsWith('.ts') ? ((await import(ex.file)) as Record<string, unknown>) : {};
      const scope: Record<string, unknown> = { ...lib, ...mod };
      const { js, expected } = compile(ex.code);
      const printed = new Map<number, string>();
      const log = (line: number, ...args: unknown[]): void => {
        if (!printed.has(line)) printed.set(line, formatWithOptions({ depth: 6, breakLength: Infinity }, ...args));
      };
      const names = Object.keys(scope).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k));
      const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...a: string[]) => (...v: unknown[]) => Promise<void>;
      // A block lets the example declare names that shadow the scope's.
      const run = new AsyncFunction('__log', ...names, `{\n${js}\n}`);
      setWarningHandler(() => undefined);
      try {
        lib.manualSeed(0);
        await run(log, ...names.map((n) => scope[n]));
      } finally {
        setWarningHandler(undefined);
        setDefaultDtype('float32');
      }
      for (const [line, want] of expected) {
        const got = printed.get(line);
        expect(got, `console.log on example line ${line + 1} never ran`).toBeDefined();
        expect(got!.replace(/\n/g, '\\n')).toBe(want);
      }
    });
  }
});
