/**
 * The shipped schemas are a public contract (editors, CI, users' files): they are pinned
 * by a snapshot of their shape and hash. Changing a schema means updating the snapshot
 * on purpose (`npx vitest run test/config/schema.test.ts -u`) and saying so in review.
 */
import { createHash } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_SCHEMA_FILE, configValidate, organizationValidate, ORGANIZATION_SCHEMA_FILE, readSchema } from '../../src/config/schema.js';
import { REPO_ROOT } from './helpers.js';

type Schema = Record<string, unknown>;

function deref(root: Schema, s: Schema): Schema {
  if (typeof s.$ref !== 'string') return s;
  const name = s.$ref.replace('#/$defs/', '');
  const { $ref: _r, ...local } = s;
  return { ...deref(root, (root.$defs as Record<string, Schema>)[name]!), ...local };
}

/** Every property schema, with its dotted path ("request.risk_approval.quote", "user_access[]"). */
function properties(root: Schema): { path: string; schema: Schema; required: boolean }[] {
  const out: { path: string; schema: Schema; required: boolean }[] = [];
  const walk = (s: Schema, path: string) => {
    const d = deref(root, s);
    const required = new Set((d.required as string[] | undefined) ?? []);
    for (const [key, child] of Object.entries((d.properties as Record<string, Schema> | undefined) ?? {})) {
      const p = path ? `${path}.${key}` : key;
      out.push({ path: p, schema: deref(root, child), required: required.has(key) });
      walk(child, p);
    }
    if (d.items) {
      out.push({ path: `${path}[]`, schema: deref(root, d.items as Schema), required: false });
      walk(d.items as Schema, `${path}[]`);
    }
  };
  walk(root, '');
  return out;
}

function shape(root: Schema): string {
  const lines = properties(root).map(({ path, schema: s, required }) => {
    const facts = [
      String(s.type ?? '?'),
      s.enum ? `enum=${(s.enum as string[]).join('|')}` : '',
      s.format ? `format=${String(s.format)}` : '',
      s.pattern ? `pattern=${String(s.pattern)}` : '',
      ...['minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems'].map((k) => (s[k] !== undefined ? `${k}=${String(s[k])}` : '')),
      s.uniqueItems ? 'unique' : '',
      s.additionalProperties === false ? 'closed' : '',
      required ? 'required' : '',
    ].filter(Boolean);
    return `${path}: ${facts.join(' ')}`;
  });
  const sha = createHash('sha256').update(JSON.stringify(root)).digest('hex');
  return [`$id: ${String(root.$id)}`, `sha256: ${sha}`, `if: ${JSON.stringify(root.if ?? null)}`, `then: ${JSON.stringify(root.then ?? null)}`, ...lines, ''].join('\n');
}

/** Object schemas outside if/then (conditions must stay open). */
function objectSchemas(root: Schema): { where: string; schema: Schema }[] {
  const out: { where: string; schema: Schema }[] = [];
  const walk = (s: unknown, where: string) => {
    if (!s || typeof s !== 'object') return;
    if (Array.isArray(s)) return s.forEach((x, i) => walk(x, `${where}/${i}`));
    const o = s as Schema;
    if (o.type === 'object' && o.properties) out.push({ where, schema: o });
    for (const [k, v] of Object.entries(o)) {
      if (k === 'if' || k === 'then' || k === 'examples') continue;
      walk(v, `${where}/${k}`);
    }
  };
  walk(root, '#');
  return out;
}

describe.each([
  [ORGANIZATION_SCHEMA_FILE, 'https://orgshare.dev/schema/organization.schema.json'],
  [CONFIG_SCHEMA_FILE, 'https://orgshare.dev/schema/config.schema.json'],
])('%s', (file, id) => {
  const schema = readSchema(file);

  it('is a valid JSON Schema 2020-12 document with its $id', () => {
    const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
    addFormats.default(ajv);
    expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(id);
    expect(schema.$defs).toBeTypeOf('object');
  });

  it('closes every object (additionalProperties: false)', () => {
    const objects = objectSchemas(schema);
    expect(objects.length).toBeGreaterThan(2);
    for (const { where, schema: s } of objects) expect(s.additionalProperties, where).toBe(false);
  });

  it('gives every property a description and examples for editors', () => {
    for (const { path, schema: s } of properties(schema)) {
      expect(typeof s.description, `${path}.description`).toBe('string');
      expect(Array.isArray(s.examples) && (s.examples as unknown[]).length > 0, `${path}.examples`).toBe(true);
    }
  });

  it('is pinned: shape and hash match the committed snapshot', async () => {
    await expect(shape(schema)).toMatchFileSnapshot(`./__snapshots__/${file.replace('.json', '.shape.txt')}`);
  });
});

describe('schema examples', () => {
  /** Puts `value` at the dotted path (with [] = first item) inside a copy of `base`. */
  function withValue(base: unknown, path: string, value: unknown): { doc: unknown; pointer: string } {
    const doc = structuredClone(base) as Record<string, unknown>;
    const segments = path.replace(/\[\]/g, '.0').split('.');
    let cur: Record<string, unknown> | unknown[] = doc;
    let pointer = '';
    segments.forEach((seg, i) => {
      pointer += `/${seg}`;
      const last = i === segments.length - 1;
      const key = /^\d+$/.test(seg) ? Number(seg) : seg;
      if (last) (cur as Record<string | number, unknown>)[key] = value;
      else {
        const next = (cur as Record<string | number, unknown>)[key];
        const fresh = /^\d+$/.test(segments[i + 1]!) ? [] : {};
        if (next === undefined || next === null || typeof next !== 'object') (cur as Record<string | number, unknown>)[key] = fresh;
        cur = (cur as Record<string | number, unknown>)[key] as Record<string, unknown>;
      }
    });
    return { doc, pointer };
  }

  it.each([
    ['organization', ORGANIZATION_SCHEMA_FILE, organizationValidate],
    ['config', CONFIG_SCHEMA_FILE, configValidate],
  ] as const)('of the %s schema are themselves valid values', (_name, file, validator) => {
    const schema = readSchema(file);
    const base = file === ORGANIZATION_SCHEMA_FILE ? parseYaml(readFileSync(join(REPO_ROOT, 'orgs/acme-corp.yaml'), 'utf8')) : {};
    const validate = validator();
    for (const { path, schema: s } of properties(schema)) {
      for (const example of (s.examples as unknown[]) ?? []) {
        const { doc, pointer } = withValue(base, path, example);
        validate(doc);
        // Errors elsewhere (an example grant without its siblings) are not this example's.
        const own = (validate.errors ?? []).filter((e) => e.instancePath === pointer || e.instancePath.startsWith(`${pointer}/`));
        expect(own, `${path}: ${JSON.stringify(example)}`).toEqual([]);
      }
    }
  });
});
