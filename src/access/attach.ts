/**
 * Wiring exposure into a plan: after `plan()` (pure) has run, one bounded read per
 * organization with a widening change — its members (cursor pages of 100) and its ticket
 * count (count endpoint) — then `exposureOf` per change. Read-only; the plan is returned
 * with `exposure` set on widening changes and is otherwise unchanged.
 *
 * Intended call site: src/commands/pipeline.ts `makePlan`, right after `plan(...)`:
 *   const made = await attachExposure(plan(desired, observed, policy, opts), reader, observed);
 * The number of organizations is bounded by the plan's blast radius (max_changes).
 */
import type { Observed, ObservedOrg } from '../model/observed.js';
import type { Change, Plan } from '../model/plan.js';
import type { Adapter } from '../remote/types.js';
import { mapLimit } from '../remote/adapter.js';
import { exposureOf } from './exposure.js';

const WIDENING_KINDS: ReadonlySet<Change['kind']> = new Set(['enable', 'change_type', 'user_grant', 'partner_add']);

export async function attachExposure(plan: Plan, adapter: Adapter, observed?: Observed): Promise<Plan> {
  const changes = plan.changes.filter((c) => c.widening && WIDENING_KINDS.has(c.kind));
  if (changes.length === 0) return plan;
  const orgIds = [...new Set(changes.map((c) => c.orgId))];
  const live = new Map<number, ObservedOrg>();
  for (const id of orgIds) {
    const o = observed?.orgs.get(id);
    if (o) live.set(id, o);
  }
  const unknown = orgIds.filter((id) => !live.has(id));
  if (unknown.length > 0) for (const o of await adapter.showOrganizations(unknown)) live.set(o.id, o);
  const reads = await mapLimit(
    orgIds.filter((id) => live.has(id)),
    4,
    async (id) => ({ id, members: await adapter.organizationUsers(id), count: await adapter.countOrganizationTickets(id) }),
  );
  const byOrg = new Map(reads.map((r) => [r.id, r]));
  return {
    ...plan,
    changes: plan.changes.map((c) => {
      const org = live.get(c.orgId);
      const read = byOrg.get(c.orgId);
      if (!org || !read || !changes.includes(c)) return c;
      const user = c.kind === 'user_grant' && c.userId !== null ? (observed?.users.get(c.userId) ?? read.members.find((u) => u.id === c.userId) ?? null) : undefined;
      const exposure = exposureOf(c, { org, members: read.members, ticketCount: read.count, user });
      return exposure ? { ...c, exposure } : c;
    }),
  };
}
