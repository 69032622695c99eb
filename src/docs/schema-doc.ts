/**
 * Generates docs/file-format.md and docs/config-format.md from the JSON Schemas, so the
 * reference can never disagree with what `validate` enforces. `npm run docs` rewrites them;
 * test/docs/schema-doc.test.ts fails when a committed doc is stale.
 */
import { readFileSync } from 'node:fs';

type Schema = {
  $ref?: string;
  $defs?: Record<string, Schema>;
  title?: string;
  description?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  examples?: unknown[];
  default?: unknown;
};

interface Row {
  path: string;
  type: string;
  required: boolean;
  description: string;
  example?: unknown;
}

function resolve(root: Schema, node: Schema): Schema {
  let merged: Schema = { ...node };
  const seen = new Set<string>();
  while (merged.$ref && !seen.has(merged.$ref)) {
    seen.add(merged.$ref);
    const name = merged.$ref.replace('#/$defs/', '');
    const target = root.$defs?.[name] ?? {};
    const { $ref: _drop, ...own } = merged;
    merged = { ...target, ...own, $ref: target.$ref };
    if (!target.$ref) delete merged.$ref;
  }
  return merged;
}

function typeOf(root: Schema, node: Schema): string {
  const s = resolve(root, node);
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(' | ');
  if (s.const !== undefined) return `\`${String(s.const)}\``;
  const base = Array.isArray(s.type) ? s.type.join(' | ') : (s.type ?? 'any');
  if (base === 'array' && s.items) return `list of ${typeOf(root, s.items)}`;
  const limits: string[] = [];
  if (s.format) limits.push(s.format);
  if (s.minimum !== undefined) limits.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined) limits.push(`≤ ${s.maximum}`);
  if (s.maxLength !== undefined) limits.push(`≤ ${s.maxLength} chars`);
  return limits.length ? `${base} (${limits.join(', ')})` : base;
}

function walk(root: Schema, node: Schema, prefix: string, required: boolean, rows: Row[]): void {
  const s = resolve(root, node);
  if (prefix) {
    rows.push({ path: prefix, type: typeOf(root, node), required, description: node.description ?? s.description ?? '', example: (node.examples ?? s.examples)?.[0] });
  }
  const props = s.properties ?? {};
  const req = new Set(s.required ?? []);
  for (const [key, child] of Object.entries(props)) walk(root, child, prefix ? `${prefix}.${key}` : key, req.has(key), rows);
  const items = s.items ? resolve(root, s.items) : undefined;
  if (items?.properties) {
    const itemReq = new Set(items.required ?? []);
    for (const [key, child] of Object.entries(items.properties)) walk(root, child, `${prefix}[].${key}`, itemReq.has(key), rows);
  }
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');
}

function example(value: unknown): string {
  if (value === undefined) return '';
  const json = JSON.stringify(value);
  return json.length > 60 ? '' : `\`${json.replace(/\|/g, '\\|')}\``;
}

export function schemaMarkdown(schemaPath: string, heading: string, intro: string): string {
  const root = JSON.parse(readFileSync(schemaPath, 'utf8')) as Schema;
  const rows: Row[] = [];
  walk(root, root, '', true, rows);
  const lines = [
    `# ${heading}`,
    '',
    '<!-- Generated from the JSON Schema by `npm run docs`; do not edit by hand. -->',
    '',
    intro,
    '',
    root.description ?? '',
    '',
    '| key | type | required | description | example |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| \`${r.path}\` | ${cell(r.type)} | ${r.required ? 'yes' : ''} | ${cell(r.description)} | ${example(r.example)} |`),
    '',
  ];
  return lines.join('\n');
}

export const GENERATED_DOCS = [
  {
    out: 'docs/file-format.md',
    schema: 'schema/organization.schema.json',
    heading: 'Organization file format (`orgs/*.yaml`)',
    intro:
      'One file per managed organization. Start the file with the modeline ' +
      '`# yaml-language-server: $schema=../schema/organization.schema.json` and editors show these ' +
      'descriptions as you type. `orgshare validate` enforces every rule below, plus the offline ' +
      'pre-checks described in [prechecks.md](prechecks.md). Unknown keys are errors.',
  },
  {
    out: 'docs/config-format.md',
    schema: 'schema/config.schema.json',
    heading: 'Account policy (`orgshare.config.yaml`)',
    intro:
      'Optional file at the root of the config repository. Every key has a default; see the ' +
      'example [`orgshare.config.yaml`](../orgshare.config.yaml).',
  },
] as const;
