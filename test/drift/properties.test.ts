/**
 * Drift and plan agree (docs/drift-and-import.md "Drift"): for generated accounts and
 * files, `drift` reports a managed organization exactly when `plan` — made with every
 * piece of evidence read — has a change for it other than a finish (a confirmation still
 * due on a change already live). Drift sees only what its account-wide scan keeps
 * (shared or managed organizations; users with organization-wide access or named in a
 * file), as `scanForDrift` does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeDrift, type DriftScan } from '../../src/drift/compute.js';
import type { DesiredState } from '../../src/model/desired.js';
import type { Observed, ObservedOrg } from '../../src/model/observed.js';
import { isFinish } from '../../src/model/plan.js';
import type { DriftItem } from '../../src/model/reports.js';
import { plan } from '../../src/plan/plan.js';
import { NOW } from '../plan/builders.js';
import { PROPERTY_SEED, buildScenario, ids, runs, scenarioArb } from '../reliability/arbitraries.js';

/** What `scanForDrift` keeps of the account (src/remote/observe.ts). */
function scanOf(account: Observed, desired: DesiredState): DriftScan {
  const managed = new Set(desired.orgs.map((o) => o.id));
  const declared = new Set(desired.orgs.flatMap((o) => o.userAccess.map((g) => g.email.toLowerCase())));
  const orgs = [...account.orgs.values()].filter((o): o is ObservedOrg => o !== null && (o.sharedTickets || managed.has(o.id)));
  const users = [...account.users.values()].filter((u) => u.ticketRestriction === 'organization' || (u.email !== null && declared.has(u.email.toLowerCase())));
  return { orgs, grantUsers: users, scanned: { organizations: account.orgs.size, users: account.users.size } };
}

const MANAGED_KINDS = new Set<DriftItem['kind']>(['managed_missing', 'managed_differs', 'partner_differs', 'grant_differs']);

describe('drift reports an organization iff plan has a non-finish change for it', () => {
  it('over generated accounts and files (sharing, grants, partners, missing organizations)', () => {
    let withDrift = 0;
    let withFinishOnly = 0;
    fc.assert(
      fc.property(scenarioArb({ maxOrgs: 4 }), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }), (scenario, dropIdx) => {
        const built = buildScenario(scenario);
        // Some managed organizations no longer exist in the account.
        for (const i of dropIdx) if (i < scenario.orgs.length) built.world.observed.orgs.set(ids.org(i), null);
        const account = built.world.observed;

        const planned = plan(built.desired, account, built.world.policy, { now: NOW });
        const report = computeDrift(built.desired, scanOf(account, built.desired), {
          generatedAt: NOW.toISOString(),
          account: { subdomain: 'acme', baseUrl: account.account.baseUrl },
          policy: built.world.policy,
        });

        const planOrgs = new Set(planned.changes.filter((c) => !isFinish(c)).map((c) => c.orgId));
        const driftOrgs = new Set(report.items.filter((i) => MANAGED_KINDS.has(i.kind)).map((i) => ('orgId' in i ? i.orgId : null)));
        expect([...driftOrgs].sort()).toEqual([...planOrgs].sort());
        // Every non-finish change on a live organization is exactly one item.
        const live = (id: number) => !!account.orgs.get(id);
        expect(report.items.filter((i) => MANAGED_KINDS.has(i.kind) && i.kind !== 'managed_missing' && 'orgId' in i && i.orgId !== null && live(i.orgId))).toHaveLength(
          planned.changes.filter((c) => !isFinish(c) && live(c.orgId)).length,
        );
        if (planOrgs.size > 0) withDrift++;
        // Organizations whose only changes are finishes: drift must stay silent about them.
        withFinishOnly += new Set(planned.changes.filter((c) => isFinish(c) && !planOrgs.has(c.orgId)).map((c) => c.orgId)).size;
      }),
      { numRuns: runs(150), seed: PROPERTY_SEED },
    );
    // The generator reaches both sides of the property, and organizations that only finish.
    expect(withDrift).toBeGreaterThan(10);
    expect(withFinishOnly).toBeGreaterThan(0);
  });
});
