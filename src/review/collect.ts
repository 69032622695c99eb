/**
 * The reads behind `orgshare review`, all through a read-only adapter: the organizations
 * with grants, their members and ticket counts (the access report's bulk reads), and the
 * comments that date each approval (one read per ticket: Zendesk has no bulk comments).
 */
import { readAccess } from '../access/observe.js';
import { RemoteError } from '../errors.js';
import type { DesiredOrg } from '../model/desired.js';
import type { ObservedComment, ObservedUser } from '../model/observed.js';
import { mapLimit } from '../remote/adapter.js';
import type { Adapter } from '../remote/types.js';
import { attestationTickets, declaredGrants } from './attest.js';
import type { ReviewInput } from './compute.js';

/** Comments of these tickets; a ticket that is gone gives none (its evidence cannot be dated). */
export async function readApprovalComments(adapter: Adapter, tickets: number[], progress?: (t: string) => void): Promise<Map<number, ObservedComment[]>> {
  let done = 0;
  const lists = await mapLimit(tickets, 4, async (id) => {
    progress?.(`reading approvals ${++done}/${tickets.length}`);
    try {
      return await adapter.ticketComments(id);
    } catch (err) {
      if (err instanceof RemoteError && err.status === 404) return [] as ObservedComment[];
      throw err;
    }
  });
  return new Map(tickets.map((id, i) => [id, lists[i] ?? []]));
}

export async function collectReview(
  adapter: Adapter,
  desired: DesiredOrg[],
  base: Pick<ReviewInput, 'generatedAt' | 'account' | 'now' | 'reattestAfter'>,
  progress?: (t: string) => void,
): Promise<ReviewInput> {
  const withGrants = desired.filter((d) => declaredGrants(d).length > 0);
  const access = withGrants.length > 0 ? await readAccess(adapter, { orgIds: withGrants.map((d) => d.id), countAll: true, ...(progress ? { progress } : {}) }) : null;
  const members = new Map<number, ObservedUser[]>();
  if (access) {
    const users = new Map(access.users.map((u) => [u.id, u]));
    for (const m of access.memberships) {
      const u = users.get(m.userId);
      if (u) (members.get(m.organizationId) ?? members.set(m.organizationId, []).get(m.organizationId)!).push(u);
    }
    for (const o of access.orgs) if (!members.has(o.id)) members.set(o.id, []);
  }
  const comments = await readApprovalComments(adapter, attestationTickets(withGrants), progress);
  return {
    ...base,
    desired: withGrants,
    orgs: new Map((access?.orgs ?? []).map((o) => [o.id, o])),
    members,
    counts: access?.counts ?? new Map(),
    comments,
  };
}
