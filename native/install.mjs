#!/usr/bin/env node
/**
 * paoding's install step: build the native backend's addon with node-gyp (npm's own copy), and
 * never fail the install. Without a compiler, python3 or make, or without Node's headers on this
 * machine, it prints one line and paoding runs on WebAssembly instead (it says so once at run
 * time). Nothing is downloaded: node-gyp is pointed at the local headers (`--nodedir`), and when
 * there are none the build is skipped.
 *
 *   node native/install.mjs [--verbose]      (npm runs it as the package's install script)
 *
 * Environment: PAODING_SKIP_NATIVE=1 skips the build; the compiler comes from CC/CXX as usual.
 * The build's output goes to native/build.log.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const verbose = process.argv.includes('--verbose');
const say = (line) => console.log(`paoding: ${line}`);

function main() {
  if (process.env.PAODING_SKIP_NATIVE) {
    say('native backend not built (PAODING_SKIP_NATIVE is set); paoding will use WebAssembly.');
    return;
  }
  if (!existsSync(join(here, 'binding.gyp'))) return; // not a source checkout or package: nothing to build
  const gyp = findNodeGyp();
  if (gyp === undefined) {
    say('native backend not built (node-gyp not found); paoding will use WebAssembly.');
    return;
  }
  const nodedir = findHeaders();
  if (nodedir === null) {
    say(`native backend not built (no Node ${process.version} headers on this machine, and nothing is downloaded at install); paoding will use WebAssembly.`);
    return;
  }
  const args = [gyp, 'rebuild', `--directory=${here}`, '--jobs=max', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
  const started = Date.now();
  const r = spawnSync(process.execPath, args, {
    cwd: here,
    encoding: 'utf8',
    stdio: verbose ? 'inherit' : 'pipe',
    env: { ...process.env, npm_config_offline: 'true' },
  });
  const log = `${process.execPath} ${args.join(' ')}\n\n${r.stdout ?? ''}\n${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}\n`;
  try {
    writeFileSync(join(here, 'build.log'), log);
  } catch {
    // A read-only install location: the log is a convenience only.
  }
  const built = join(here, 'build', 'Release', 'paoding_native.node');
  if (r.status === 0 && existsSync(built)) {
    say(`native backend built in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
    return;
  }
  say(`native backend not built (${reason(`${r.stderr ?? ''}\n${r.stdout ?? ''}`, r)}; details in native/build.log); paoding will use WebAssembly.`);
}

/** One line saying why node-gyp failed. */
function reason(output, r) {
  if (/find any Python|Python is not set|python.*not found/i.test(output)) return 'python3 not found';
  if (/not found: make|make: not found|spawn make ENOENT/i.test(output)) return 'make not found';
  if (/`make` failed/.test(output)) return `the C compiler failed (CC=${process.env.CC || 'cc'}, CXX=${process.env.CXX || 'c++'})`;
  const stack = /gyp ERR! stack (Error: [^\n]*)/.exec(output)?.[1];
  return (stack ?? r.error?.message ?? `node-gyp exited with ${r.status}`).trim().slice(0, 160);
}

/** npm's node-gyp (npm passes its path to scripts), or one resolvable from here. */
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  if (process.env.npm_execpath) candidates.push(join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed as a package
  }
  return candidates.find((c) => existsSync(c));
}

/**
 * Where node-gyp finds this Node's headers without downloading: npm's `nodedir` setting, the
 * prefix of this Node binary (`<prefix>/include/node`, as Debian and the official tarballs lay
 * it out), or node-gyp's cache of an earlier download (then no flag is needed: ''). null: none.
 */
function findHeaders() {
  const configured = process.env.npm_config_nodedir;
  if (configured && existsSync(join(configured, 'include', 'node', 'node_api.h'))) return configured;
  const prefix = join(dirname(process.execPath), '..');
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) return prefix;
  const version = process.version.slice(1);
  const caches = [
    process.env.npm_config_devdir && join(process.env.npm_config_devdir, version),
    join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'node-gyp', version),
    join(homedir(), '.node-gyp', version),
  ].filter(Boolean);
  if (caches.some((d) => existsSync(join(d, 'include', 'node', 'node_api.h')))) return '';
  return null;
}

try {
  main();
} catch (e) {
  say(`native backend not built (${e instanceof Error ? e.message : String(e)}); paoding will use WebAssembly.`);
}
process.exitCode = 0;
