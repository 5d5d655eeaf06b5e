#!/usr/bin/env node
/**
 * The `paoding` command: `paoding lab <experiment>`, `paoding advise`, `paoding explore`,
 * `paoding bench`. Node-only; the library entry never imports it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const USAGE = `usage: paoding <command> [options]

commands:
  lab <experiment>   put the textbook claims about activations to the test
                     (race, gradients, dying, propagation, batchnorm, cost, all)
  advise             the rules of thumb, checked against the latest (or quick) runs
  explore            serve the activation explorer in the browser
  bench              benchmark the activations against the peers
  version            print the version

Run 'paoding <command> --help' for a command's options.`;

type Command = (args: string[]) => Promise<number>;

/** Each command lives in its own module, loaded only when used. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  lab: async () => (await import('./lab.js')).main,
  advise: async () => (await import('./advise.js')).main,
  explore: async () => (await import('./explore.js')).main,
  bench: async () => (await import('./bench.js')).main,
};

async function run(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(USAGE);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === 'version' || cmd === '--version') {
    const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../package.json'), 'utf8')) as { version: string };
    console.log(pkg.version);
    return 0;
  }
  const load = COMMANDS[cmd];
  if (load === undefined) {
    console.error(`paoding: unknown command '${cmd}' (expected one of ${Object.keys(COMMANDS).join(', ')}, version)`);
    return 2;
  }
  return (await load())(rest);
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // One clear line for the user; the stack only when asked for.
    console.error(`paoding: ${e instanceof Error ? e.message : String(e)}`);
    if (process.env['PAODING_DEBUG']) console.error(e);
    process.exitCode = 1;
  },
);
