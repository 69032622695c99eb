/**
 * Edits of a saved plan, generated from schema/plan.schema.json (not hand-listed): the
 * plan JSON is walked together with its schema, and every field the schema declares gets
 * the edits its type allows — other enum values, a flipped boolean, a number plus one, a
 * string changed, emptied or with one digit bumped (which keeps dates, hashes and URLs
 * well-formed), null where allowed, an optional member removed or added, an unknown or a
 * forbidden member added, array items removed, duplicated or reordered.
 *
 * `schemaFields` lists every property the schema declares (JSON pointers into the
 * schema); `planEdits` reports which of them it reached, so a test can prove that every
 * field of the format was edited.
 */
import planSchema from '../../schema/plan.schema.json' with { type: 'json' };

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Schema = boolean | { [key: string]: unknown };
type Segment = string | number;

export interface PlanEdit {
  /** Where and what, e.g. `changes[enable].checks[].status = "fail"`. */
  name: string;
  /** The schema property this edit exercises. */
  field: string;
  /** The edited plan (the input is never modified). */
  plan: JsonObject;
}

const ROOT = planSchema as unknown as { [key: string]: unknown };

function lookup(pointer: string): Schema {
  let node: unknown = ROOT;
  for (const part of pointer.replace(/^#\/?/, '').split('/').filter(Boolean)) node = (node as Record<string, unknown>)[part];
  return node as Schema;
}

/** Follows `$ref`s; returns the schema and its pointer. */
function deref(schema: Schema, pointer: string): { schema: Schema; pointer: string } {
  let s = schema;
  let p = pointer;
  while (typeof s === 'object' && typeof s.$ref === 'string') {
    p = s.$ref;
    s = lookup(p);
  }
  return { schema: s, pointer: p };
}

/** Does `value` satisfy an `if` made of `properties.X.const/enum` (the only kind the plan schema uses)? */
function matchesIf(cond: Schema, value: JsonObject): boolean {
  if (typeof cond !== 'object') return cond;
  const props = (cond.properties ?? {}) as Record<string, { const?: Json; enum?: Json[] }>;
  return Object.entries(props).every(([k, c]) => {
    const v = value[k];
    if ('const' in c) return v === c.const;
    if (c.enum) return c.enum.includes(v ?? null);
    return true;
  });
}

interface Member {
  schema: Schema;
  pointers: string[];
  required: boolean;
}

/** The members an object schema allows for this value: base properties refined by matching allOf/if/then. */
function membersOf(schema: { [key: string]: unknown }, pointer: string, value: JsonObject | null): Map<string, Member> {
  const out = new Map<string, Member>();
  const required = new Set((schema.required as string[] | undefined) ?? []);
  for (const [k, s] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
    out.set(k, { schema: s, pointers: [`${pointer}/properties/${k}`], required: required.has(k) });
  }
  ((schema.allOf ?? []) as { if: Schema; then: { [key: string]: unknown } }[]).forEach((branch, i) => {
    if (value === null || !matchesIf(branch.if, value)) return;
    const thenRequired = new Set((branch.then.required as string[] | undefined) ?? []);
    for (const [k, s] of Object.entries((branch.then.properties ?? {}) as Record<string, Schema>)) {
      const prev = out.get(k);
      out.set(k, {
        schema: s,
        pointers: [...(prev?.pointers ?? []), `${pointer}/allOf/${i}/then/properties/${k}`],
        required: (prev?.required ?? false) || thenRequired.has(k),
      });
    }
    for (const k of thenRequired) {
      const m = out.get(k);
      if (m) m.required = true;
    }
  });
  return out;
}

/** Every property pointer the schema declares (base and conditional, `false` ones included). */
export function schemaFields(): string[] {
  const found = new Set<string>();
  const seen = new Set<string>();
  const walk = (schema: Schema, pointer: string) => {
    const d = deref(schema, pointer);
    if (typeof d.schema !== 'object' || seen.has(d.pointer)) return;
    seen.add(d.pointer);
    const s = d.schema;
    for (const [k, sub] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) {
      found.add(`${d.pointer}/properties/${k}`);
      walk(sub, `${d.pointer}/properties/${k}`);
    }
    ((s.allOf ?? []) as { then: { properties?: Record<string, Schema> } }[]).forEach((b, i) => {
      for (const [k, sub] of Object.entries(b.then.properties ?? {})) {
        found.add(`${d.pointer}/allOf/${i}/then/properties/${k}`);
        walk(sub, `${d.pointer}/allOf/${i}/then/properties/${k}`);
      }
    });
    if (typeof s.additionalProperties === 'object') walk(s.additionalProperties as Schema, `${d.pointer}/additionalProperties`);
    if (s.items !== undefined) walk(s.items as Schema, `${d.pointer}/items`);
    for (const k of ['oneOf', 'anyOf'] as const) ((s[k] ?? []) as Schema[]).forEach((sub, i) => walk(sub, `${d.pointer}/${k}/${i}`));
  };
  walk(ROOT, '#');
  return [...found].sort();
}

/** A value the schema accepts, for adding a missing optional member. */
function sample(schema: Schema, pointer: string): Json {
  const d = deref(schema, pointer);
  const s = d.schema;
  if (typeof s !== 'object') return 'tampered';
  if ('const' in s) return s.const as Json;
  if (Array.isArray(s.enum)) return (s.enum as Json[]).find((v) => v !== null) ?? null;
  if (Array.isArray(s.oneOf)) return sample((s.oneOf as Schema[])[0] as Schema, `${d.pointer}/oneOf/0`);
  const type = Array.isArray(s.type) ? (s.type as string[])[0] : (s.type as string | undefined);
  switch (type) {
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? Math.max(s.minimum, 1) : 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object': {
      const o: JsonObject = {};
      for (const [k, m] of membersOf(s, d.pointer, null)) if (m.required) o[k] = sample(m.schema, m.pointers[0] as string);
      return o;
    }
    default:
      return 'tampered';
  }
}

function typesOf(schema: Schema): string[] {
  if (typeof schema !== 'object') return [];
  if (Array.isArray(schema.type)) return schema.type as string[];
  return typeof schema.type === 'string' ? [schema.type] : [];
}

/** Replacement values for a leaf, by what the schema allows. */
function leafValues(schema: Schema, value: Json): { label: string; value: Json }[] {
  const out: { label: string; value: Json }[] = [];
  const s = typeof schema === 'object' ? schema : {};
  const choices = Array.isArray(s.enum) ? (s.enum as Json[]) : 'const' in s ? [s.const as Json] : null;
  if (choices) {
    for (const c of choices) if (c !== value) out.push({ label: JSON.stringify(c), value: c });
    if (typeof value === 'number') out.push({ label: String(value + 1), value: value + 1 });
    if (typeof value === 'string') out.push({ label: 'edited', value: `${value}-edited` });
    return out;
  }
  const types = typesOf(schema);
  if (typeof value === 'boolean') out.push({ label: String(!value), value: !value });
  if (typeof value === 'number') {
    out.push({ label: '+1', value: value + 1 });
    out.push({ label: '0', value: 0 });
    out.push({ label: 'unsafe integer', value: Number.MAX_SAFE_INTEGER + 2 });
  }
  if (typeof value === 'string') {
    out.push({ label: 'appended', value: `${value} (edited)` });
    if (value !== '') out.push({ label: 'emptied', value: '' });
    const m = /\d(?=\D*$)/.exec(value);
    if (m) {
      const bumped = `${value.slice(0, m.index)}${(Number(m[0]) + 1) % 10}${value.slice(m.index + 1)}`;
      out.push({ label: 'one digit bumped', value: bumped });
    }
  }
  if (value === null) {
    const t = types.find((x) => x !== 'null');
    out.push({ label: 'non-null', value: t === 'string' ? 'tampered' : t === 'integer' ? 1 : t === 'boolean' ? true : 'tampered' });
  } else if (types.includes('null')) {
    out.push({ label: 'null', value: null });
  }
  if (typeof value !== 'string' && types.includes('string')) out.push({ label: 'a string', value: 'tampered' });
  if (typeof value !== 'boolean' && types.includes('boolean')) out.push({ label: 'a boolean', value: true });
  return out.filter((r) => r.value !== value);
}

function clone<T extends Json>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function at(doc: Json, path: Segment[]): Json {
  let v: Json = doc;
  for (const seg of path) v = (v as Record<string, Json>)[seg as string] as Json;
  return v;
}

/** Applies `fn` to the parent of `path` in a copy of `doc`. */
function edited(doc: JsonObject, path: Segment[], fn: (parent: Record<string, Json> | Json[], key: Segment) => void): JsonObject {
  const copy = clone(doc);
  const parent = at(copy, path.slice(0, -1)) as Record<string, Json> | Json[];
  fn(parent, path[path.length - 1] as Segment);
  return copy;
}

function label(path: Segment[], doc: Json): string {
  // Array items are named by their `kind` (change and step variants) or `[]`.
  let out = '';
  let v: Json = doc;
  for (const seg of path) {
    const next = (v as Record<string, Json>)[seg as string] as Json;
    if (typeof seg === 'number') {
      const kind = next && typeof next === 'object' && !Array.isArray(next) ? next.kind : undefined;
      out += typeof kind === 'string' ? `[${kind}]` : '[]';
    } else {
      out += out === '' ? seg : `.${seg}`;
    }
    v = next;
  }
  return out || '(plan)';
}

/**
 * Every generated edit of `plan`, one per (field, variant, edit): array items of the same
 * kind are edited once (the first), so the count stays proportional to the schema.
 */
export function planEdits(plan: JsonObject): { edits: PlanEdit[]; reached: Set<string> } {
  const edits = new Map<string, PlanEdit>();
  const reached = new Set<string>();
  const add = (path: Segment[], what: string, field: string, make: () => JsonObject) => {
    const name = `${label(path, plan)} ${what}`;
    // Fields shared by every kind of change (checks, steps, evidence) are edited in the
    // first change that has them; a kind's own fields have their own schema pointer.
    const key = `${field} ${name.replace(/^changes\[[a-z_]+\]/, 'changes[]')}`;
    if (!edits.has(key)) edits.set(key, { name, field, plan: make() });
  };

  const visit = (value: Json, schema: Schema, pointer: string, path: Segment[], field: string) => {
    const d = deref(schema, pointer);
    const s = d.schema;
    if (typeof s !== 'object') return;
    if (Array.isArray(value)) {
      if (value.length > 0) {
        add(path, 'with its first item removed', field, () => edited(plan, path, (p, k) => void ((p as Record<string, Json[]>)[k as string] as Json[]).splice(0, 1)));
        add(path, 'with its first item twice', field, () => edited(plan, path, (p, k) => void ((p as Record<string, Json[]>)[k as string] as Json[]).unshift(clone(value[0] as Json))));
        add(path, 'emptied', field, () => edited(plan, path, (p, k) => void ((p as Record<string, Json>)[k as string] = [])));
      }
      if (value.length > 1) add(path, 'reversed', field, () => edited(plan, path, (p, k) => void ((p as Record<string, Json>)[k as string] = [...value].reverse())));
      const items = (s.items ?? {}) as Schema;
      if (typesOf(deref(items, `${d.pointer}/items`).schema).includes('string')) {
        add(path, 'with an item added', field, () => edited(plan, path, (p, k) => void ((p as Record<string, Json[]>)[k as string] as Json[]).push('tampered')));
      }
      value.forEach((item, i) => visit(item, items, `${d.pointer}/items`, [...path, i], field));
      return;
    }
    if (value !== null && typeof value === 'object') {
      const members = membersOf(s, d.pointer, value);
      for (const [k, m] of members) {
        for (const p of m.pointers) reached.add(p);
        const where = [...path, k];
        const fieldName = m.pointers[m.pointers.length - 1] as string;
        if (m.schema === false) {
          add(where, 'added (forbidden here)', fieldName, () => edited(plan, where, (p, key) => void ((p as Record<string, Json>)[key as string] = 'tampered')));
        } else if (k in value) {
          if (!m.required) add(where, 'removed', fieldName, () => edited(plan, where, (p, key) => void delete (p as Record<string, Json>)[key as string]));
          visit(value[k] as Json, m.schema, fieldName, where, fieldName);
        } else {
          add(where, 'added', fieldName, () => edited(plan, where, (p, key) => void ((p as Record<string, Json>)[key as string] = sample(m.schema, fieldName))));
        }
      }
      if (s.additionalProperties !== undefined && typeof s.additionalProperties === 'object') {
        const extra = s.additionalProperties as Schema;
        for (const k of Object.keys(value)) if (!members.has(k)) visit(value[k] as Json, extra, `${d.pointer}/additionalProperties`, [...path, k], field);
        const names = (deref((s.propertyNames ?? {}) as Schema, `${d.pointer}/propertyNames`).schema as { enum?: string[] }).enum ?? [];
        const missing = names.find((n) => !(n in value));
        if (missing) add([...path, missing], 'added', field, () => edited(plan, [...path, missing], (p, key) => void ((p as Record<string, Json>)[key as string] = 1)));
      }
      add([...path, 'tampered'], 'added (unknown member)', field, () => edited(plan, [...path, 'tampered'], (p, key) => void ((p as Record<string, Json>)[key as string] = true)));
      return;
    }
    // A leaf; for the `{}` placeholders of the base change schema, the variant's schema applies.
    const alternatives = Array.isArray(s.oneOf) ? (s.oneOf as Schema[]).map((x, i) => deref(x, `${d.pointer}/oneOf/${i}`).schema) : [s];
    for (const alt of alternatives) {
      for (const r of leafValues(alt, value)) add(path, `= ${r.label}`, field, () => edited(plan, path, (p, key) => void ((p as Record<string, Json>)[key as string] = r.value)));
    }
  };

  visit(plan, ROOT, '#', [], '#');
  return { edits: [...edits.values()], reached };
}
