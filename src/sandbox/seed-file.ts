/**
 * Seed files for `orgshare sandbox --seed FILE`: JSON or YAML (by extension, else by
 * content) in the SeedData shape of src/sandbox/types.ts (the default seed is an example).
 * Checked enough to give a clear message instead of a crash deep in the store.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { SeedData } from './types.js';

export async function loadSeedFile(file: string): Promise<SeedData> {
  const text = await readFile(file, 'utf8');
  let data: unknown;
  try {
    data = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new Error(`seed file ${file}: cannot parse: ${err instanceof Error ? err.message : String(err)}`);
  }
  return checkSeed(data, file);
}

export function checkSeed(data: unknown, where = 'seed'): SeedData {
  const problems: string[] = [];
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error(`${where}: expected an object with organizations and users`);
  const d = data as Record<string, unknown>;
  const list = (key: string, required: boolean, check: (item: Record<string, unknown>, i: number) => void) => {
    const v = d[key];
    if (v === undefined && !required) return;
    if (!Array.isArray(v)) {
      problems.push(`${key} must be a list`);
      return;
    }
    v.forEach((item, i) => {
      if (!item || typeof item !== 'object') problems.push(`${key}[${i}] must be an object`);
      else check(item as Record<string, unknown>, i);
    });
  };
  const num = (key: string, item: Record<string, unknown>, field: string, i: number) => {
    if (typeof item[field] !== 'number' || !Number.isInteger(item[field])) problems.push(`${key}[${i}].${field} must be an integer`);
  };
  list('organizations', true, (o, i) => {
    num('organizations', o, 'id', i);
    if (typeof o.name !== 'string') problems.push(`organizations[${i}].name must be a string`);
  });
  list('users', true, (u, i) => num('users', u, 'id', i));
  list('memberships', false, (m, i) => {
    num('memberships', m, 'user_id', i);
    num('memberships', m, 'organization_id', i);
  });
  list('tickets', false, (t, i) => {
    num('tickets', t, 'id', i);
    num('tickets', t, 'requester_id', i);
  });
  list('ticket_fields', false, (f, i) => num('ticket_fields', f, 'id', i));
  if (problems.length) throw new Error(`${where}: ${problems.join('; ')}`);
  return data as SeedData;
}
