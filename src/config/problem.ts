/** Building `Problem`s (src/errors.ts) with bounded, printable values. */
import type { Problem } from '../errors.js';
import type { CheckId } from '../model/plan.js';
import type { Pos } from './positions.js';

const MAX_VALUE_CHARS = 200;

export interface ProblemInit {
  file: string;
  pos: Pos;
  check: CheckId;
  code: string;
  message: string;
  hint?: string;
  value?: unknown;
}

export function problem(init: ProblemInit): Problem {
  const p: Problem = {
    code: init.code,
    check: init.check,
    message: init.message,
    file: init.file,
    line: init.pos.line,
    col: init.pos.col,
  };
  if (init.value !== undefined) p.value = boundedValue(init.value);
  if (init.hint) p.hint = init.hint;
  return p;
}

/** Long strings and big structures are cut so one bad file cannot flood the output. */
export function boundedValue(value: unknown): unknown {
  if (typeof value === 'string') return value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS)}…` : value;
  if (value === null || typeof value !== 'object') return value;
  const json = JSON.stringify(value);
  return json.length > MAX_VALUE_CHARS ? `${json.slice(0, MAX_VALUE_CHARS)}…` : value;
}

/**
 * At most `max` characters of `text` for a message, then "…" and the full length, so a
 * 200 KB key or value cannot flood the output (a CI log, a pull-request comment).
 */
export function excerpt(text: string, max = 60): string {
  if (text.length <= max) return text;
  // Never cut a surrogate pair in half.
  const cut = /[\ud800-\udbff]/.test(text[max - 1]!) ? max - 1 : max;
  return `${text.slice(0, cut)}… (${text.length} characters)`;
}

/** A value quoted for a message: `"text"`, `42`, `true`, `a list`, `a mapping`. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    const s = value.length > 80 ? `${value.slice(0, 80)}…` : value;
    return JSON.stringify(s);
  }
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** Stable order: by file, then line, then column. */
export function compareProblems(a: Problem, b: Problem): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.col - b.col;
}
