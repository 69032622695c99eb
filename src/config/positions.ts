/**
 * Source positions of parsed YAML values, keyed by JSON pointer ("/request/ticket",
 * "/user_access/0"), the same paths ajv reports as `instancePath`.
 *
 * One rule, shared by both parsers (fast-yaml.ts and the `yaml` package path in
 * source.ts) and pinned by a differential test:
 * - `values[p]` for a mapping entry is the value's start, except that a collection value
 *   (or an empty one) points at its key, the line a reader looks for;
 * - `values[p]` for a sequence item is the item's start (after "- " for block items);
 * - `values['']` is the start of the root node;
 * - `keys[p]` is the start of the key of a mapping entry.
 * Lines and columns are 1-based.
 */
export interface Pos {
  line: number;
  col: number;
}

export interface PositionIndex {
  values: Map<string, Pos>;
  keys: Map<string, Pos>;
}

export const FILE_START: Pos = { line: 1, col: 1 };

/** Escapes one JSON-pointer segment (RFC 6901), as ajv does in `instancePath`. */
export function pointerSegment(key: string): string {
  return key.includes('~') || key.includes('/') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key;
}

/** Splits a JSON pointer into unescaped segments ("" → []). */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Position of `pointer`, or of its nearest recorded ancestor (values under an alias). */
export function valuePos(index: PositionIndex, pointer: string): Pos {
  let p = pointer;
  for (;;) {
    const pos = index.values.get(p);
    if (pos) return pos;
    if (p === '') return FILE_START;
    p = p.slice(0, p.lastIndexOf('/'));
  }
}

/** Position of the key of the entry at `pointer`, falling back to its value position. */
export function keyPos(index: PositionIndex, pointer: string): Pos {
  return index.keys.get(pointer) ?? valuePos(index, pointer);
}

/** The value at a JSON pointer inside plain parsed data, or undefined. */
export function valueAt(root: unknown, pointer: string): unknown {
  let cur: unknown = root;
  for (const seg of pointerSegments(pointer)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/** "/user_access/0/email" → "user_access[0].email"; "" → "(top level)". */
export function displayPath(pointer: string): string {
  if (pointer === '') return '(top level)';
  let out = '';
  for (const seg of pointerSegments(pointer)) {
    out += /^\d+$/.test(seg) ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  }
  return out;
}
