/**
 * The reads behind the access report, all bulk: the organizations (one cursor scan, or
 * show_many for `--org`), then per organization its members (cursor pages of 100) and its
 * ticket count (count endpoint; tickets are never listed).
 *
 * Memberships are derived from the per-organization member lists instead of a second
 * per-organization read of /organization_memberships: a user listed under an organization
 * is a member of it, and the user's `organization_id` names their default organization.
 * That saves one request per organization.
 *
 * Ticket counts are read only for organizations where somebody sees tickets beyond their
 * own (shared, or a member with a user-level grant), unless `countAll`: the count of a
 * private organization without grants says nothing about access, and on a 1,000
 * organization account that is most of the count requests.
 */
import type { ObservedOrg, ObservedUser } from '../model/observed.js';
import type { Adapter } from '../remote/types.js';
import type { MembershipLike } from './compute.js';
import { mapLimit } from '../remote/adapter.js';

export interface AccessInput {
  orgs: ObservedOrg[];
  users: ObservedUser[];
  memberships: MembershipLike[];
  counts: Map<number, number>;
  /** Ids asked for with --org that do not exist. */
  missing: number[];
}

export interface ReadAccessOptions {
  orgIds?: number[];
  /** Count tickets of every organization, not only those with exposure. */
  countAll?: boolean;
  /** Organizations read at once (each: members + count). */
  concurrency?: number;
  progress?: (text: string) => void;
}

export async function readAccess(adapter: Adapter, opts: ReadAccessOptions = {}): Promise<AccessInput> {
  let orgs: ObservedOrg[] = [];
  let missing: number[] = [];
  if (opts.orgIds && opts.orgIds.length > 0) {
    const wanted = [...new Set(opts.orgIds)];
    orgs = await adapter.showOrganizations(wanted);
    const found = new Set(orgs.map((o) => o.id));
    missing = wanted.filter((id) => !found.has(id));
  } else {
    for await (const page of adapter.organizationPages()) {
      orgs.push(...page);
      opts.progress?.(`access: scanning organizations ${orgs.length}`);
    }
  }
  orgs.sort((a, b) => a.id - b.id);

  const users = new Map<number, ObservedUser>();
  const memberships: MembershipLike[] = [];
  const counts = new Map<number, number>();
  const exposed: ObservedOrg[] = [];
  let done = 0;
  await mapLimit(orgs, opts.concurrency ?? 8, async (org) => {
    const members = await adapter.organizationUsers(org.id);
    for (const u of members) {
      users.set(u.id, u);
      memberships.push({ userId: u.id, organizationId: org.id, default: u.organizationId === org.id });
    }
    if (opts.countAll || org.sharedTickets || members.some(grantsAll)) exposed.push(org);
    opts.progress?.(`access: reading members ${++done}/${orgs.length}`);
  });
  done = 0;
  await mapLimit(exposed, opts.concurrency ?? 8, async (org) => {
    counts.set(org.id, await adapter.countOrganizationTickets(org.id));
    opts.progress?.(`access: counting tickets ${++done}/${exposed.length}`);
  });
  return { orgs, users: [...users.values()], memberships, counts, missing };
}

/** A member who sees every ticket through their own setting (see compute.ts). */
function grantsAll(u: ObservedUser): boolean {
  return u.role === 'end-user' && !u.suspended && u.ticketRestriction === 'organization';
}
