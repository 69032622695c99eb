/**
 * The read side of plan and drift: effects only, no decisions. `observeForPlan` reads
 * what `plan()` needs and nothing more, in bulk:
 *
 *   users/me ............................................. 1
 *   organizations/show_many (all managed) ................ ⌈N/100⌉
 *   organizations/{id}/users (orgs declaring user_access)  1 per such org (per 100 members)
 *   tickets/show_many (tickets of interesting orgs) ...... ⌈T/100⌉
 *   tickets/{id}/comments ................................ 1 per ticket whose evidence is needed
 *   users/show_many (comment authors, requesters) ........ ⌈U/100⌉
 *   organizations/{id}/users, users/search ............... only for file emails still unknown
 *   users/{id}/organization_memberships .................. 1 per approver / granted user /
 *                                                          requester of a widening request
 *                                                          (only when their default
 *                                                          organization is another one)
 *   ticket_fields ........................................ 1, only when a ticket step may run
 *
 * An organization is *interesting* — and only then is evidence read for it — when
 * (a) its live sharing differs from the file, (b) live equals the file but the last
 *     sharing line of its Details names the file's request ticket (a crash may have left
 *     the comment/solve undone: the ticket is read, its comments only while it is open),
 * (c) it declares user_access and a declared user's live ticket_restriction differs (or
 *     equals it — a grant or a revoke — while the user's notes' last access line names
 *     the entry's ticket), or
 * (d) it declares a partner domain missing from its live domain_names (or present while
 *     the last Details partner line for that domain names the entry's ticket).
 * The "converged but recorded" tickets of (b)–(d) are read with the others (one
 * show_many per 100) and their comments only while they are open: that is all a finish
 * needs.
 * Tickets whose URL is not on this account are not read (plan fails ticket_url anyway;
 * reading that id here would read an unrelated ticket).
 *
 * `scanForDrift` streams every organization and user page and keeps only what drift
 * compares (shared or managed organizations; users with organization-wide access or
 * named in a file), so memory stays flat however large the account.
 */
import type { DesiredOrg, DesiredState, RiskApproval, TicketRef } from '../model/desired.js';
import { emptyObserved, type Observed, type ObservedOrg, type ObservedTicket, type ObservedUser } from '../model/observed.js';
import type { Policy } from '../model/policy.js';
import { isWidening, sharingFromFlags } from '../model/sharing.js';
import { lastHistoryEntry, lastPartnerEntry, parseAccessHistory } from '../records/details.js';
import { ticketDone, ticketOnAccount } from '../records/tickets.js';
import { mapLimit } from './adapter.js';
import type { Adapter } from './types.js';

export type ObservePhase =
  | 'account'
  | 'organizations'
  | 'organization_users'
  | 'tickets'
  | 'comments'
  | 'users'
  | 'memberships'
  | 'ticket_fields'
  | 'scan_organizations'
  | 'scan_users';

export interface ObserveProgress {
  phase: ObservePhase;
  done: number;
  /** null when unknown in advance (streamed scans). */
  total: number | null;
}

export interface ObserveOptions {
  onProgress?: (progress: ObserveProgress) => void;
  /** Per-ticket / per-org list reads in flight at once (default 4). */
  concurrency?: number;
  /**
   * The plan's clock. With it, the ticket of a converged record is read (to finish an
   * interrupted apply) only when the record is at most FINISH_LOOKBACK_DAYS old; without
   * it, always.
   */
  now?: Date;
}

/**
 * How long after its Details/notes line an interrupted apply is still looked for
 * (docs/apply.md, "Crash recovery"): a converged organization with an older record costs
 * no ticket read, so a plan with no change reads only the organizations.
 */
export const FINISH_LOOKBACK_DAYS = 30;

/** True when a record dated `date` (YYYY-MM-DD) may still have an unfinished ticket. */
export function mayNeedFinish(date: string, now: Date | undefined): boolean {
  if (!now) return true;
  const at = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(at)) return true;
  return at >= now.getTime() - (FINISH_LOOKBACK_DAYS + 1) * 86_400_000;
}

/** Why a ticket is read: `evidence` needs its comments even when solved. */
interface TicketNeed {
  evidence: boolean;
  /** The ticket of an org-level sharing change (its metadata step may need ticket fields). */
  sharing: boolean;
}

interface OrgNeeds {
  org: DesiredOrg;
  /** Emails the plan checks for this org (approvers, requester, granted users). */
  emails: Set<string>;
  /** Emails whose memberships the plan checks (approvers and grantees of widening changes). */
  memberEmails: Set<string>;
}

export async function observeForPlan(
  adapter: Adapter,
  desired: DesiredState,
  policy: Policy,
  opts: ObserveOptions = {},
): Promise<Observed> {
  const progress = opts.onProgress ?? (() => undefined);
  const limit = Math.max(1, opts.concurrency ?? 4);
  const subdomain = policy.subdomain ?? adapter.subdomain ?? null;
  const observed = emptyObserved(adapter.baseUrl ?? '', subdomain);

  const rememberUser = (u: ObservedUser): void => {
    observed.users.set(u.id, u);
    if (u.email) observed.usersByEmail.set(u.email.toLowerCase(), u);
  };

  progress({ phase: 'account', done: 0, total: 1 });
  const me = await adapter.me();
  observed.account.currentUserId = me.id;
  rememberUser(me);
  progress({ phase: 'account', done: 1, total: 1 });

  // ---- organizations: every managed one, show_many ------------------------------------
  const ids = [...new Set(desired.orgs.map((o) => o.id))];
  progress({ phase: 'organizations', done: 0, total: ids.length });
  const live = await adapter.showOrganizations(ids);
  for (const id of ids) observed.orgs.set(id, null);
  for (const org of live) observed.orgs.set(org.id, org);
  progress({ phase: 'organizations', done: ids.length, total: ids.length });

  const onAccount = (ticket: TicketRef): boolean => ticketOnAccount(ticket.host, { subdomain, ticketHosts: policy.ticketHosts }) !== false;
  const tickets = new Map<number, TicketNeed>();
  const needTicket = (ref: TicketRef, need: TicketNeed): void => {
    if (!onAccount(ref)) return;
    const prev = tickets.get(ref.id);
    tickets.set(ref.id, { evidence: need.evidence || !!prev?.evidence, sharing: need.sharing || !!prev?.sharing });
  };
  const needs = new Map<number, OrgNeeds>();
  /** Request tickets of widening sharing changes → the organization (requester memberships). */
  const requesterOf = new Map<number, number>();
  const needsOf = (org: DesiredOrg): OrgNeeds => {
    let n = needs.get(org.id);
    if (!n) needs.set(org.id, (n = { org, emails: new Set(), memberEmails: new Set() }));
    return n;
  };
  const needApproval = (org: DesiredOrg, approval: RiskApproval | undefined): void => {
    if (!approval) return;
    const email = approval.approvedBy.toLowerCase();
    needsOf(org).emails.add(email);
    needsOf(org).memberEmails.add(email);
  };

  // ---- (a) sharing differs, (b) finish, (d) partners: decided from the org alone ------
  for (const org of desired.orgs) {
    const liveOrg = observed.orgs.get(org.id);
    if (!liveOrg) continue; // missing: the plan reports it; no evidence can help
    const from = sharingFromFlags({ shared_tickets: liveOrg.sharedTickets, shared_comments: liveOrg.sharedComments });
    if (!org.request) {
      // A baseline file: the plan only compares it with live sharing; no ticket to read.
    } else if (from !== org.sharing) {
      const widening = isWidening(from, org.sharing);
      needTicket(org.request.ticket, { evidence: widening, sharing: true });
      needsOf(org);
      // Narrowing needs only ticket_url and ticket_org: no people to look up.
      if (widening) {
        // The ticket's requester may confirm the type: their memberships are checked.
        requesterOf.set(org.request.ticket.id, org.id);
        if (org.request.requester) needsOf(org).emails.add(org.request.requester.toLowerCase());
        needApproval(org, org.request.riskApproval);
      }
    } else {
      // Legacy records are never finished (the plan ignores them), old ones not looked for.
      const last = lastHistoryEntry(liveOrg.details);
      if (last && last.ticketId === org.request.ticket.id && !org.request.legacy && mayNeedFinish(last.date, opts.now)) {
        needTicket(org.request.ticket, { evidence: false, sharing: false });
        needsOf(org);
      }
    }
    const domains = new Set(liveOrg.domainNames.map((d) => d.toLowerCase()));
    for (const partner of org.partners) {
      if (domains.has(partner.domain.toLowerCase())) {
        // Live, but the Details partner line for the domain names this entry's ticket:
        // its comment/solve may still be due (same reasoning as (b)).
        const record = lastPartnerEntry(liveOrg.details, partner.domain);
        if (record?.ticketId === partner.ticket.id && mayNeedFinish(record.date, opts.now)) {
          needTicket(partner.ticket, { evidence: false, sharing: false });
          needsOf(org);
        }
        continue;
      }
      needTicket(partner.ticket, { evidence: true, sharing: false });
      needApproval(org, partner.consent);
    }
  }

  // ---- (c) user grants: members of the orgs declaring user_access ---------------------
  const readOrgUsers = new Set<number>();
  const grantOrgs = desired.orgs.filter((o) => o.userAccess.length > 0 && observed.orgs.get(o.id));
  if (grantOrgs.length > 0) {
    progress({ phase: 'organization_users', done: 0, total: grantOrgs.length });
    let done = 0;
    await mapLimit(grantOrgs, limit, async (org) => {
      for (const u of await adapter.organizationUsers(org.id)) rememberUser(u);
      readOrgUsers.add(org.id);
      progress({ phase: 'organization_users', done: ++done, total: grantOrgs.length });
    });
    const missing = [...new Set(grantOrgs.flatMap((o) => o.userAccess.map((g) => g.email.toLowerCase())))].filter(
      (e) => !observed.usersByEmail.has(e),
    );
    await lookUpEmails(adapter, missing, limit, observed, rememberUser);
    for (const org of grantOrgs) {
      for (const grant of org.userAccess) {
        const email = grant.email.toLowerCase();
        const user = observed.usersByEmail.get(email) ?? null;
        if (user && user.ticketRestriction === grant.access) {
          // Converged, but the notes' last access line names this grant's ticket: its
          // comment/solve may still be due (same reasoning as (b)).
          const record = parseAccessHistory(user.notes).at(-1);
          if (record?.ticketId === grant.ticket.id && mayNeedFinish(record.date, opts.now)) {
            needTicket(grant.ticket, { evidence: false, sharing: false });
            needsOf(org);
          }
          continue;
        }
        const widening = grant.access === 'organization';
        needTicket(grant.ticket, { evidence: widening, sharing: false });
        needsOf(org).emails.add(email);
        if (widening) {
          needsOf(org).memberEmails.add(email);
          needApproval(org, grant.riskApproval ?? org.request?.riskApproval);
        }
      }
    }
  }

  // ---- tickets and their comments -----------------------------------------------------
  const ticketIds = [...tickets.keys()];
  if (ticketIds.length > 0) {
    progress({ phase: 'tickets', done: 0, total: ticketIds.length });
    const shown = await adapter.showTickets(ticketIds);
    for (const id of ticketIds) observed.tickets.set(id, { ticket: null, comments: [] });
    for (const t of shown) observed.tickets.set(t.id, { ticket: t, comments: [] });
    progress({ phase: 'tickets', done: ticketIds.length, total: ticketIds.length });
  }
  const withComments = found(observed).filter((t) => tickets.get(t.id)?.evidence || !ticketDone(t.status));
  if (withComments.length > 0) {
    progress({ phase: 'comments', done: 0, total: withComments.length });
    let done = 0;
    await mapLimit(withComments, limit, async (t) => {
      const comments = await adapter.ticketComments(t.id);
      observed.tickets.set(t.id, { ticket: t, comments });
      progress({ phase: 'comments', done: ++done, total: withComments.length });
    });
  }

  // ---- users: comment authors and requesters, then emails named in files --------------
  // A solved ticket read only to see that nothing is left to finish needs no people.
  const userIds = new Set<number>();
  for (const { ticket, comments } of observed.tickets.values()) {
    if (!ticket) continue;
    const need = tickets.get(ticket.id);
    if (!need?.evidence && !need?.sharing && ticketDone(ticket.status)) continue;
    userIds.add(ticket.requesterId);
    for (const c of comments) userIds.add(c.authorId);
  }
  const unknownIds = [...userIds].filter((id) => !observed.users.has(id));
  if (unknownIds.length > 0) {
    progress({ phase: 'users', done: 0, total: unknownIds.length });
    for (const u of await adapter.showUsers(unknownIds)) rememberUser(u);
    progress({ phase: 'users', done: unknownIds.length, total: unknownIds.length });
  }
  // Emails still unknown: the org's members first (one list per org), then one search each.
  const orgsToList = [...needs.values()].filter(
    (n) => !readOrgUsers.has(n.org.id) && [...n.emails].some((e) => !observed.usersByEmail.has(e)),
  );
  if (orgsToList.length > 0) {
    progress({ phase: 'organization_users', done: 0, total: orgsToList.length });
    let done = 0;
    await mapLimit(orgsToList, limit, async (n) => {
      for (const u of await adapter.organizationUsers(n.org.id)) rememberUser(u);
      readOrgUsers.add(n.org.id);
      progress({ phase: 'organization_users', done: ++done, total: orgsToList.length });
    });
  }
  const stillMissing = [...new Set([...needs.values()].flatMap((n) => [...n.emails]))].filter((e) => !observed.usersByEmail.has(e));
  await lookUpEmails(adapter, stillMissing, limit, observed, rememberUser);

  // ---- memberships of approvers and granted users -------------------------------------
  // A user's default organization is always one of their memberships: only users whose
  // default is another organization need their membership list read.
  const requesters = [...requesterOf].flatMap(([ticketId, orgId]) => {
    const t = observed.tickets.get(ticketId)?.ticket;
    const u = t ? observed.users.get(t.requesterId) : undefined;
    return u && u.organizationId !== orgId ? [u.id] : [];
  });
  const memberIds = [
    ...new Set([
      ...[...needs.values()].flatMap((n) =>
        [...n.memberEmails]
          .map((e) => observed.usersByEmail.get(e))
          .filter((u): u is ObservedUser => !!u && u.organizationId !== n.org.id)
          .map((u) => u.id),
      ),
      ...requesters,
    ]),
  ];
  if (memberIds.length > 0) {
    progress({ phase: 'memberships', done: 0, total: memberIds.length });
    let done = 0;
    await mapLimit(memberIds, limit, async (userId) => {
      observed.memberships.set(userId, await adapter.userMemberships(userId));
      progress({ phase: 'memberships', done: ++done, total: memberIds.length });
    });
  }

  // ---- ticket fields: only when a ticket metadata step may run -------------------------
  const metadataMayRun = found(observed).some((t) => tickets.get(t.id)?.sharing && !ticketDone(t.status));
  if (metadataMayRun) {
    progress({ phase: 'ticket_fields', done: 0, total: 1 });
    observed.ticketFields = await adapter.ticketFields();
    progress({ phase: 'ticket_fields', done: 1, total: 1 });
  }

  return observed;
}

async function lookUpEmails(
  adapter: Adapter,
  emails: string[],
  limit: number,
  observed: Observed,
  remember: (u: ObservedUser) => void,
): Promise<void> {
  await mapLimit(emails, limit, async (email) => {
    const user = await adapter.findUserByEmail(email);
    if (user) {
      remember(user);
      // The file's spelling is the key the plan looks up.
      observed.usersByEmail.set(email, user);
    } else observed.usersByEmail.set(email, null);
  });
}

function found(observed: Observed): ObservedTicket[] {
  return [...observed.tickets.values()].flatMap((e) => (e.ticket ? [e.ticket] : []));
}


// ---- drift --------------------------------------------------------------------------------

export interface DriftScan {
  /** Shared organizations and managed ones (whatever their state), in scan order. */
  orgs: ObservedOrg[];
  /** Users with ticket_restriction "organization", and users named in user_access. */
  grantUsers: ObservedUser[];
  scanned: { organizations: number; users: number };
}

export interface ScanOptions {
  onProgress?: (progress: ObserveProgress) => void;
  /** false: skip the user scan (grantUsers stays empty, scanned.users 0). Default true. */
  users?: boolean;
}

export async function scanForDrift(adapter: Adapter, desired: DesiredState, opts: ScanOptions = {}): Promise<DriftScan> {
  const progress = opts.onProgress ?? (() => undefined);
  const managed = new Set(desired.orgs.map((o) => o.id));
  const declaredEmails = new Set(desired.orgs.flatMap((o) => o.userAccess.map((g) => g.email.toLowerCase())));
  const result: DriftScan = { orgs: [], grantUsers: [], scanned: { organizations: 0, users: 0 } };

  const scanOrgs = async (): Promise<void> => {
    for await (const page of adapter.organizationPages()) {
      for (const org of page) if (org.sharedTickets || managed.has(org.id)) result.orgs.push(org);
      result.scanned.organizations += page.length;
      progress({ phase: 'scan_organizations', done: result.scanned.organizations, total: null });
    }
  };
  const scanUsers = async (): Promise<void> => {
    for await (const page of adapter.userPages()) {
      for (const user of page) {
        if (user.ticketRestriction === 'organization' || (user.email && declaredEmails.has(user.email.toLowerCase()))) {
          result.grantUsers.push(user);
        }
      }
      result.scanned.users += page.length;
      progress({ phase: 'scan_users', done: result.scanned.users, total: null });
    }
  };
  // Both scans share the adapter's request budget; running them together only overlaps
  // latency.
  await Promise.all([scanOrgs(), opts.users === false ? Promise.resolve() : scanUsers()]);
  return result;
}
