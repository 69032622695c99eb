/**
 * A tiny ANSI palette. With colour off every function is the identity, so renderers
 * never branch on colour themselves (and golden files are plain text).
 */
export interface Palette {
  red: (s: string) => string;
  green: (s: string) => string;
  yellow: (s: string) => string;
  cyan: (s: string) => string;
  bold: (s: string) => string;
  dim: (s: string) => string;
}

const wrap = (open: number, close: number) => (s: string) => (s === '' ? s : `\u001b[${open}m${s}\u001b[${close}m`);

const ON: Palette = {
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  cyan: wrap(36, 39),
  bold: wrap(1, 22),
  dim: wrap(2, 22),
};

const id = (s: string) => s;
const OFF: Palette = { red: id, green: id, yellow: id, cyan: id, bold: id, dim: id };

export function palette(color: boolean): Palette {
  return color ? ON : OFF;
}

/** Removes ANSI escapes (for width computations and tests). */
export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, '');
}
