/**
 * `paoding explore`: serve the activation explorer (dist/explorer, built by `npm run build`)
 * from a small local static server, and print its address. Node-only.
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const USAGE = `usage: paoding explore [--port N] [--host ADDRESS] [--open]

Serve the activation explorer on a local web server and print its address.

options:
  --port N        port to listen on (default 8765; 0 picks a free one)
  --host ADDRESS  address to bind (default 127.0.0.1; 0.0.0.0 to share on the network)
  --open          open the page in the default browser
  --dir PATH      serve another build of the explorer (default: the package's own)
  -h, --help      show this help`;

/** MIME types of the files the explorer consists of. */
export const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Where the built page is: dist/explorer beside dist/cli when running from the package, or the
 * repository's dist/explorer when running from src/cli (with tsx).
 */
export function defaultRoot(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', 'explorer'), join(here, '..', '..', 'dist', 'explorer')];
  return candidates.find((d) => existsSync(join(d, 'index.html')) && existsSync(join(d, 'app.js')));
}

export interface ServeOptions {
  root: string;
  port?: number;
  host?: string;
}

export interface Served {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Serve `root` read-only: GET and HEAD of files inside it, `/` as index.html. */
export function serve(opts: ServeOptions): Promise<Served> {
  const root = resolve(opts.root);
  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('method not allowed\n');
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('bad request\n');
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = resolve(root, `.${path}`);
    if ((file !== root && !file.startsWith(root + sep)) || path.includes('\0')) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('forbidden\n');
      return;
    }
    fs.readFile(file).then(
      (body) => {
        res.writeHead(200, {
          'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
          'Content-Length': body.length,
          'Cache-Control': 'no-cache',
          'X-Content-Type-Options': 'nosniff',
        });
        res.end(method === 'HEAD' ? undefined : body);
      },
      () => {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`not found: ${path}\n`);
      },
    );
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 8765, opts.host ?? '127.0.0.1', () => {
      server.off('error', fail);
      const a = server.address() as AddressInfo;
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      ok({
        server,
        url: `http://${host}:${a.port}/`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/** Open a URL in the desktop's browser (best effort). */
function openBrowser(url: string): void {
  const platform = process.platform;
  const [cmd, args] = platform === 'darwin' ? ['open', [url]] : platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => console.error(`paoding explore: could not open a browser (${cmd}); open ${url} yourself`));
    child.unref();
  } catch {
    console.error(`paoding explore: could not open a browser; open ${url} yourself`);
  }
}

/** `paoding explore [--port N] [--host ADDRESS] [--open]`. */
export async function main(args: string[]): Promise<number> {
  let values: { port?: string; host?: string; open?: boolean; dir?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        open: { type: 'boolean' },
        dir: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    console.error(`paoding explore: ${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = values.port === undefined ? 8765 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`paoding explore: --port must be an integer between 0 and 65535, got '${values.port}'`);
    return 2;
  }
  const root = values.dir !== undefined ? resolve(values.dir) : defaultRoot();
  if (root === undefined || !existsSync(join(root, 'index.html'))) {
    console.error(`paoding explore: the explorer is not built${root ? ` (no index.html in ${root})` : ''}; run 'npm run build' in the paoding repository`);
    return 1;
  }
  let served: Served;
  try {
    served = await serve({ root, port, host: values.host ?? '127.0.0.1' });
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'EADDRINUSE' ? `port ${port} is in use (try --port 0 for a free one)` : e instanceof Error ? e.message : String(e);
    console.error(`paoding explore: cannot listen: ${why}`);
    return 1;
  }
  console.log(`paoding explorer: ${served.url}`);
  console.log('(Ctrl-C to stop)');
  if (values.open) openBrowser(served.url);
  return new Promise<number>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void served.close().then(() => done(0));
      // Keep-alive connections would hold close() open; the process is ending anyway.
      served.server.closeAllConnections?.();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
