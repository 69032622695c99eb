/**
 * The reads behind `orgshare review`, all through a read-only adapter: the organizations
 * with grants, their members and ticket counts (the access report's bulk reads), and the
 * comments that date each approval (one read per ticket: Zendesk has no bulk comments).
 */
import { readAccess } from '../access/observe.js';
import type { DesiredOrg } from '../model/desired.js';
import { emptyObserved, type Observed, type ObservedUser } from '../model/observed.js';
import { mapLimit } from '../remote/adapter.js';
import { readTicketComments } from '../remote/comments.js';
import type { Adapter } from '../remote/types.js';
import { attestationTickets, declaredGrants } from './attest.js';
import type { ReviewInput } from './compute.js';


/**
 * What the evidence checks of the attestations need, as an Observed: the approval
 * tickets (show_many) with their comments, the comment authors (show_many), and the
 * memberships of approvers whose default organization is not the one they approve for.
 */
export async function readAttestationEvidence(
  adapter: Adapter,
  orgs: DesiredOrg[],
  account: { subdomain: string | null; baseUrl: string },
  progress?: (t: string) => void,
): Promise<Observed> {
  const observed = emptyObserved(account.baseUrl, account.subdomain);
  const ticketIds = attestationTickets(orgs);
  if (ticketIds.length === 0) return observed;
  const tickets = new Map((await adapter.showTickets(ticketIds)).map((t) => [t.id, t]));
  const comments = await readTicketComments(adapter, ticketIds.filter((id) => tickets.has(id)), (done, total) => progress?.(`reading approvals ${done}/${total}`));
  for (const id of ticketIds) observed.tickets.set(id, { ticket: tickets.get(id) ?? null, comments: comments.get(id) ?? [] });
  const authors = new Set<number>();
  for (const list of comments.values()) for (const c of list) authors.add(c.authorId);
  for (const u of await adapter.showUsers([...authors])) {
    observed.users.set(u.id, u);
    if (u.email) observed.usersByEmail.set(u.email.toLowerCase(), u);
  }
  const needMemberships = new Set<number>();
  for (const d of orgs) {
    for (const g of declaredGrants(d)) {
      const approver = g.approval ? observed.usersByEmail.get(g.approval.approvedBy.trim().toLowerCase()) : undefined;
      if (approver && approver.organizationId !== d.id) needMemberships.add(approver.id);
    }
  }
  await mapLimit([...needMemberships], 4, async (id) => {
    observed.memberships.set(id, await adapter.userMemberships(id));
  });
  return observed;
}

export async function collectReview(
  adapter: Adapter,
  desired: DesiredOrg[],
  base: Pick<ReviewInput, 'generatedAt' | 'account' | 'now' | 'reattestAfter' | 'riskMessage'>,
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
  const evidence = await readAttestationEvidence(adapter, withGrants, base.account, progress);
  return {
    ...base,
    desired: withGrants,
    orgs: new Map((access?.orgs ?? []).map((o) => [o.id, o])),
    members,
    counts: access?.counts ?? new Map(),
    evidence,
  };
}
