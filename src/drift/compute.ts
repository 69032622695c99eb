/**
 * Drift: the pure comparison between what the files declare and what a read-only scan of
 * Zendesk saw. Effects (the scan, the audit-log look-ups) live in src/commands/drift.ts;
 * this module only decides what counts as drift.
 *
 * Managed organizations are not compared here: the scan becomes an observed state and the
 * planner runs on it (`plan()`), so every difference plan would act on is drift and
 * nothing else is (docs/drift-and-import.md "Drift"). Each change the plan makes, except
 * the finish kinds (a confirmation comment still due on a change already live), becomes
 * one item:
 * - `managed_missing`: a managed organization id no longer exists in Zendesk.
 * - `managed_differs`: a managed organization's live sharing is not the declared one.
 * - `partner_differs`: a declared partner domain is missing from the live domain_names.
 * - `grant_differs`: a declared grant whose live restriction plan would change.
 * Baseline files (no request) make no change: the plan check `baseline` blocks instead,
 * so a shared (or missing) baseline organization is added here as `managed_differs`
 * (`managed_missing`).
 * Beside the plan, the account-wide scan finds what no file manages:
 * - `unmanaged_shared`: an organization is shared in Zendesk and no file manages it.
 * - `undeclared_grant`: an end-user has `ticket_restriction: organization` and no file
 *   declares a grant for that email (docs/access.md: a user-level grant makes the user
 *   see every ticket of their organizations even when the organization is private).
 * - `overdue_attestation`: a grant whose newest approval is older than `reattest_after`
 *   days (decided by src/review/attest.ts; passed in as `overdue`).
 *
 * Agents and admins are never reported as grants: their `ticket_restriction` is an agent
 * permission (groups/assigned/organization scoping of agents), not end-user sharing.
 */
import type { DesiredState } from '../model/desired.js';
import { emptyObserved, type Observed, type ObservedOrg, type ObservedUser } from '../model/observed.js';
import { isFinish, type Change, type Plan } from '../model/plan.js';
import { DEFAULT_POLICY, type Policy } from '../model/policy.js';
import type { AuditInfo, DriftItem, DriftReport } from '../model/reports.js';
import { sharingFromFlags, type Sharing } from '../model/sharing.js';
import { plan } from '../plan/plan.js';
import { baselineMismatches } from '../plan/baseline.js';

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
  /** The account policy the plan is made with (default: the built-in one). */
  policy?: Policy;
  /** Overdue attestations (computed from the files' approvals when `reattest_after` is set). */
  overdue?: DriftItem[];
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

/**
 * The scan as the planner's observed state: every managed organization (null when the
 * scan did not find it) and every user named in a grant (null when no user has that
 * email: the user scan read the whole account). No tickets: drift reads no evidence.
 */
export function observedFromScan(desired: DesiredState, scan: DriftScan, account: DriftOptions['account']): Observed {
  const observed = emptyObserved(account.baseUrl, account.subdomain);
  const live = new Map(orgList(scan.orgs).map((o) => [o.id, o]));
  for (const org of desired.orgs) observed.orgs.set(org.id, live.get(org.id) ?? null);
  for (const u of userList(scan.grantUsers)) {
    observed.users.set(u.id, u);
    if (u.email) observed.usersByEmail.set(u.email.toLowerCase(), u);
  }
  for (const org of desired.orgs) {
    for (const g of org.userAccess) {
      const email = g.email.toLowerCase();
      if (!observed.usersByEmail.has(email)) observed.usersByEmail.set(email, null);
    }
  }
  return observed;
}

/** Items ordered for stable output: by kind, then organization id, then user id or domain. */
const KIND_ORDER: Record<DriftItem['kind'], number> = {
  managed_missing: 0,
  managed_differs: 1,
  partner_differs: 2,
  unmanaged_shared: 3,
  grant_differs: 4,
  undeclared_grant: 5,
  overdue_attestation: 6,
};

function compareItems(a: DriftItem, b: DriftItem): number {
  const org = (i: DriftItem) => ('orgId' in i && i.orgId !== null ? i.orgId : 0);
  const user = (i: DriftItem) => ('userId' in i ? i.userId : 0);
  const domain = (i: DriftItem) => (i.kind === 'partner_differs' ? i.domain : '');
  return KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || org(a) - org(b) || user(a) - user(b) || (domain(a) < domain(b) ? -1 : domain(a) > domain(b) ? 1 : 0);
}

/** The drift item for one planned change (null for the finish kinds and what a missing organization already covers). */
function itemOf(change: Change, live: ObservedOrg | undefined): DriftItem | null {
  if (isFinish(change)) return null;
  switch (change.kind) {
    case 'enable':
    case 'change_type':
    case 'disable':
      if (!live) return { kind: 'managed_missing', orgId: change.orgId, orgName: change.orgName, file: change.file };
      return { kind: 'managed_differs', orgId: change.orgId, orgName: live.name, file: change.file, declared: change.to, live: change.from };
    case 'partner_add':
    case 'partner_remove':
      // A missing organization is reported once, as managed_missing.
      if (!live) return null;
      return {
        kind: 'partner_differs',
        orgId: change.orgId,
        orgName: live.name,
        file: change.file,
        domain: change.domain,
        declared: change.kind === 'partner_add' ? 'present' : 'absent',
        live: change.kind === 'partner_add' ? 'absent' : 'present',
      };
    case 'user_grant':
    case 'user_revoke':
      return { kind: 'grant_differs', userId: change.userId ?? 0, email: change.email, orgId: change.orgId, file: change.file, declared: change.to, live: change.from };
    case 'finish':
    case 'grant_finish':
    case 'partner_finish':
      return null;
    default: {
      const never: never = change;
      throw new Error(`unknown change ${JSON.stringify(never)}`);
    }
  }
}

export function computeDrift(desired: DesiredState, scan: DriftScan, opts: DriftOptions): DriftReport {
  const liveOrgs = new Map<number, ObservedOrg>();
  for (const org of orgList(scan.orgs)) liveOrgs.set(org.id, org);
  const observed = observedFromScan(desired, scan, opts.account);
  const planned: Plan = plan(desired, observed, opts.policy ?? DEFAULT_POLICY, {
    now: new Date(opts.generatedAt),
    allowLarge: true,
  });

  const items: DriftItem[] = [];
  const missing = new Set<number>();
  for (const change of planned.changes) {
    const item = itemOf(change, liveOrgs.get(change.orgId));
    if (!item) continue;
    if (item.kind === 'managed_missing') {
      if (missing.has(item.orgId)) continue;
      missing.add(item.orgId);
    }
    items.push(item);
  }
  // Baseline files make no change (the plan check `baseline` blocks instead): a shared or
  // missing baseline organization is drift all the same.
  for (const { org, live, sharing } of baselineMismatches(desired, observed)) {
    if (!live || sharing === null) {
      if (!missing.has(org.id)) items.push({ kind: 'managed_missing', orgId: org.id, orgName: org.name, file: org.file });
      missing.add(org.id);
    } else {
      items.push({ kind: 'managed_differs', orgId: org.id, orgName: live.name, file: org.file, declared: 'private', live: sharing });
    }
  }

  const managedIds = new Set(desired.orgs.map((o) => o.id));
  // A user declared anywhere (either access) is not "undeclared": grant_differs covers it.
  const declaredEmails = new Set(desired.orgs.flatMap((o) => o.userAccess.map((g) => g.email.toLowerCase())));
  for (const live of liveOrgs.values()) {
    if (managedIds.has(live.id)) continue;
    const now = liveSharing(live);
    if (now === 'private') continue;
    items.push({ kind: 'unmanaged_shared', orgId: live.id, orgName: live.name, live: now });
  }

  const seenUsers = new Set<number>();
  for (const u of userList(scan.grantUsers)) {
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

  items.push(...(opts.overdue ?? []));
  items.sort(compareItems);
  return {
    formatVersion: 1,
    generatedAt: opts.generatedAt,
    account: opts.account,
    managed: desired.orgs.length,
    scanned: scan.scanned,
    items,
  };
}

/** The report with who last changed each organization (audit log), where it was looked up. */
export function withAudit(report: DriftReport, audit: Map<number, AuditInfo | null>): DriftReport {
  return {
    ...report,
    items: report.items.map((item) => {
      if (item.kind !== 'managed_differs' && item.kind !== 'unmanaged_shared') return item;
      const who = audit.get(item.orgId);
      return who ? { ...item, lastChange: who } : item;
    }),
  };
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
