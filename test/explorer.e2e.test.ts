/**
 * The explorer in a real browser: `paoding explore` (the built CLI) serves dist/explorer, and
 * Debian's Chromium, driven by playwright-core, selects activations, moves a parameter with the
 * keyboard, checks that the plotted values are the library's (computed here in Node), reloads
 * from the URL, reads the numerics and the code, trains the playground and takes screenshots
 * (test/screenshots/, git-ignored) at desktop and phone widths.
 *
 * Skipped when /usr/bin/chromium is absent (`apt-get install chromium`; .ci/run installs it).
 * Needs `npm run build` first, which `npm test` runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activations, autograd, F, linspace, onesLike, type Tensor } from '../src/index.js';
import { Trainer } from '../src/explorer/playground.js';
import { defaultState } from '../src/explorer/state.js';
import type { ExplorerHook } from '../src/explorer/main.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHOTS = join(ROOT, 'test', 'screenshots');
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];

type Plotted = ReturnType<ExplorerHook['curves']>[number];

/** f, f', f'' on the explorer's grid, by the library in Node. */
function expected(f: (x: Tensor) => Tensor, lo = -6, hi = 6, n = 401): { x: number[]; y: number[]; dy: number[]; d2y: number[] } {
  const x = linspace(lo, hi, n, { dtype: 'float64', requiresGrad: true });
  const y = f(x);
  const [dy] = autograd.grad(y, x, { gradOutputs: onesLike(y), createGraph: true });
  const [d2y] = autograd.grad(dy!, x, { gradOutputs: onesLike(dy!), allowUnused: true });
  const list = (t: Tensor | null | undefined) => (t ? Array.from(t.detach().toTypedArray() as Float64Array) : new Array<number>(n).fill(0));
  return { x: list(x), y: list(y), dy: list(dy), d2y: list(d2y) };
}

describe.skipIf(!existsSync(CHROMIUM))('the explorer in Chromium', () => {
  let server: ChildProcess | undefined;
  let url = '';
  let userDir = '';
  let ctx: BrowserContext;
  let page: Page;
  const requests: string[] = [];
  const errors: string[] = [];

  const hook = <T>(f: (e: ExplorerHook) => T): Promise<T> =>
    page.evaluate(`(${f.toString()})(window.__explorer)`) as Promise<T>;
  const renders = () => page.evaluate(() => window.__explorer!.renders);
  const afterRender = (before: number) => page.waitForFunction((n) => window.__explorer!.renders > n, before, { timeout: 15_000 });
  const ready = () => page.waitForFunction(() => window.__explorer?.ready === true, null, { timeout: 20_000 });
  const curve = async (key: string): Promise<Plotted> => (await hook((e) => e.curves())).find((c) => c.key === key)!;
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    for (const f of ['dist/cli/main.js', 'dist/explorer/app.js', 'dist/explorer/index.html']) {
      if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run 'npm run build' first (npm test does)`);
    }
    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(join(SHOTS, '.gitignore'), '*\n');
    const proc = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'explore', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    server = proc;
    url = await new Promise<string>((ok, fail) => {
      let out = '';
      const timer = setTimeout(() => fail(new Error(`paoding explore printed no address: ${out}`)), 15_000);
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /paoding explorer: (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          ok(m[1]!);
        }
      });
      proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      proc.on('exit', (code) => fail(new Error(`paoding explore exited (${code}): ${out}`)));
    });
    userDir = mkdtempSync(join(tmpdir(), 'paoding-chromium-'));
    ctx = await chromium.launchPersistentContext(userDir, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 900 } });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
  }, 60_000);

  afterAll(async () => {
    await ctx?.close();
    server?.kill('SIGTERM');
    if (userDir) rmSync(userDir, { recursive: true, force: true });
  });

  it('serves the page from `paoding explore`', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    await page.goto(`${url}#a=gelu`);
    await ready();
    expect(await page.title()).toBe('paoding explorer');
    expect((await hook((e) => e.curves())).map((c) => c.key)).toEqual(['gelu']);
  }, 30_000);

  it("selects activations, moves a parameter by keyboard, and plots the library's values", async () => {
    let n = await renders();
    await page.selectOption('#add-act', 'leaky_relu');
    await afterRender(n);
    expect((await hook((e) => e.state())).acts).toEqual(['gelu', 'leaky_relu']);
    // The slider has the declared range [0, 0.5] and PyTorch's default 0.01; four steps of 0.005 right.
    const slider = page.locator('#p-leaky_relu-negativeSlope');
    expect(await slider.inputValue()).toBe('0.01');
    await slider.focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => window.__explorer!.state().params['leaky_relu']?.['negativeSlope'] === 0.03);
    await page.waitForFunction(() => window.__explorer!.curves().find((c) => c.key === 'leaky_relu')?.y[0] === -0.18);
    expect(await page.locator('#p-leaky_relu-negativeSlope-value').inputValue()).toBe('0.03');

    const leaky = await curve('leaky_relu');
    const want = expected((x) => F.leakyRelu(x, { negativeSlope: 0.03 }));
    expect(leaky.x).toEqual(want.x);
    expect(leaky.y).toEqual(want.y);
    expect(leaky.dy).toEqual(want.dy);
    expect(leaky.d2y).toEqual(want.d2y);
    const ref = activations.get('leaky_relu').spec.reference as unknown as (x: number, p: { negativeSlope: number }) => number;
    leaky.x.forEach((x, i) => expect(leaky.y[i]).toBeCloseTo(ref(x, { negativeSlope: 0.03 }), 14));
    // The finite differences beside them agree away from the kink at 0.
    leaky.x.forEach((x, i) => {
      if (Math.abs(x) > 1e-3) expect(Math.abs(leaky.fd1[i]! - leaky.dy[i]!)).toBeLessThan(1e-8);
    });

    n = await renders();
    await page.selectOption('#p-gelu-approximate', 'tanh');
    await afterRender(n);
    const gelu = await curve('gelu');
    const g = expected((x) => F.gelu(x, { approximate: 'tanh' }));
    for (const k of ['y', 'dy', 'd2y'] as const) gelu[k].forEach((v, i) => expect(Math.abs(v - g[k][i]!)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(g[k][i]!))));

    // A variant other frameworks use, overlaid.
    n = await renders();
    await page.check('#var-gelu-quick');
    await afterRender(n);
    const quick = await curve('gelu:quick');
    expect(quick.y[300]).toBeCloseTo(quick.x[300]! / (1 + Math.exp(-1.702 * quick.x[300]!)), 14);
    // The plots are drawn: one path per line, dots for the finite differences.
    expect(await page.locator('#plot-f path.line').count()).toBe(3);
    expect(await page.locator('#plot-d1 .dots').count()).toBe(2);
    expect(await page.locator('#readout tbody tr').count()).toBe(3);
    await shot('desktop-curves');
  }, 30_000);

  it('keeps the state in the URL: a reload restores the view', async () => {
    await page.waitForFunction(() => location.hash.includes('v=gelu:quick'));
    const hash = await page.evaluate(() => location.hash);
    expect(hash).toContain('a=gelu,leaky_relu');
    expect(hash).toContain('p.leaky_relu.negativeSlope=0.03');
    expect(hash).toContain('p.gelu.approximate=tanh');
    expect(hash).toContain('v=gelu:quick');
    const before = await hook((e) => e.curves());
    await page.reload();
    await ready();
    const after = await hook((e) => e.curves());
    expect(after.map((c) => c.key)).toEqual(before.map((c) => c.key));
    expect(after.map((c) => c.y)).toEqual(before.map((c) => c.y));
    expect(await page.locator('#p-leaky_relu-negativeSlope').inputValue()).toBe('0.03');
    expect(await page.locator('#p-gelu-approximate').inputValue()).toBe('tanh');
  }, 30_000);

  it('is operable from the keyboard, with a name on every control', async () => {
    const unnamed = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('input, select, button, textarea'))
        .filter((el) => {
          const labels = (el as HTMLInputElement).labels;
          return !((labels && labels.length > 0) || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent!.trim() !== ''));
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unnamed).toEqual([]);
    // From the top of a freshly loaded page: the skip link, then the selected tab.
    await page.reload();
    await ready();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-curves');
    const n = await renders();
    await page.keyboard.press('ArrowRight');
    await afterRender(n);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-numerics');
    expect(await page.locator('#panel-numerics').isVisible()).toBe(true);
    expect(await page.locator('#panel-curves').isVisible()).toBe(false);
  }, 30_000);

  it('shows float32 against float64, the naive formula, and special values', async () => {
    const profile = (await hook((e) => e.numerics()))!;
    expect(profile.id).toBe('gelu');
    expect(profile.series.map((s) => s.key)).toEqual(['paoding32', 'formula32', 'naive64', 'naive32']);
    expect(profile.series.find((s) => s.key === 'naive32')!.max).toBeGreaterThan(0.5);
    expect(await page.locator('#num-naive').textContent()).toContain('cancels');
    const n = await renders();
    await page.selectOption('#num-act', 'relu');
    await afterRender(n);
    const specials = await hook((e) => e.specials());
    const relu = specials['relu'] as { x: number; y: number; dy: number }[];
    expect(Object.is(relu.find((r) => Object.is(r.x, -0))!.y, -0)).toBe(true);
    expect(Number.isNaN(relu[0]!.y)).toBe(true);
    expect(relu.find((r) => r.x === Infinity)!.y).toBe(Infinity);
    expect(await page.locator('#specials tr[data-id="relu"] td').nth(2).textContent()).toBe('−0 / 0');
    expect(Object.keys(specials)).toEqual(['gelu', 'leaky_relu', 'relu']);
    await shot('desktop-numerics');
  }, 30_000);

  it('shows the TypeScript and the PyTorch for the selection', async () => {
    await page.click('#tab-curves');
    await page.click('#show-code');
    await page.waitForSelector('#code-panel', { state: 'visible' });
    const torch = await page.locator('#code-torch').textContent();
    const ts = await page.locator('#code-ts').textContent();
    expect(torch).toContain('F.leaky_relu(t, negative_slope=0.03)');
    expect(torch).toContain('nn.LeakyReLU(negative_slope=0.03)');
    expect(torch).toContain("F.gelu(t, approximate='tanh')");
    expect(torch).toContain('F.relu(t)');
    expect(ts).toContain('F.leakyRelu(t, { negativeSlope: 0.03 })');
    expect(ts).toContain("new nn.GELU({ approximate: 'tanh' })");
    await page.waitForFunction(() => location.hash.includes('code=1'));
    await page.click('#show-code');
    expect(await page.locator('#code-panel').isVisible()).toBe(false);
  }, 30_000);

  it('trains the playground in the page, without freezing it, as the library does in Node', async () => {
    await page.click('#tab-playground');
    await page.waitForSelector('#pg-data', { state: 'visible' });
    let n = await renders();
    await page.selectOption('#pg-data', 'xor');
    await afterRender(n);
    n = await renders();
    await page.selectOption('#pg-act', 'tanh');
    await afterRender(n);
    for (let i = 0; i < 3; i++) await page.click('#pg-step');
    const stepped = await hook((e) => e.playground());
    expect(stepped.steps).toBe(30);
    // The same run in Node: the same losses, step for step.
    const t = new Trainer({ ...defaultState().pg, dataset: 'xor', act: 'tanh' });
    for (let i = 0; i < 30; i++) t.step();
    expect(stepped.losses).toEqual(t.losses);

    await page.click('#pg-play');
    expect(await page.getAttribute('#pg-play', 'aria-pressed')).toBe('true');
    const started = Date.now();
    await page.evaluate(() => 1);
    const roundTrip = Date.now() - started;
    await page.waitForFunction(() => window.__explorer!.playground().steps >= 150, null, { timeout: 20_000 });
    await page.click('#pg-play');
    const snap = await hook((e) => e.playground());
    expect(snap.running).toBe(false);
    expect(roundTrip).toBeLessThan(1000);
    expect(snap.loss!).toBeLessThan(snap.losses[0]!);
    expect(snap.stats.map((s) => s.units)).toEqual([8, 8]);
    expect(snap.histogram!.counts.reduce((a, b) => a + b, 0)).toBe(200 * 8);
    expect(await page.locator('#layer-stats tbody tr').count()).toBe(2);
    expect(await page.locator('#pg-status').textContent()).toMatch(/^step \d+ · loss [\d.]+ · training accuracy [\d.]+%$/);
    await page.waitForFunction(() => location.hash.includes('pg.act=tanh'));
    const hash = await page.evaluate(() => location.hash);
    expect(hash).toContain('pg.data=xor');
    expect(hash).toContain('pg.act=tanh');
    await shot('desktop-playground');
  }, 45_000);

  it('reads well at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    await shot('phone-playground');
    await page.click('#tab-curves');
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(overflow).toBeLessThanOrEqual(390);
    const plot = await page.locator('#plot-f').boundingBox();
    expect(plot!.width).toBeGreaterThan(300);
    expect(plot!.width).toBeLessThanOrEqual(390);
    await shot('phone-curves');
    await page.setViewportSize({ width: 1280, height: 900 });
  }, 30_000);

  it('fetched nothing but its own files, and logged no error', () => {
    const origin = new URL(url).origin;
    expect(requests.filter((r) => !r.startsWith(origin) && !r.startsWith('data:'))).toEqual([]);
    expect(errors).toEqual([]);
  });
});
