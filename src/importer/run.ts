/**
 * Import, effectful part: reads live Zendesk through a read-only adapter and writes
 * `orgs/*.yaml`. Never writes to Zendesk (the adapter's transport refuses it anyway), and
 * never replaces a file without `force`: not the slug's file, and not a file that manages
 * the same organization id under another name (with `force` that file is replaced in place,
 * so an organization never ends up with two files).
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import type { ObservedOrg, ObservedUser } from '../model/observed.js';
import type { Adapter } from '../remote/types.js';
import { lastHistoryEntry } from '../records/details.js';
import { ticketOnAccount, type TicketAccount } from '../records/tickets.js';
import { mapLimit } from '../remote/adapter.js';
import { buildImport, slugify, type ImportRecord } from './build.js';
import { declaredGrantEmails, existingOrgFiles, sameData } from './files.js';
import { importData, renderImportYaml } from './yaml.js';
import { schemaModelinePath } from '../package-info.js';

/**
 * written/overwritten: the file was (re)written. unchanged: an existing file for the org
 * already says exactly this. kept: an existing file for the org differs and was left alone
 * (no --force). skipped: could not be imported (not found, no Details history, name clash).
 */
export type ImportStatus = 'written' | 'overwritten' | 'unchanged' | 'kept' | 'skipped';

export interface ImportResult {
  orgId: number;
  orgName: string | null;
  status: ImportStatus;
  /** Named with --org (a `kept` result then fails the command). */
  requested: boolean;
  file?: string;
  sharing?: string;
  ticket?: string;
  reason?: string;
  warnings: string[];
  notes?: string[];
}

export interface ImportReport {
  formatVersion: 1;
  generatedAt: string;
  date: string;
  results: ImportResult[];
}

export interface ImportOptions {
  /** Config repository; files go to `<dir>/orgs/`. */
  dir: string;
  orgIds: number[];
  /** Also import every organization shared in Zendesk (cursor scan). */
  shared: boolean;
  /** Also import every organization of the account (cursor scan; never-shared ones as baseline files). */
  all?: boolean;
  force: boolean;
  /** UTC date of the import (YYYY-MM-DD), written in each file's header comment. */
  date: string;
  generatedAt: string;
  subdomain: string | null;
  /** `ticket_hosts` of the account policy: tickets there are read like the subdomain's. */
  ticketHosts?: readonly string[];
  /** Per-organization member reads in flight at once. */
  concurrency?: number;
  progress?: (text: string) => void;
}

/**
 * True when the import should exit 1: an organization could not be imported, or one named
 * with --org was kept because its file exists. Files kept during a `--shared` scan are the
 * normal state of a migrated repository and do not fail the run.
 */
export function importFailed(report: ImportReport): boolean {
  return report.results.some((r) => r.status === 'skipped' || (r.status === 'kept' && r.requested));
}

async function selectOrgs(adapter: Adapter, opts: ImportOptions): Promise<{ orgs: ObservedOrg[]; missing: number[] }> {
  const byId = new Map<number, ObservedOrg>();
  const wanted = [...new Set(opts.orgIds)];
  if (wanted.length > 0) for (const o of await adapter.showOrganizations(wanted)) byId.set(o.id, o);
  const missing = wanted.filter((id) => !byId.has(id));
  if (opts.shared || opts.all) {
    let seen = 0;
    for await (const page of adapter.organizationPages()) {
      seen += page.length;
      opts.progress?.(`scanning organizations ${seen}`);
      for (const o of page) if (o.sharedTickets || opts.all) byId.set(o.id, o);
    }
  }
  return { orgs: [...byId.values()].sort((a, b) => a.id - b.id), missing };
}

/** Emails of the requesters of the tickets named in the orgs' last Details lines. */
async function requesters(adapter: Adapter, orgs: ObservedOrg[], account: TicketAccount): Promise<Map<number, string>> {
  const ticketIds = new Set<number>();
  for (const org of orgs) {
    const e = lastHistoryEntry(org.details);
    if (e?.ticketId != null && ticketOnAccount(e.host, account) !== false) ticketIds.add(e.ticketId);
  }
  const out = new Map<number, string>();
  if (ticketIds.size === 0) return out;
  const tickets = await adapter.showTickets([...ticketIds]);
  const users = await adapter.showUsers([...new Set(tickets.map((t) => t.requesterId))]);
  const emailOf = new Map(users.filter((u) => u.email).map((u) => [u.id, u.email!]));
  for (const t of tickets) {
    const email = emailOf.get(t.requesterId);
    if (email) out.set(t.id, email);
  }
  return out;
}

export async function runImport(adapter: Adapter, opts: ImportOptions): Promise<ImportReport> {
  const { orgs, missing } = await selectOrgs(adapter, opts);
  const results: ImportResult[] = missing.map((id) => ({
    orgId: id,
    orgName: null,
    status: 'skipped',
    requested: true,
    reason: 'organization not found in Zendesk',
    warnings: [],
  }));

  const withHistory = orgs.filter((o) => lastHistoryEntry(o.details) !== null);
  const requesterByTicket = await requesters(adapter, withHistory, { subdomain: opts.subdomain, ticketHosts: opts.ticketHosts ?? [] });
  let read = 0;
  const members = new Map<number, ObservedUser[]>();
  await mapLimit(withHistory, opts.concurrency ?? 4, async (org) => {
    members.set(org.id, await adapter.organizationUsers(org.id));
    opts.progress?.(`reading members of organizations with history ${++read}/${withHistory.length}`);
  });

  const existing = await existingOrgFiles(opts.dir);
  const fileOfOrg = new Map<number, (typeof existing)[number]>();
  for (const f of existing) if (f.orgId !== null && !fileOfOrg.has(f.orgId)) fileOfOrg.set(f.orgId, f);
  const taken = new Set(existing.map((f) => f.file));
  const requested = new Set(opts.orgIds);
  const homes = grantHomes(withHistory, members, existing, fileOfOrg, opts.force);

  for (const org of orgs) {
    const entry = lastHistoryEntry(org.details);
    const built = buildImport({
      org,
      requesterEmail: entry?.ticketId != null ? requesterByTicket.get(entry.ticketId) ?? null : null,
      members: members.get(org.id),
      subdomain: opts.subdomain,
      ticketHosts: opts.ticketHosts ?? [],
      grantsElsewhere: new Map([...homes].filter(([, home]) => home.orgId !== org.id).map(([email, home]) => [email, home.where])),
    });
    if (!built.ok) {
      results.push({ orgId: org.id, orgName: org.name, status: 'skipped', requested: requested.has(org.id), reason: built.reason, warnings: [] });
      continue;
    }
    results.push(await place(built.record, org, fileOfOrg.get(org.id), taken, opts, requested.has(org.id)));
  }
  results.sort((a, b) => a.orgId - b.orgId);
  return { formatVersion: 1, generatedAt: opts.generatedAt, date: opts.date, results };
}

/**
 * Where each user-level grant is declared: a grant lives in exactly one file (a user's
 * ticket access is one setting for all their organizations). An existing file that is not
 * about to be replaced keeps its grants; otherwise the user's default organization wins,
 * then the lowest organization id among those imported.
 */
function grantHomes(
  orgs: ObservedOrg[],
  members: Map<number, ObservedUser[]>,
  existing: { file: string; orgId: number | null; data: unknown }[],
  fileOfOrg: Map<number, { file: string }>,
  force: boolean,
): Map<string, { orgId: number | null; where: string }> {
  const importing = new Set(orgs.map((o) => o.id));
  const homes = new Map<string, { orgId: number | null; where: string }>();
  for (const f of existing) {
    // Only a file about to be replaced (--force) gives its grants up; a kept file keeps them.
    if (force && f.orgId !== null && importing.has(f.orgId) && fileOfOrg.get(f.orgId)?.file === f.file) continue;
    for (const email of declaredGrantEmails(f.data)) if (!homes.has(email)) homes.set(email, { orgId: f.orgId, where: f.file });
  }
  const candidates = new Map<string, { user: ObservedUser; orgIds: number[] }>();
  for (const org of orgs) {
    for (const u of members.get(org.id) ?? []) {
      if (u.role !== 'end-user' || u.ticketRestriction !== 'organization' || !u.email) continue;
      const email = u.email.toLowerCase();
      const c = candidates.get(email) ?? { user: u, orgIds: [] };
      c.orgIds.push(org.id);
      candidates.set(email, c);
    }
  }
  const nameOf = new Map(orgs.map((o) => [o.id, o.name]));
  for (const [email, { user, orgIds }] of candidates) {
    if (homes.has(email)) continue;
    const home = user.organizationId !== null && orgIds.includes(user.organizationId) ? user.organizationId : Math.min(...orgIds);
    homes.set(email, { orgId: home, where: `the file for ${nameOf.get(home)} (${home})` });
  }
  return homes;
}

/** Decides the file (existing one for this id, else a free slug name) and writes it. */
async function place(
  record: ImportRecord,
  org: ObservedOrg,
  current: { file: string; data: unknown } | undefined,
  taken: Set<string>,
  opts: ImportOptions,
  requested: boolean,
): Promise<ImportResult> {
  const base: ImportResult = {
    orgId: org.id,
    orgName: org.name,
    status: 'written',
    requested,
    sharing: record.sharing,
    ...(record.ticket !== null ? { ticket: record.ticket } : {}),
    warnings: record.warnings,
    notes: record.notes,
  };
  let file: string;
  if (current) {
    file = current.file;
    if (current.data !== null && sameData(current.data, importData(record))) return { ...base, status: 'unchanged', file };
    if (!opts.force) {
      return {
        ...base,
        status: 'kept',
        file,
        reason: `${file} already manages this organization and differs from live state: not overwritten (use --force to replace it)`,
      };
    }
  } else {
    const slug = slugify(org.name, org.id);
    file = `orgs/${slug}.yaml`;
    if (taken.has(file)) {
      // The slug's file manages another organization (or none we could read): never touch it.
      file = `orgs/${slug}-${org.id}.yaml`;
      if (taken.has(file) && !opts.force) {
        return { ...base, status: 'skipped', file, reason: `${file} already exists: not overwritten (use --force to replace it)` };
      }
    }
  }
  const schemaPath = schemaModelinePath(opts.dir, file, 'organization.schema.json');
  const path = join(opts.dir, file);
  await mkdir(dirname(path), { recursive: true });
  await writeNoFollow(opts.dir, file, renderImportYaml(record, { date: opts.date, schemaPath }));
  taken.add(file);
  return { ...base, status: current ? 'overwritten' : 'written', file };
}

/**
 * Writes a file of the repository without following a symbolic link, neither `orgs/`
 * itself nor the file: a link would send the write outside the reviewed tree
 * (docs/security.md). Refuses with a UsageError instead.
 */
async function writeNoFollow(dir: string, file: string, text: string): Promise<void> {
  const parent = join(dir, dirname(file));
  if ((await lstat(parent)).isSymbolicLink()) {
    throw new UsageError(`${dirname(file)}/ is a symbolic link: import does not write through links`, 'replace the link with a real directory');
  }
  let handle;
  try {
    handle = await open(join(dir, file), constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0), 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new UsageError(`${file} is a symbolic link: import does not write through links`, 'remove the link and import again');
    }
    throw err;
  }
  try {
    await handle.writeFile(text, 'utf8');
  } finally {
    await handle.close();
  }
}
