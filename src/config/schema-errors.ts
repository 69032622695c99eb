/**
 * Ajv errors → Problems a person can act on: located at the YAML node (positions.ts),
 * one stable code per kind of mistake, the offending value, and a hint drawn from the
 * schema itself (allowed keys, enum values, examples).
 */
import type { ErrorObject } from 'ajv';
import type { Problem } from '../errors.js';
import { displayPath, keyPos, pointerSegments, valueAt, valuePos, type PositionIndex } from './positions.js';
import { excerpt, problem, show } from './problem.js';

type Schema = Record<string, unknown>;

export interface SchemaErrorContext {
  file: string;
  /** The parsed document that failed validation. */
  data: unknown;
  positions: PositionIndex;
  /** The root schema the validator was compiled from (for hints). */
  schema: Schema;
}

export function schemaProblems(errors: readonly ErrorObject[], ctx: SchemaErrorContext): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const err of errors) {
    // `if` only says "the then-branch failed"; the branch's own error follows.
    if (err.keyword === 'if') continue;
    const key = `${err.instancePath}|${err.keyword}|${JSON.stringify(err.params)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(toProblem(err, ctx));
  }
  return out;
}

function toProblem(err: ErrorObject, ctx: SchemaErrorContext): Problem {
  const path = err.instancePath;
  const where = displayPath(path);
  const value = valueAt(ctx.data, path);
  const base = { file: ctx.file, check: 'schema' as const };
  const here = subschemaAt(ctx.schema, path);
  const params = err.params as Record<string, unknown>;

  switch (err.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      if (missing === 'risk_approval' && err.schemaPath.includes('/then/')) {
        const sharing = valueAt(ctx.data, '/sharing');
        return problem({
          ...base,
          check: 'risk_approved',
          code: 'missing_evidence',
          pos: valuePos(ctx.positions, path),
          message: `sharing ${show(sharing)} needs request.risk_approval: the requester's approval of the security risk`,
          hint:
            'post the risk message on the ticket, wait for the requester to approve it, then record approved_by, ' +
            'comment_id and quote (see orgs/README.md); or set sharing: private',
        });
      }
      const child = subschemaAt(ctx.schema, `${path}/${missing}`);
      return problem({
        ...base,
        code: 'missing_key',
        pos: valuePos(ctx.positions, path),
        message: path === '' ? `required key \`${missing}\` is missing` : `\`${where}\` is missing required key \`${missing}\``,
        hint: exampleHint(missing, child),
      });
    }
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const allowed = Object.keys((here?.properties as Schema | undefined) ?? {});
      const guess = closest(extra, allowed);
      return problem({
        ...base,
        code: 'unknown_key',
        pos: keyPos(ctx.positions, `${path}/${extra}`),
        // A key can be 200 KB long: show an excerpt (the JSON `value` is bounded too).
        message: path === '' ? `unknown key \`${excerpt(extra)}\`` : `unknown key \`${excerpt(extra)}\` in \`${where}\``,
        hint: `${guess ? `did you mean \`${guess}\`? ` : ''}allowed here: ${allowed.join(', ')}`,
        value: extra,
      });
    }
    case 'type': {
      const expected = String(params.type);
      return problem({
        ...base,
        code: 'wrong_type',
        pos: valuePos(ctx.positions, path),
        message: `${path === '' ? 'the file' : `\`${where}\``} must be ${article(expected)}, got ${got(value)}`,
        hint: typeHint(expected, value, lastSegment(path), here),
        value,
      });
    }
    case 'enum':
    case 'const': {
      const allowed = (params.allowedValues as unknown[] | undefined) ?? [params.allowedValue];
      const guess = typeof value === 'string' ? closest(value, allowed.map(String)) : undefined;
      return problem({
        ...base,
        code: 'invalid_value',
        pos: valuePos(ctx.positions, path),
        message: `\`${where}\` must be one of ${allowed.map((a) => String(a)).join(', ')}; got ${show(value)}`,
        hint: guess ? `did you mean \`${guess}\`?` : describe(here),
        value,
      });
    }
    case 'format':
    case 'pattern': {
      const format = err.keyword === 'format' ? String(params.format) : 'pattern';
      const what = format === 'email' ? 'an email address' : format === 'uri' ? 'a full URL' : 'in the expected form';
      return problem({
        ...base,
        code: 'invalid_format',
        pos: valuePos(ctx.positions, path),
        message: `\`${where}\` is not ${what}: ${show(value)}`,
        hint: exampleHint(lastSegment(path), here),
        value,
      });
    }
    case 'minLength':
    case 'minItems':
    case 'maxLength':
    case 'maxItems': {
      const short = err.keyword.startsWith('min');
      const limit = Number(params.limit);
      const unit = err.keyword.endsWith('Items') ? 'item' : 'character';
      return problem({
        ...base,
        code: short ? 'too_short' : 'too_long',
        pos: valuePos(ctx.positions, path),
        message: `\`${where}\` must have ${short ? 'at least' : 'at most'} ${limit} ${unit}${limit === 1 ? '' : 's'}`,
        hint: describe(here),
        value,
      });
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return problem({
        ...base,
        code: 'out_of_range',
        pos: valuePos(ctx.positions, path),
        message: `\`${where}\` ${err.message ?? 'is out of range'}; got ${show(value)}`,
        hint: describe(here),
        value,
      });
    case 'uniqueItems': {
      const dup = Math.max(Number(params.i), Number(params.j));
      return problem({
        ...base,
        code: 'duplicate_item',
        pos: valuePos(ctx.positions, `${path}/${dup}`),
        message: `\`${where}\` lists ${show(valueAt(ctx.data, `${path}/${dup}`))} twice`,
        hint: 'remove the repeated entry',
        value: valueAt(ctx.data, `${path}/${dup}`),
      });
    }
    default:
      return problem({
        ...base,
        code: 'invalid_value',
        pos: valuePos(ctx.positions, path),
        message: `\`${where}\` ${err.message ?? 'is invalid'}`,
        hint: describe(here),
        value,
      });
  }
}

/** The (dereferenced) schema describing the value at `pointer`, if the schema says. */
export function subschemaAt(root: Schema, pointer: string): Schema | undefined {
  let s: Schema | undefined = deref(root, root);
  for (const seg of pointerSegments(pointer)) {
    if (!s) return undefined;
    const props = s.properties as Record<string, Schema> | undefined;
    if (props && Object.prototype.hasOwnProperty.call(props, seg)) s = deref(root, props[seg]!);
    else if (s.items && /^\d+$/.test(seg)) s = deref(root, s.items as Schema);
    else return undefined;
  }
  return s;
}

/** Merges a local `$ref` ("#/$defs/x") into the schema, keeping local annotations. */
function deref(root: Schema, s: Schema): Schema {
  const ref = s.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return s;
  let target: unknown = root;
  for (const seg of pointerSegments(ref.slice(1))) target = (target as Schema | undefined)?.[seg];
  if (!target || typeof target !== 'object') return s;
  const { $ref: _ignored, ...local } = s;
  return { ...deref(root, target as Schema), ...local };
}

function describe(s: Schema | undefined): string | undefined {
  return typeof s?.description === 'string' ? s.description : undefined;
}

function exampleHint(key: string, s: Schema | undefined): string | undefined {
  const example = Array.isArray(s?.examples) ? (s!.examples as unknown[])[0] : undefined;
  if (example !== undefined && (typeof example !== 'object' || example === null)) {
    return `for example \`${key}: ${typeof example === 'string' ? example : JSON.stringify(example)}\`${describe(s) ? ` (${describe(s)})` : ''}`;
  }
  return describe(s);
}

function typeHint(expected: string, value: unknown, key: string, s: Schema | undefined): string | undefined {
  if (expected === 'integer' && typeof value === 'string' && /^\d+$/.test(value.trim())) {
    return `write the number without quotes: \`${key}: ${value.trim()}\``;
  }
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
    return `put the value in quotes: \`${key}: "${String(value)}"\``;
  }
  if (expected === 'boolean' && typeof value === 'string') return `write \`true\` or \`false\` without quotes`;
  if (expected === 'array' && (typeof value === 'string' || typeof value === 'number')) {
    return `write a list, e.g. \`${key}: [${String(value)}]\``;
  }
  return exampleHint(key, s);
}

function lastSegment(pointer: string): string {
  const segs = pointerSegments(pointer);
  return segs[segs.length - 1] ?? '';
}

function article(type: string): string {
  const noun = type === 'object' ? 'mapping' : type === 'array' ? 'list' : type;
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

/** "string \"x\"", "integer 5", "a list", "nothing". */
function got(value: unknown): string {
  if (value === null || value === undefined || typeof value === 'object') return show(value);
  const kind = typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value;
  return `${kind} ${show(value)}`;
}

/** The candidate within edit distance 2 (or sharing a 4-character prefix), if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  if (bestDistance <= 2) return best;
  const prefix = candidates.find((c) => w.length >= 4 && c.toLowerCase().startsWith(w.slice(0, 4)));
  return prefix;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
