/**
 * A fast path for the plain, canonical YAML that organization files are written in.
 *
 * Why: the `yaml` package needs ~150 µs per small document on the 2-core CI machine, so
 * 10,000 files cannot validate within the 1.5 s budget. Most files use a tiny subset:
 * block mappings with plain identifier keys, block sequences, one-line scalars and
 * one-line flow sequences of plain words. This parser accepts exactly that subset.
 *
 * Contract: `fastParse(text)` returns either the same value and positions the `yaml`
 * package path would produce (source.ts; see positions.ts for the position rule), or
 * null. Null means "not sure", never "invalid": the caller then parses with `yaml`,
 * which also reports every error. So anything unusual returns null: tabs, CR, control or
 * astral characters, directives (`%YAML`, `%TAG`), document markers, anchors, aliases,
 * tags, block scalars, quoted keys, escapes, multi-line scalars, empty values, duplicate
 * or reserved keys, numbers other than plain decimal integers, null/boolean spellings
 * other than true/false. The yaml path refuses what must never be accepted among those
 * (a `%YAML` version other than 1.2, integers written as floats, exponents, hex, octal,
 * with a sign or leading zeros), so both paths accept exactly the same files; source.ts
 * refuses control characters before either runs.
 * test/config/fast-yaml.test.ts checks the equivalence differentially against `yaml`.
 */
import type { Pos, PositionIndex } from './positions.js';

export interface ParsedTree {
  value: unknown;
  positions: PositionIndex;
}

interface Line {
  /** 1-based line number. */
  n: number;
  /** Leading spaces. */
  ind: number;
  /** The line after its indentation (non-empty, not a comment). */
  text: string;
}

const FAIL = Symbol('fail');
type Result<T> = T | typeof FAIL;

/** Deeper documents exist only in tests and attacks; `yaml` handles (and limits) them. */
const FAST_MAX_DEPTH = 8;

// Tab, CR and other C0/C1 controls, line/paragraph separators, BOM, surrogates (astral).
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]/;
/** `key:` followed by end of line or a space. */
const KEY_LINE = /^([A-Za-z_][A-Za-z0-9_]*):(?= |$)/;
/** Keys that could reach Object.prototype, or that YAML resolves to non-strings. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL']);
/** A one-line plain scalar: a safe first character, no flow indicators. */
const PLAIN = /^[A-Za-z0-9_/(\u00c0-\ufffd][^[\]{}]*$/;
/** One item of a one-line flow sequence. */
const FLOW_ITEM = /^[A-Za-z0-9_][A-Za-z0-9._@+-]*$/;
/** What may follow a closing quote or bracket: spaces and an optional comment. */
const TRAILER = /^(?: +(?:#.*)?)?$/;
const SAFE_INT = /^(?:0|[1-9][0-9]{0,14})$/;
const OTHER_CORE_SCALAR = /^(?:[0-9]|(?:True|TRUE|False|FALSE|[Nn]ull|NULL)$)/;

export function fastParse(text: string): ParsedTree | null {
  if (UNSAFE_CHARS.test(text)) return null;
  const lines = toLines(text);
  const first = lines[0];
  if (!first || first.ind !== 0) return null;
  const parser = new FastParser(lines);
  const value = parser.map(0, '', 1);
  if (value === FAIL || parser.i !== lines.length) return null;
  parser.values.set('', { line: first.n, col: 1 });
  return { value, positions: { values: parser.values, keys: parser.keys } };
}

function toLines(text: string): Line[] {
  const out: Line[] = [];
  const raw = text.split('\n');
  for (let i = 0; i < raw.length; i++) {
    const line = raw[i]!;
    let ind = 0;
    while (line.charCodeAt(ind) === 32) ind++;
    if (ind === line.length || line.charCodeAt(ind) === 35 /* # */) continue;
    out.push({ n: i + 1, ind, text: line.slice(ind) });
  }
  return out;
}

/** Drops leading spaces only: YAML separates with spaces, while String#trim also eats NBSP. */
function skipSpaces(text: string): string {
  let i = 0;
  while (text.charCodeAt(i) === 32) i++;
  return i === 0 ? text : text.slice(i);
}

function isSeqLine(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

class FastParser {
  i = 0;
  readonly values = new Map<string, Pos>();
  readonly keys = new Map<string, Pos>();

  constructor(private readonly lines: Line[]) {}

  /** A block mapping whose entries start at column `ind` (0-based). */
  map(ind: number, path: string, depth: number): Result<Record<string, unknown>> {
    if (depth > FAST_MAX_DEPTH) return FAIL;
    const obj: Record<string, unknown> = {};
    const lines = this.lines;
    while (this.i < lines.length) {
      const line = lines[this.i]!;
      if (line.ind < ind) break;
      if (line.ind > ind) return FAIL;
      const m = KEY_LINE.exec(line.text);
      if (!m) return FAIL;
      const key = m[1]!;
      if (RESERVED_KEYS.has(key) || Object.prototype.hasOwnProperty.call(obj, key)) return FAIL;
      const kpath = `${path}/${key}`;
      const kpos: Pos = { line: line.n, col: ind + 1 };
      this.keys.set(kpath, kpos);
      const rest = line.text.slice(key.length + 1);
      const inline = skipSpaces(rest);
      this.i++;
      let value: Result<unknown>;
      if (inline === '' || inline.charCodeAt(0) === 35 /* # */) {
        const next = lines[this.i];
        if (next && next.ind > ind) {
          value = isSeqLine(next.text) ? this.seq(next.ind, kpath, depth + 1) : this.map(next.ind, kpath, depth + 1);
        } else if (next && next.ind === ind && isSeqLine(next.text)) {
          value = this.seq(ind, kpath, depth + 1);
        } else {
          return FAIL; // an empty (null) value
        }
        this.values.set(kpath, kpos);
      } else {
        const col = ind + key.length + 1 + (rest.length - inline.length) + 1;
        value = this.inline(inline, line.n, col, kpath, depth + 1);
        this.values.set(kpath, Array.isArray(value) ? kpos : { line: line.n, col });
      }
      if (value === FAIL) return FAIL;
      obj[key] = value;
    }
    return obj;
  }

  /** A block sequence whose "- " markers are at column `ind` (0-based). */
  seq(ind: number, path: string, depth: number): Result<unknown[]> {
    if (depth > FAST_MAX_DEPTH) return FAIL;
    const arr: unknown[] = [];
    const lines = this.lines;
    while (this.i < lines.length) {
      const line = lines[this.i]!;
      if (line.ind < ind) break;
      if (line.ind > ind) return FAIL;
      if (!isSeqLine(line.text)) break; // the parent mapping continues at this indentation
      const after = line.text.slice(2);
      const item = skipSpaces(after);
      const col = ind + 2 + (after.length - item.length) + 1;
      if (item === '' || item.charCodeAt(0) === 35 /* # */ || isSeqLine(item)) return FAIL;
      const ipath = `${path}/${arr.length}`;
      let value: Result<unknown>;
      if (KEY_LINE.test(item)) {
        // "- key: value": a mapping whose entries start at the item's column.
        lines[this.i] = { n: line.n, ind: col - 1, text: item };
        value = this.map(col - 1, ipath, depth + 1);
      } else {
        value = this.inline(item, line.n, col, ipath, depth + 1);
        this.i++;
      }
      if (value === FAIL) return FAIL;
      this.values.set(ipath, { line: line.n, col });
      arr.push(value);
    }
    return arr;
  }

  /** A one-line value: quoted or plain scalar, or a flow sequence of plain words. */
  inline(text: string, n: number, col: number, path: string, depth: number): Result<unknown> {
    const c = text[0];
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, 1);
      if (end < 0) return FAIL;
      const body = text.slice(1, end);
      if (c === '"' && body.includes('\\')) return FAIL;
      if (c === "'" && text[end + 1] === "'") return FAIL;
      return TRAILER.test(text.slice(end + 1)) ? body : FAIL;
    }
    if (c === '[') {
      if (depth > FAST_MAX_DEPTH) return FAIL;
      const close = text.indexOf(']');
      if (close < 0 || !TRAILER.test(text.slice(close + 1))) return FAIL;
      const inner = text.slice(1, close);
      if (/^ *$/.test(inner)) return [];
      const arr: unknown[] = [];
      let offset = 1;
      for (const part of inner.split(',')) {
        const lead = part.length - skipSpaces(part).length;
        const item = part.slice(lead).replace(/ +$/, '');
        if (!FLOW_ITEM.test(item)) return FAIL;
        const value = scalar(item);
        if (value === FAIL) return FAIL;
        this.values.set(`${path}/${arr.length}`, { line: n, col: col + offset + lead });
        arr.push(value);
        offset += part.length + 1;
      }
      return arr;
    }
    const hash = text.indexOf(' #');
    const plain = (hash >= 0 ? text.slice(0, hash) : text).replace(/ +$/, '');
    if (!PLAIN.test(plain) || plain.includes(': ') || plain.endsWith(':')) return FAIL;
    return scalar(plain);
  }
}

/** Resolves a plain scalar per the YAML 1.2 core schema, for the forms we are sure of. */
function scalar(text: string): Result<string | number | boolean> {
  if (SAFE_INT.test(text)) return Number(text);
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (OTHER_CORE_SCALAR.test(text)) return FAIL;
  return text;
}
