/**
 * The read set (src/plan/reads.ts) is complete and minimal where it matters: for generated
 * accounts and files, the plan made from only what the set reads — its tickets, their
 * comments only when they are evidence or the ticket is open, ticket fields only when a
 * fields step may run — equals the plan made with the whole account in view.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Observed } from '../../src/model/observed.js';
import type { Plan } from '../../src/model/plan.js';
import { plan } from '../../src/plan/plan.js';
import { readSet } from '../../src/plan/reads.js';
import { ticketDone, ticketOnAccount } from '../../src/records/tickets.js';
import { PROPERTY_SEED, buildScenario, runs, scenarioArb } from '../reliability/arbitraries.js';
import { NOW } from './builders.js';

/** What observe keeps of the account when it executes `readSet` (tickets and fields; people as they are). */
function restrict(account: Observed, set: ReturnType<typeof readSet>): Observed {
  const tickets: Observed['tickets'] = new Map();
  for (const [id, need] of set.tickets) {
    const ev = account.tickets.get(id);
    if (!ev) continue;
    const withComments = ev.ticket !== null && (need.evidence || !ticketDone(ev.ticket.status));
    tickets.set(id, { ticket: ev.ticket, comments: withComments ? ev.comments : [] });
  }
  const fieldsNeeded = [...tickets].some(([id, ev]) => set.tickets.get(id)?.fields && ev.ticket !== null && !ticketDone(ev.ticket.status));
  return { ...account, tickets, ticketFields: fieldsNeeded ? account.ticketFields : [] };
}

const comparable = (p: Plan) => ({ changes: p.changes, warnings: p.warnings, planChecks: p.planChecks });

describe('read set', () => {
  it('plan on what the read set reads equals plan on the whole account', () => {
    let ticketsSkipped = 0;
    fc.assert(
      fc.property(scenarioArb({ maxOrgs: 4 }), (scenario) => {
        const { world, desired } = buildScenario(scenario);
        // Tickets off this account are never read (the ticket-host rule), whatever the set.
        const offAccount = desired.orgs.flatMap((o) => [...(o.request ? [o.request.ticket] : []), ...o.userAccess.map((g) => g.ticket), ...o.partners.map((p) => p.ticket)]).filter((t) => ticketOnAccount(t.host, { subdomain: 'acme', ticketHosts: world.policy.ticketHosts }) === false);
        const account: Observed = { ...world.observed, tickets: new Map([...world.observed.tickets].filter(([id]) => !offAccount.some((t) => t.id === id))) };
        const set = readSet(desired, account, world.policy);
        const full = plan(desired, account, world.policy, { now: NOW });
        const partial = plan(desired, restrict(account, set), world.policy, { now: NOW });
        expect(comparable(partial)).toEqual(comparable(full));
        ticketsSkipped += account.tickets.size - set.tickets.size;
      }),
      { numRuns: runs(150), seed: PROPERTY_SEED },
    );
    // The set does leave tickets unread (otherwise this would prove nothing about it).
    expect(ticketsSkipped).toBeGreaterThan(50);
  });

  it('reads nothing more when exposure is off, and only live organizations with a widening change when on', () => {
    fc.assert(
      fc.property(scenarioArb({ maxOrgs: 4 }), (scenario) => {
        const { world, desired } = buildScenario(scenario);
        const on = readSet(desired, world.observed, world.policy);
        const off = readSet(desired, world.observed, world.policy, { exposure: false });
        expect(off.exposure).toEqual([]);
        expect({ ...off, exposure: on.exposure }).toEqual(on);
        const widened = new Set(plan(desired, world.observed, world.policy, { now: NOW }).changes.filter((c) => c.widening && world.observed.orgs.get(c.orgId)).map((c) => c.orgId));
        expect(new Set(on.exposure)).toEqual(widened);
      }),
      { numRuns: runs(100), seed: PROPERTY_SEED },
    );
  });
});
