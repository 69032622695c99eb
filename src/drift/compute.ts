/**
 * Drift: the pure comparison between what the files declare and what a read-only scan of
 * Zendesk saw. Effects (the scan, the audit-log look-ups) live in src/commands/drift.ts;
 * this module only decides what counts as drift.
 *
 * What counts (docs/drift-and-import.md "Drift"):
 * - `managed_differs`: a managed organization's live sharing is not the declared one.
 * - `managed_missing`: a managed organization id no longer exists in Zendesk.
 * - `unmanaged_shared`: an organization is shared in Zendesk and no file manages it.
 * - `undeclared_grant`: an end-user has `ticket_restriction: organization` and no file
 *   declares a grant for that email (docs/access.md: a user-level grant makes the user see every
 *   ticket of their organizations even when the organization is private).
 * - `grant_differs`: a declared grant whose live restriction is not the declared access.
 *
 * Agents and admins are never reported as grants: their `ticket_restriction` is an agent
 * permission (groups/assigned/organization scoping of agents), not end-user sharing.
 */
import type { DesiredOrg, DesiredState, UserAccess } from '../model/desired.js';
import type { ObservedOrg, ObservedUser, TicketRestriction } from '../model/observed.js';
import type { AuditInfo, DriftItem, DriftReport } from '../model/reports.js';
import { sharingFromFlags, type Sharing } from '../model/sharing.js';

/** What a read-only scan of the account produced (shape of remote's `scanForDrift`). */
export interface DriftScan {
  /**
   * Organizations read: at least every shared organization of the account and every
   * managed id that still exists. A managed id absent here is reported missing.
   */
  orgs: Iterable<ObservedOrg> | Map<number, ObservedOrg | null>;
  /**
   * Users relevant to grants: every end-user with `ticket_restriction: organization`
   * (whole-account scan) plus the users named in declared grants, when they exist.
   */
  grantUsers: Iterable<ObservedUser> | Map<number, ObservedUser>;
  scanned: { organizations: number; users: number };
}

export interface DriftOptions {
  generatedAt: string;
  account: { subdomain: string | null; baseUrl: string };
  /** Last sharing change per organization id (audit log), for drifted orgs only. */
  audit?: Map<number, AuditInfo | null>;
}

export function liveSharing(org: ObservedOrg): Sharing {
  return sharingFromFlags({ shared_tickets: org.sharedTickets, shared_comments: org.sharedComments });
}

function orgList(orgs: DriftScan['orgs']): ObservedOrg[] {
  const out: ObservedOrg[] = [];
  for (const entry of orgs instanceof Map ? orgs.values() : orgs) if (entry) out.push(entry);
  return out;
}

function userList(users: DriftScan['grantUsers']): ObservedUser[] {
  return [...(users instanceof Map ? users.values() : users)];
}

/** The restriction a declared access corresponds to in Zendesk. */
function restrictionOf(access: UserAccess): TicketRestriction {
  return access;
}

/**
 * A live restriction matches a declared one. Zendesk answers `null` for end-users that
 * never had a restriction set, which behaves like `requested`.
 */
function grantMatches(declared: UserAccess, live: TicketRestriction): boolean {
  if (declared === 'organization') return live === 'organization';
  return live !== 'organization';
}

/** Items ordered for stable output: by kind, then organization id, then user id. */
const KIND_ORDER: Record<DriftItem['kind'], number> = {
  managed_missing: 0,
  managed_differs: 1,
  unmanaged_shared: 2,
  grant_differs: 3,
  undeclared_grant: 4,
};

function sortKey(item: DriftItem): [number, number, number] {
  const org = 'orgId' in item && item.orgId !== null ? item.orgId : 0;
  const user = 'userId' in item ? item.userId : 0;
  return [KIND_ORDER[item.kind], org, user];
}

export function computeDrift(desired: DesiredState, scan: DriftScan, opts: DriftOptions): DriftReport {
  const liveOrgs = new Map<number, ObservedOrg>();
  for (const org of orgList(scan.orgs)) liveOrgs.set(org.id, org);
  const users = userList(scan.grantUsers);
  const usersByEmail = new Map<string, ObservedUser>();
  for (const u of users) if (u.email) usersByEmail.set(u.email.toLowerCase(), u);
  const audit = (orgId: number): AuditInfo | undefined => opts.audit?.get(orgId) ?? undefined;

  const items: DriftItem[] = [];
  const managedIds = new Set<number>();
  const declaredEmails = new Set<string>();

  for (const org of desired.orgs) {
    managedIds.add(org.id);
    const live = liveOrgs.get(org.id);
    if (!live) {
      items.push({ kind: 'managed_missing', orgId: org.id, orgName: org.name, file: org.file });
    } else {
      const now = liveSharing(live);
      if (now !== org.sharing) {
        const item: DriftItem = {
          kind: 'managed_differs',
          orgId: org.id,
          orgName: live.name,
          file: org.file,
          declared: org.sharing,
          live: now,
        };
        const who = audit(org.id);
        if (who) item.lastChange = who;
        items.push(item);
      }
    }
    items.push(...grantDrift(org, usersByEmail));
    // A user declared anywhere (either access) is not "undeclared": grant_differs covers it.
    for (const g of org.userAccess) declaredEmails.add(g.email.toLowerCase());
  }

  for (const live of liveOrgs.values()) {
    if (managedIds.has(live.id)) continue;
    const now = liveSharing(live);
    if (now === 'private') continue;
    const item: DriftItem = { kind: 'unmanaged_shared', orgId: live.id, orgName: live.name, live: now };
    const who = audit(live.id);
    if (who) item.lastChange = who;
    items.push(item);
  }

  const seenUsers = new Set<number>();
  for (const u of users) {
    if (seenUsers.has(u.id)) continue;
    seenUsers.add(u.id);
    if (u.role !== 'end-user' || u.ticketRestriction !== 'organization') continue;
    if (u.email && declaredEmails.has(u.email.toLowerCase())) continue;
    const org = u.organizationId !== null ? liveOrgs.get(u.organizationId) : undefined;
    items.push({
      kind: 'undeclared_grant',
      userId: u.id,
      email: u.email,
      orgId: u.organizationId,
      orgName: org?.name ?? null,
    });
  }

  items.sort((a, b) => {
    const ka = sortKey(a);
    const kb = sortKey(b);
    return ka[0] - kb[0] || ka[1] - kb[1] || ka[2] - kb[2];
  });

  return {
    formatVersion: 1,
    generatedAt: opts.generatedAt,
    account: opts.account,
    managed: desired.orgs.length,
    scanned: scan.scanned,
    items,
  };
}

function grantDrift(org: DesiredOrg, usersByEmail: Map<string, ObservedUser>): DriftItem[] {
  const out: DriftItem[] = [];
  for (const grant of org.userAccess) {
    const user = usersByEmail.get(grant.email.toLowerCase());
    const live: TicketRestriction = user ? user.ticketRestriction : null;
    if (grantMatches(grant.access, live)) continue;
    out.push({
      kind: 'grant_differs',
      userId: user?.id ?? 0,
      email: grant.email,
      orgId: org.id,
      file: org.file,
      declared: restrictionOf(grant.access),
      live,
    });
  }
  return out;
}

/**
 * Organization ids worth an audit-log look-up: the drifted ones, first `limit` in report
 * order. Bounded because each look-up is one request (and audit logs may be unavailable
 * on smaller plans).
 */
export function auditTargets(report: DriftReport, limit = 25): number[] {
  const ids: number[] = [];
  for (const item of report.items) {
    if (item.kind !== 'managed_differs' && item.kind !== 'unmanaged_shared') continue;
    if (!ids.includes(item.orgId)) ids.push(item.orgId);
    if (ids.length >= limit) break;
  }
  return ids;
}

/** True when the report has anything to act on (exit code 2). */
export function hasDrift(report: DriftReport): boolean {
  return report.items.length > 0;
}
