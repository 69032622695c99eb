/**
 * The effects of `orgshare history` (docs/history-and-review.md): read, through a
 * read-only adapter, the organizations (show_many), the account's audit log in cursor
 * pages filtered by source type and time (never one request per organization), the users
 * it names (show_many), the comments of the request tickets named in the files, and git.
 */
import { RemoteError } from '../errors.js';
import type { AuditEntry } from '../model/audit.js';
import type { DesiredOrg } from '../model/desired.js';
import type { ObservedUser } from '../model/observed.js';
import { readTicketComments } from '../remote/comments.js';
import type { Adapter } from '../remote/types.js';
import { auditChange, isManagedChange } from './audit-changes.js';
import type { HistoryInput, HistoryOrgInput } from './compute.js';
import { readGitHistory } from './git.js';

/** The earliest time asked of the audit log when no --since is given. */
const BEGINNING = '2000-01-01T00:00:00Z';

export interface CollectOptions {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Organizations to tell the history of (managed or not). */
  orgIds: number[];
  desired: DesiredOrg[];
  since: string | null;
  now: Date;
  generatedAt: string;
  account: { subdomain: string | null; baseUrl: string };
  progress?: (text: string) => void;
}

/** Audit entries that change what orgshare manages, for these organizations (users: all). */
async function readAudit(
  adapter: Adapter,
  orgIds: Set<number>,
  from: string,
  to: string,
  progress: (t: string) => void,
): Promise<{ available: true; entries: AuditEntry[] } | { available: false; reason: string }> {
  const entries: AuditEntry[] = [];
  try {
    for (const sourceType of ['organization', 'user'] as const) {
      let pages = 0;
      for await (const page of adapter.auditLogPages({ sourceType, from, to })) {
        progress(`history: audit log (${sourceType}) page ${++pages}`);
        for (const e of page) {
          if (sourceType === 'organization' && !orgIds.has(e.sourceId)) continue;
          if (isManagedChange(auditChange(e))) entries.push(e);
        }
      }
    }
  } catch (err) {
    if (err instanceof RemoteError && (err.status === 403 || err.status === 404)) {
      return { available: false, reason: `the audit log is not available to this account or token (HTTP ${err.status}; audit logs need Zendesk Enterprise and an admin)` };
    }
    throw err;
  }
  return { available: true, entries };
}

export async function collectHistory(adapter: Adapter, opts: CollectOptions): Promise<HistoryInput> {
  const progress = opts.progress ?? (() => undefined);
  const byId = new Map(opts.desired.map((d) => [d.id, d]));
  progress('history: organizations');
  const live = new Map((await adapter.showOrganizations(opts.orgIds)).map((o) => [o.id, o]));
  const orgs: HistoryOrgInput[] = opts.orgIds.map((id) => ({ id, live: live.get(id) ?? null, desired: byId.get(id) ?? null }));

  const me = await adapter.me();
  const from = opts.since ? new Date(Date.parse(`${opts.since}T00:00:00Z`) - 86_400_000).toISOString() : BEGINNING;
  const audit = await readAudit(adapter, new Set(opts.orgIds), from, opts.now.toISOString(), progress);

  // Request evidence: the comments of every ticket whose approval a file cites (a
  // private organization's request carries no approval to date: its ticket is not read).
  const tickets = new Set<number>();
  for (const o of orgs) {
    const d = o.desired;
    if (!d) continue;
    if (d.request?.riskApproval) tickets.add(d.request.ticket.id);
    for (const g of d.userAccess) if (g.riskApproval) tickets.add(g.ticket.id);
    for (const p of d.partners) if (p.consent) tickets.add(p.ticket.id);
  }
  const comments = await readTicketComments(adapter, [...tickets], (done, total) => progress(`history: request evidence ${done}/${total}`));

  // Users named anywhere: audit actors and subjects, comment authors; then keep user
  // audit entries only for users of these organizations.
  const userIds = new Set<number>();
  if (audit.available) {
    for (const e of audit.entries) {
      if (e.actorId !== null) userIds.add(e.actorId);
      if (e.sourceType === 'user') userIds.add(e.sourceId);
    }
  }
  for (const list of comments.values()) for (const c of list) userIds.add(c.authorId);
  progress('history: users');
  const users = new Map<number, ObservedUser>((await adapter.showUsers([...userIds])).map((u) => [u.id, u]));
  users.set(me.id, me);
  const wanted = new Set(opts.orgIds);
  const auditFinal = audit.available
    ? {
        available: true as const,
        entries: audit.entries.filter((e) => e.sourceType !== 'user' || wanted.has(users.get(e.sourceId)?.organizationId ?? 0)),
      }
    : audit;

  progress('history: git');
  const git = await readGitHistory(opts.dir, orgs.flatMap((o) => (o.desired ? [o.desired.file] : [])), opts.env);

  return {
    generatedAt: opts.generatedAt,
    account: opts.account,
    since: opts.since,
    orgs,
    audit: auditFinal,
    users,
    apiUserId: me.id,
    git,
    comments,
  };
}
