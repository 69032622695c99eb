/**
 * What already exists in `orgs/`: which organization id each file manages. Read leniently
 * (a file that does not parse manages nothing here; `validate` reports it), because import
 * must never create a second file for an organization that already has one.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { parseDocument } from 'yaml';

export interface ExistingFile {
  /** Path relative to the config dir, forward slashes (e.g. "orgs/acme-corp.yaml"). */
  file: string;
  orgId: number | null;
  /** Parsed content (comments dropped), null when the file does not parse. */
  data: unknown;
}

async function walk(root: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: string[] = [];
  for (const e of entries) {
    const path = join(root, e.name);
    if (e.isDirectory()) out.push(...(await walk(path)));
    else if (/\.ya?ml$/i.test(e.name)) out.push(path);
  }
  return out;
}

export async function existingOrgFiles(dir: string): Promise<ExistingFile[]> {
  const files = (await walk(join(dir, 'orgs'))).sort();
  const out: ExistingFile[] = [];
  for (const path of files) {
    const file = relative(dir, path).split(sep).join('/');
    let data: unknown = null;
    let orgId: number | null = null;
    try {
      const doc = parseDocument(await readFile(path, 'utf8'), { uniqueKeys: false });
      if (doc.errors.length === 0) data = doc.toJS({ maxAliasCount: 10 });
      const id = doc.getIn(['organization', 'id']);
      const n = typeof id === 'number' ? id : typeof id === 'string' && /^\d+$/.test(id) ? Number(id) : NaN;
      if (Number.isSafeInteger(n)) orgId = n;
    } catch {
      // Unparseable: manages nothing as far as import is concerned.
    }
    out.push({ file, orgId, data });
  }
  return out;
}

/** Lowercased emails of the `user_access` entries of a parsed file. */
export function declaredGrantEmails(data: unknown): string[] {
  const list = data && typeof data === 'object' ? (data as { user_access?: unknown }).user_access : undefined;
  if (!Array.isArray(list)) return [];
  return list
    .map((g) => (g && typeof g === 'object' ? (g as { email?: unknown }).email : undefined))
    .filter((e): e is string => typeof e === 'string')
    .map((e) => e.toLowerCase());
}

/** Structural equality of plain YAML data (objects, arrays, scalars). */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameData(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return (
      sameData(ka, kb) && ka.every((k) => sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return false;
}
