/** Small DOM helpers for the explorer's page. */

type Child = Node | string | number | null | undefined | false;
type Attr = string | number | boolean | undefined | null | ((e: Event) => void);

/**
 * Create an element: `h('button', { class: 'x', onclick: f, 'aria-label': 'Close' }, 'text')`.
 * Attributes starting with `on` are event listeners; `true` sets an empty attribute, `false`,
 * `null` and `undefined` leave it out.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, Attr> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (k === 'value' && 'value' in e) (e as HTMLInputElement).value = String(v);
    else if (k === 'checked' && e instanceof HTMLInputElement) e.checked = v === true;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  append(e, ...children);
  return e;
}

/** Append children (strings become text). */
export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replace an element's children. */
export function replace(parent: Element, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, ...children);
}

/** An SVG element for plots. */
export function svg(attrs: Record<string, string> = {}): SVGSVGElement {
  const s = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  for (const [k, v] of Object.entries(attrs)) s.setAttribute(k, v);
  return s;
}

/** The element with this id (throws when missing: a bug in the page). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`explorer: no element #${id}`);
  return e as T;
}

/** Call `f` at most once per `ms`, with the latest arguments, trailing. */
export function debounce<A extends unknown[]>(f: (...a: A) => void, ms: number): (...a: A) => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (...a: A) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      f(...a);
    }, ms);
  };
}
