/**
 * The explorer's page: tabs, the URL state, "show code", and the hook the end-to-end test reads
 * (`window.__explorer`). Everything the page plots is computed here, in the browser, by paoding.
 */
import { PALETTE, POINTS, type App } from './app.js';
import { codeFor, type Snippets } from './code.js';
import { CurvesView } from './curves_view.js';
import { byId, debounce, h, replace } from './dom.js';
import { NumericsView } from './numerics_view.js';
import { PlaygroundView, type PlaygroundSnapshot } from './playground_view.js';
import { decode, encode, TABS, type State, type Tab } from './state.js';
import type { Curve } from './compute.js';
import type { ErrorProfile, SpecialValue } from './numerics.js';

/** What the end-to-end test reads from the page. */
export interface ExplorerHook {
  ready: boolean;
  /** Incremented after every render of the current view. */
  renders: number;
  state(): State;
  curves(): Curve[];
  numerics(): ErrorProfile | undefined;
  specials(): Record<string, SpecialValue[] | string>;
  playground(): PlaygroundSnapshot;
  code(): Snippets;
  hash(): string;
}

declare global {
  interface Window {
    __explorer?: ExplorerHook;
  }
}

const TAB_LABELS: Record<Tab, string> = { curves: 'Curves', numerics: 'Numerics', playground: 'Playground' };

function start(): void {
  const root = byId('app');
  let state = decode(location.hash);
  const colorOf = (id: string) => {
    const i = state.acts.indexOf(id);
    return i >= 0 ? PALETTE[i % PALETTE.length]! : '#444444';
  };

  const tabs = TABS.map((t) =>
    h('button', { type: 'button', role: 'tab', id: `tab-${t}`, 'aria-controls': `panel-${t}`, class: 'tab' }, TAB_LABELS[t]),
  );
  const panels = Object.fromEntries(TABS.map((t) => [t, h('section', { id: `panel-${t}`, role: 'tabpanel', 'aria-labelledby': `tab-${t}`, tabindex: '-1' })])) as Record<Tab, HTMLElement>;
  const codeButton = h('button', { type: 'button', id: 'show-code', 'aria-expanded': 'false', 'aria-controls': 'code-panel' }, 'Show code');
  const linkButton = h('button', { type: 'button', id: 'copy-link' }, 'Copy link');
  const codeTs = h('code', { id: 'code-ts' });
  const codePy = h('code', { id: 'code-torch' });
  const copy = (from: HTMLElement, label: string) =>
    h(
      'button',
      {
        type: 'button',
        class: 'copy',
        'aria-label': `Copy the ${label} code`,
        onclick: (ev: Event) => {
          const b = ev.currentTarget as HTMLButtonElement;
          void navigator.clipboard?.writeText(from.textContent ?? '').then(
            () => (b.textContent = 'Copied'),
            () => (b.textContent = 'Select and copy'),
          );
          setTimeout(() => (b.textContent = 'Copy'), 1500);
        },
      },
      'Copy',
    );
  const codePanel = h(
    'section',
    { id: 'code-panel', class: 'code-panel', 'aria-label': 'Code for this view', hidden: true },
    h('div', { class: 'code-col' }, h('div', { class: 'code-head' }, h('h2', {}, 'TypeScript (paoding)'), copy(codeTs, 'TypeScript')), h('pre', { tabindex: '0' }, codeTs)),
    h('div', { class: 'code-col' }, h('div', { class: 'code-head' }, h('h2', {}, 'PyTorch'), copy(codePy, 'PyTorch')), h('pre', { tabindex: '0' }, codePy)),
  );
  replace(
    root,
    h(
      'header',
      { class: 'top' },
      h('h1', {}, 'paoding ', h('span', {}, 'explorer')),
      h('div', { role: 'tablist', 'aria-label': 'Views', class: 'tabs' }, ...tabs),
      h('div', { class: 'actions' }, codeButton, linkButton),
    ),
    h('main', { id: 'main' }, ...TABS.map((t) => panels[t]), codePanel),
    h('footer', {}, 'Every value on this page is computed in your browser by paoding: the activations’ declarations, the library’s kernels, and its autograd. Nothing is fetched.'),
  );

  const app: App = {
    get state() {
      return state;
    },
    commit: (opts = {}) => commit(opts),
    colorOf,
  };
  const curves = new CurvesView(app, panels.curves);
  const numerics = new NumericsView(app, panels.numerics);
  const playground = new PlaygroundView(app, panels.playground);
  const hook: ExplorerHook = {
    ready: false,
    renders: 0,
    state: () => JSON.parse(JSON.stringify(state)) as State,
    curves: () => curves.curves,
    numerics: () => numerics.profile,
    specials: () => numerics.specials,
    playground: () => playground.snapshot(),
    code: () => codeFor(state, { points: POINTS, steps: playground.trainer?.steps ?? 0 }),
    hash: () => location.hash,
  };
  window.__explorer = hook;

  const writeUrl = debounce(() => {
    const hash = encode(state);
    const url = `${location.pathname}${location.search}${hash ? `#${hash}` : ''}`;
    if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, '', url);
  }, 80);
  let lastHash = '';

  function renderCode(): void {
    codeButton.setAttribute('aria-expanded', String(state.code));
    codeButton.textContent = state.code ? 'Hide code' : 'Show code';
    codePanel.hidden = !state.code;
    if (!state.code) return;
    const c = codeFor(state, { points: POINTS, steps: playground.trainer?.steps ?? 0 });
    codeTs.textContent = c.ts;
    codePy.textContent = c.torch;
  }

  function showTab(): void {
    for (const t of TABS) {
      const active = t === state.tab;
      const tab = byId(`tab-${t}`);
      tab.setAttribute('aria-selected', String(active));
      tab.tabIndex = active ? 0 : -1;
      panels[t].hidden = !active;
    }
    if (state.tab !== 'playground') playground.pause();
  }

  function build(): void {
    if (state.tab === 'curves') curves.build();
    else if (state.tab === 'numerics') numerics.build();
    else playground.build();
  }

  function render(): void {
    if (state.tab === 'curves') curves.render();
    else if (state.tab === 'numerics') numerics.render();
    else playground.render();
    hook.renders++;
  }

  function commit(opts: { rebuild?: boolean; compute?: boolean }): void {
    if (!state.acts.includes(state.focus)) state.focus = state.acts[0] ?? state.focus;
    if (opts.rebuild) build();
    if (opts.compute !== false) render();
    renderCode();
    lastHash = encode(state);
    writeUrl();
  }

  function selectTab(t: Tab, focus: boolean): void {
    if (t === state.tab) return;
    state.tab = t;
    showTab();
    commit({ rebuild: true });
    if (focus) byId(`tab-${t}`).focus();
  }

  tabs.forEach((b, i) => {
    b.addEventListener('click', () => selectTab(TABS[i]!, false));
    b.addEventListener('keydown', (ev) => {
      const k = ev.key;
      let j = -1;
      if (k === 'ArrowRight') j = (i + 1) % TABS.length;
      else if (k === 'ArrowLeft') j = (i - 1 + TABS.length) % TABS.length;
      else if (k === 'Home') j = 0;
      else if (k === 'End') j = TABS.length - 1;
      if (j >= 0) {
        ev.preventDefault();
        selectTab(TABS[j]!, true);
      }
    });
  });
  codeButton.addEventListener('click', () => {
    state.code = !state.code;
    commit({ compute: false });
    if (state.code) codePanel.scrollIntoView({ block: 'nearest' });
  });
  linkButton.addEventListener('click', () => {
    const url = `${location.origin}${location.pathname}#${encode(state)}`;
    void navigator.clipboard?.writeText(url).then(
      () => (linkButton.textContent = 'Link copied'),
      () => (linkButton.textContent = 'Copy from the address bar'),
    );
    setTimeout(() => (linkButton.textContent = 'Copy link'), 1500);
  });
  // A hash typed or pasted by hand (or the back button) replaces the whole state.
  window.addEventListener('hashchange', () => {
    const h2 = location.hash.replace(/^#/, '');
    if (h2 === lastHash) return;
    playground.pause();
    state = decode(location.hash);
    showTab();
    commit({ rebuild: true });
  });
  window.addEventListener(
    'resize',
    debounce(() => {
      if (state.tab === 'curves') curves.draw();
      else render();
    }, 150),
  );

  showTab();
  commit({ rebuild: true });
  hook.ready = true;
  document.body.setAttribute('data-ready', 'true');
}

try {
  start();
} catch (e) {
  const app = document.getElementById('app');
  if (app) app.textContent = `The explorer failed to start: ${e instanceof Error ? e.message : String(e)}`;
  throw e;
}
