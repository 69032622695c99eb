/**
 * The read side of plan and drift: effects only, no decisions. `observeForPlan` reads in
 * bulk, first a fixed first pass — everything the planner compares:
 *
 *   users/me ............................................. 1
 *   organizations/show_many (all managed) ................ ⌈N/100⌉
 *   organizations/{id}/users (orgs declaring user_access)  1 per such org (per 100 members)
 *   users/search ......................................... only for granted emails still unknown
 *
 * then the read set a pure function computed from that (src/plan/reads.ts, passed in as
 * `reads`: which tickets, whose comments, which people, which organizations' exposure):
 *
 *   tickets/show_many .................................... ⌈T/100⌉
 *   tickets/{id}/comments ................................ 1 per ticket whose evidence is
 *                                                          needed, or that is still open
 *   users/show_many (comment authors, requesters) ........ ⌈U/100⌉
 *   organizations/{id}/users, users/search ............... only for emails still unknown
 *   users/{id}/organization_memberships .................. 1 per approver / granted user /
 *                                                          requester of a widening request
 *                                                          whose default organization is
 *                                                          another one
 *   ticket_fields ........................................ 1, when a ticket whose fields a
 *                                                          step may set is open
 *   organizations/{id}/users, …/tickets/count ............ per exposure organization
 *                                                          (members reused when listed)
 *
 * `scanForDrift` streams every organization and user page and keeps only what drift
 * compares (shared or managed organizations; users with organization-wide access or
 * named in a file), so memory stays flat however large the account.
 */
import type { DesiredState } from '../model/desired.js';
import { emptyObserved, type Observed, type ObservedOrg, type ObservedTicket, type ObservedUser } from '../model/observed.js';
import type { Policy } from '../model/policy.js';
import type { ReadSet } from '../model/reads.js';
import { ticketDone } from '../records/tickets.js';
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
  | 'exposure'
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
}

/** The read set for the first pass: a pure function of the files and what was read (src/plan/reads.ts). */
export type ReadSetOf = (firstPass: Observed) => ReadSet;

export async function observeForPlan(
  adapter: Adapter,
  desired: DesiredState,
  policy: Policy,
  reads: ReadSetOf,
  opts: ObserveOptions = {},
): Promise<Observed> {
  const progress = opts.onProgress ?? (() => undefined);
  const limit = Math.max(1, opts.concurrency ?? 4);
  const subdomain = policy.subdomain ?? adapter.subdomain ?? null;
  const observed = emptyObserved(adapter.baseUrl ?? '', subdomain);
  const orgMembers = new Map<number, number[]>();
  observed.orgMembers = orgMembers;

  const rememberUser = (u: ObservedUser): void => {
    observed.users.set(u.id, u);
    if (u.email) observed.usersByEmail.set(u.email.toLowerCase(), u);
  };
  const listMembers = async (orgIds: number[]): Promise<void> => {
    if (orgIds.length === 0) return;
    progress({ phase: 'organization_users', done: 0, total: orgIds.length });
    let done = 0;
    await mapLimit(orgIds, limit, async (id) => {
      const members = await adapter.organizationUsers(id);
      for (const u of members) rememberUser(u);
      orgMembers.set(id, members.map((u) => u.id));
      progress({ phase: 'organization_users', done: ++done, total: orgIds.length });
    });
  };

  // ---- first pass: the API user, every managed organization, the users named in grants --
  progress({ phase: 'account', done: 0, total: 1 });
  const me = await adapter.me();
  observed.account.currentUserId = me.id;
  rememberUser(me);
  progress({ phase: 'account', done: 1, total: 1 });

  const ids = [...new Set(desired.orgs.map((o) => o.id))];
  progress({ phase: 'organizations', done: 0, total: ids.length });
  const live = await adapter.showOrganizations(ids);
  for (const id of ids) observed.orgs.set(id, null);
  for (const org of live) observed.orgs.set(org.id, org);
  progress({ phase: 'organizations', done: ids.length, total: ids.length });

  const grantOrgs = desired.orgs.filter((o) => o.userAccess.length > 0 && observed.orgs.get(o.id));
  await listMembers(grantOrgs.map((o) => o.id));
  const missingGrantees = [...new Set(grantOrgs.flatMap((o) => o.userAccess.map((g) => g.email.toLowerCase())))].filter(
    (e) => !observed.usersByEmail.has(e),
  );
  await lookUpEmails(adapter, missingGrantees, limit, observed, rememberUser);

  // ---- the read set ---------------------------------------------------------------------
  const set = reads(observed);

  const ticketIds = [...set.tickets.keys()];
  if (ticketIds.length > 0) {
    progress({ phase: 'tickets', done: 0, total: ticketIds.length });
    const shown = await adapter.showTickets(ticketIds);
    for (const id of ticketIds) observed.tickets.set(id, { ticket: null, comments: [] });
    for (const t of shown) observed.tickets.set(t.id, { ticket: t, comments: [] });
    progress({ phase: 'tickets', done: ticketIds.length, total: ticketIds.length });
  }
  const withComments = found(observed).filter((t) => set.tickets.get(t.id)?.evidence || !ticketDone(t.status));
  if (withComments.length > 0) {
    progress({ phase: 'comments', done: 0, total: withComments.length });
    let done = 0;
    await mapLimit(withComments, limit, async (t) => {
      const comments = await adapter.ticketComments(t.id);
      observed.tickets.set(t.id, { ticket: t, comments });
      progress({ phase: 'comments', done: ++done, total: withComments.length });
    });
  }

  // Users: comment authors and requesters, then the emails the set names.
  // A solved ticket read only to see that nothing is left to finish needs no people.
  const userIds = new Set<number>();
  for (const { ticket, comments } of observed.tickets.values()) {
    if (!ticket) continue;
    const need = set.tickets.get(ticket.id);
    if (!need?.evidence && !need?.fields && ticketDone(ticket.status)) continue;
    userIds.add(ticket.requesterId);
    for (const c of comments) userIds.add(c.authorId);
  }
  const unknownIds = [...userIds].filter((id) => !observed.users.has(id));
  if (unknownIds.length > 0) {
    progress({ phase: 'users', done: 0, total: unknownIds.length });
    for (const u of await adapter.showUsers(unknownIds)) rememberUser(u);
    progress({ phase: 'users', done: unknownIds.length, total: unknownIds.length });
  }
  // Emails still unknown: the organization's members first (one list per org), then one search each.
  await listMembers(set.people.filter((p) => !orgMembers.has(p.orgId) && p.emails.some((e) => !observed.usersByEmail.has(e))).map((p) => p.orgId));
  const stillMissing = [...new Set(set.people.flatMap((p) => p.emails))].filter((e) => !observed.usersByEmail.has(e));
  await lookUpEmails(adapter, stillMissing, limit, observed, rememberUser);

  // Memberships. A user's default organization is always one of their memberships: only
  // users whose default is another organization need their membership list read.
  const requesters = set.requesters.flatMap(({ ticketId, orgId }) => {
    const t = observed.tickets.get(ticketId)?.ticket;
    const u = t ? observed.users.get(t.requesterId) : undefined;
    return u && u.organizationId !== orgId ? [u.id] : [];
  });
  const memberIds = [
    ...new Set([
      ...set.people.flatMap((p) =>
        p.memberEmails
          .map((e) => observed.usersByEmail.get(e))
          .filter((u): u is ObservedUser => !!u && u.organizationId !== p.orgId)
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

  // Ticket fields: only while a ticket whose fields a step may set is open.
  if (found(observed).some((t) => set.tickets.get(t.id)?.fields && !ticketDone(t.status))) {
    progress({ phase: 'ticket_fields', done: 0, total: 1 });
    observed.ticketFields = await adapter.ticketFields();
    progress({ phase: 'ticket_fields', done: 1, total: 1 });
  }

  // Exposure: members (unless listed above) and ticket count of each organization.
  const exposed = set.exposure.filter((id) => observed.orgs.get(id));
  if (exposed.length > 0) {
    await listMembers(exposed.filter((id) => !orgMembers.has(id)));
    const counts = new Map<number, number>();
    progress({ phase: 'exposure', done: 0, total: exposed.length });
    let done = 0;
    await mapLimit(exposed, limit, async (id) => {
      counts.set(id, await adapter.countOrganizationTickets(id));
      progress({ phase: 'exposure', done: ++done, total: exposed.length });
    });
    observed.ticketCounts = counts;
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
