/**
 * The reads behind the access report, all bulk and streamed (docs/access.md, "What it
 * reads"; docs/performance.md for the figures):
 *
 *   organizations ........... cursor pages of 100 (show_many for `--org`)
 *   organization_memberships  cursor pages of 100, at the same time as the organizations
 *   users ................... cursor pages of 100
 *   tickets/count ........... 1 per organization where somebody sees beyond their own tickets
 *
 * The account-wide scans cost ⌈orgs/100⌉ + ⌈memberships/100⌉ + ⌈users/100⌉ requests
 * whatever the number of organizations, where one member list per organization cost one
 * request per organization. Memory stays bounded by what the report lists, not by the
 * account: of the memberships only the additional ones (not a user's default organization,
 * which the user record names) are kept, and of the users only those the report can name —
 * members of a shared organization, users with a user-level grant, users in several
 * organizations. Every other active end-user is only counted as a member of their
 * organization. Agents, admins and suspended users are dropped as their page arrives.
 *
 * With `--org`, the named organizations' member lists are read instead (one cursor scan
 * per organization): cheaper than scanning the account for a handful of organizations.
 *
 * Ticket counts are read only for organizations where somebody sees tickets beyond their
 * own (shared, or a member with a user-level grant), unless `countAll`: the count of a
 * private organization without grants says nothing about access.
 */
import type { ObservedOrg, ObservedUser } from '../model/observed.js';
import type { Adapter } from '../remote/types.js';
import type { MembershipLike } from './compute.js';
import { mapLimit } from '../remote/adapter.js';

export interface AccessInput {
  orgs: ObservedOrg[];
  /** The users the report may name (see above); others are only counted. */
  users: ObservedUser[];
  memberships: MembershipLike[];
  counts: Map<number, number>;
  /** Active end-user members not in `users`, by organization (they see only their own tickets). */
  unlistedMembers: Map<number, number>;
  /** Ids asked for with --org that do not exist. */
  missing: number[];
  /** What the scans saw, for progress and benchmarks. */
  scanned: { organizations: number; memberships: number; users: number };
}

/** A long phase of the read, in words, with how far it got (total null: not known yet). */
export interface AccessProgress {
  phase: string;
  done: number;
  total: number | null;
}

export interface ReadAccessOptions {
  orgIds?: number[];
  /** Count tickets of every organization, not only those with exposure. */
  countAll?: boolean;
  /** Per-organization reads (counts, `--org` member lists) in flight at once (default 8). */
  concurrency?: number;
  onProgress?: (progress: AccessProgress) => void;
}

export async function readAccess(adapter: Adapter, opts: ReadAccessOptions = {}): Promise<AccessInput> {
  const input = opts.orgIds && opts.orgIds.length > 0 ? await readNamed(adapter, opts.orgIds, opts) : await scanAccount(adapter, opts);
  input.orgs.sort((a, b) => a.id - b.id);

  const limit = opts.concurrency ?? 8;
  const grantOrgs = new Set<number>();
  const memberOrgs = orgsOfUsers(input.users, input.memberships);
  for (const u of input.users) if (grantsAll(u)) for (const id of memberOrgs.get(u.id) ?? []) grantOrgs.add(id);
  const exposed = input.orgs.filter((o) => opts.countAll || o.sharedTickets || grantOrgs.has(o.id));
  let done = 0;
  opts.onProgress?.({ phase: 'counting tickets', done, total: exposed.length });
  await mapLimit(exposed, limit, async (org) => {
    input.counts.set(org.id, await adapter.countOrganizationTickets(org.id));
    opts.onProgress?.({ phase: 'counting tickets', done: ++done, total: exposed.length });
  });
  return input;
}

/** Whole account: organizations and memberships together, then users. */
async function scanAccount(adapter: Adapter, opts: ReadAccessOptions): Promise<AccessInput> {
  const progress = opts.onProgress ?? (() => undefined);
  const orgs: ObservedOrg[] = [];
  const scanned = { organizations: 0, memberships: 0, users: 0 };
  /** Additional (non-default) memberships by user. */
  const extra = new Map<number, number[]>();

  const scanOrgs = async (): Promise<void> => {
    for await (const page of adapter.organizationPages()) {
      orgs.push(...page);
      scanned.organizations += page.length;
      progress({ phase: 'reading organizations', done: scanned.organizations, total: null });
    }
  };
  const scanMemberships = async (): Promise<void> => {
    for await (const page of adapter.membershipPages()) {
      for (const m of page) {
        // The default membership is the user's organization_id (Zendesk keeps them equal).
        if (m.default === true) continue;
        const list = extra.get(m.userId);
        if (list) list.push(m.organizationId);
        else extra.set(m.userId, [m.organizationId]);
      }
      scanned.memberships += page.length;
      progress({ phase: 'reading memberships', done: scanned.memberships, total: null });
    }
  };
  // Both scans share the request budget; running them together only overlaps latency.
  await Promise.all([scanOrgs(), scanMemberships()]);

  const shared = new Set(orgs.filter((o) => o.sharedTickets).map((o) => o.id));
  const users: ObservedUser[] = [];
  const memberships: MembershipLike[] = [];
  const unlistedMembers = new Map<number, number>();
  for await (const page of adapter.userPages()) {
    for (const u of page) {
      if (!isActiveEndUser(u)) continue;
      const others = (extra.get(u.id) ?? []).filter((id) => id !== u.organizationId);
      const listed = grantsAll(u) || others.length > 0 || (u.organizationId !== null && shared.has(u.organizationId));
      if (listed) {
        users.push(u);
        for (const organizationId of others) memberships.push({ userId: u.id, organizationId, default: false });
      } else if (u.organizationId !== null) {
        unlistedMembers.set(u.organizationId, (unlistedMembers.get(u.organizationId) ?? 0) + 1);
      }
    }
    scanned.users += page.length;
    progress({ phase: 'reading users', done: scanned.users, total: null });
  }
  return { orgs, users, memberships, counts: new Map(), unlistedMembers, missing: [], scanned };
}

/** `--org`: the named organizations and their member lists. */
async function readNamed(adapter: Adapter, orgIds: number[], opts: ReadAccessOptions): Promise<AccessInput> {
  const wanted = [...new Set(orgIds)];
  const orgs = await adapter.showOrganizations(wanted);
  const found = new Set(orgs.map((o) => o.id));
  const missing = wanted.filter((id) => !found.has(id));
  const users = new Map<number, ObservedUser>();
  const memberships: MembershipLike[] = [];
  let done = 0;
  opts.onProgress?.({ phase: 'reading members', done, total: orgs.length });
  await mapLimit(orgs, opts.concurrency ?? 8, async (org) => {
    for (const u of await adapter.organizationUsers(org.id)) {
      users.set(u.id, u);
      memberships.push({ userId: u.id, organizationId: org.id, default: u.organizationId === org.id });
    }
    opts.onProgress?.({ phase: 'reading members', done: ++done, total: orgs.length });
  });
  const scanned = { organizations: orgs.length, memberships: memberships.length, users: users.size };
  return { orgs, users: [...users.values()], memberships, counts: new Map(), unlistedMembers: new Map(), missing, scanned };
}

function orgsOfUsers(users: ObservedUser[], memberships: MembershipLike[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const u of users) if (u.organizationId !== null) out.set(u.id, [u.organizationId]);
  for (const m of memberships) {
    const list = out.get(m.userId);
    if (list) list.push(m.organizationId);
    else out.set(m.userId, [m.organizationId]);
  }
  return out;
}

function isActiveEndUser(u: ObservedUser): boolean {
  return u.role === 'end-user' && !u.suspended;
}

/** A member who sees every ticket through their own setting (see compute.ts). */
function grantsAll(u: ObservedUser): boolean {
  return isActiveEndUser(u) && u.ticketRestriction === 'organization';
}
