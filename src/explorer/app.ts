/** What the views share: the state, how to commit a change, colours. */
import type { State } from './state.js';

export interface App {
  state: State;
  /**
   * The state changed: write the URL, re-render. `rebuild` rebuilds the controls too (after a
   * structural change: an activation added or removed); `compute: false` only writes the URL
   * and the code (the view redrew itself).
   */
  commit(opts?: { rebuild?: boolean; compute?: boolean }): void;
  /** The colour of a selected activation. */
  colorOf(id: string): string;
}

/** Colour-blind-safe line colours (Okabe–Ito, darkened where needed for contrast on white). */
export const PALETTE: readonly string[] = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#8F6A00', '#3B8FC2', '#6A3D9A', '#444444'];

/** The points of a curve. */
export const POINTS = 401;
