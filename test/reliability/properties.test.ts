/**
 * Property-based tests of the pure core (plan, steps, Details text, renderers) over random
 * scenarios (arbitraries.ts): live organizations, users and tickets with valid or broken
 * evidence, and the files asking for changes. Apply is played by the in-memory model of
 * the executor (apply-model.ts); the sandbox suites check the real one over HTTP.
 *
 * Seeded: PROPERTY_SEED (override with RELIABILITY_SEED). CI runs ~100–200 cases per
 * property; `npm run soak` (SOAK=1) runs 20× more.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Change, Plan, Step } from '../../src/model/plan.js';
import { isBlocked } from '../../src/model/plan.js';
import { flagsFromSharing } from '../../src/model/sharing.js';
import { appendLine } from '../../src/records/details.js';
import { countLine } from '../../src/records/recorded.js';
import { renderPlan, stripAnsi } from '../../src/render/index.js';
import { NOW, hooliFile, planFor, seedWorld } from '../plan/builders.js';
import { plan } from '../../src/plan/plan.js';
import { PROPERTY_SEED, SOAK, buildScenario, runs, scenarioArb, withoutOrgs, type Built } from './arbitraries.js';
import { confirmationsFor, modelApply } from './apply-model.js';
import { NARROWING_CHECKS, WIDENING_CHECKS, blockedOrgIds, expectedChanges } from './oracle.js';

const params = (ci: number) => ({ numRuns: runs(ci), seed: PROPERTY_SEED });
const totals: Record<string, number> = {};
function count(name: string, n = 1): void {
  totals[name] = (totals[name] ?? 0) + n;
}

function planOf(built: Built, desired = built.desired): Plan {
  return plan(desired, built.world.observed, built.world.policy, { now: NOW });
}

/** Plans only the organizations none of whose changes is blocked: an applicable plan. */
function applicable(built: Built): { desired: ReturnType<typeof withoutOrgs>; plan: Plan } {
  const first = planOf(built);
  const desired = withoutOrgs(built, blockedOrgIds(first.changes));
  return { desired, plan: planOf(built, desired) };
}

const stepsOf = <K extends Step['kind']>(c: Change, kind: K) => c.steps.filter((s): s is Extract<Step, { kind: K }> => s.kind === kind);

describe('planning (pure core)', () => {
  it('plans one change per difference between the files and live Zendesk, and nothing else', () => {
    fc.assert(
      fc.property(scenarioArb(), (scenario) => {
        const built = buildScenario(scenario);
        const p = planOf(built);
        const want = expectedChanges(scenario);
        expect(p.changes.map((c) => c.key).sort()).toEqual([...want.keys()].sort());
        for (const c of p.changes) {
          expect({ kind: c.kind, widening: c.widening }, c.key).toEqual({ kind: want.get(c.key)!.kind, widening: want.get(c.key)!.widening });
        }
        count('diff/scenarios');
        count('diff/changes', p.changes.length);
      }),
      params(200),
    );
  });

  it('narrowing changes never need approval evidence: only ticket_url and ticket_org, blocked only by an unusable ticket', () => {
    fc.assert(
      fc.property(scenarioArb({ brokenWeight: 5 }), (scenario) => {
        const p = planOf(buildScenario(scenario));
        const want = expectedChanges(scenario);
        for (const c of p.changes.filter((x) => !x.widening)) {
          expect(c.checks.map((x) => x.id).sort(), c.key).toEqual([...NARROWING_CHECKS].sort());
          expect(c.blocked, `${c.key} (${c.kind}) blocked`).toBe(want.get(c.key)!.blocked);
          count(`narrowing/${c.blocked ? 'blocked' : 'ok'}`);
        }
      }),
      params(200),
    );
  });

  it('widening changes run every pre-check and are blocked whenever evidence is missing or broken', () => {
    fc.assert(
      fc.property(scenarioArb({ brokenWeight: 5 }), (scenario) => {
        const p = planOf(buildScenario(scenario));
        const want = expectedChanges(scenario);
        for (const c of p.changes.filter((x) => x.widening)) {
          const ids = c.checks.map((x) => x.id);
          const required = c.key.startsWith('org:') ? [...WIDENING_CHECKS, 'confirmed_type'] : WIDENING_CHECKS;
          expect(ids, c.key).toEqual(expect.arrayContaining(required));
          expect(c.blocked, `${c.key} (${c.kind}) blocked`).toBe(want.get(c.key)!.blocked);
          // A blocked change says why, in a failing check.
          expect(c.blocked).toBe(c.checks.some((x) => x.status === 'fail'));
          count(`widening/${c.blocked ? 'blocked' : 'ok'}`);
        }
      }),
      params(200),
    );
  });

  it('is pure and deterministic: the same inputs give the same plan, and Observed is not touched', () => {
    fc.assert(
      fc.property(scenarioArb(), (scenario) => {
        const built = buildScenario(scenario);
        const before = structuredClone(built.world.observed);
        const a = planOf(built);
        const b = planOf(built);
        expect(b).toEqual(a);
        expect(built.world.observed).toEqual(before);
      }),
      params(100),
    );
  });
});

describe('applying (in-memory model of the executor)', () => {
  it('plan → apply reaches the desired state, and a second plan is empty', () => {
    fc.assert(
      fc.property(scenarioArb({ brokenWeight: 2 }), (scenario) => {
        const built = buildScenario(scenario);
        const { desired, plan: p } = applicable(built);
        expect(isBlocked(p)).toBe(false);
        modelApply(built.world, p);

        for (const file of desired.orgs) {
          const live = built.world.liveOrg(file.id);
          const flags = flagsFromSharing(file.sharing);
          expect({ t: live.sharedTickets, c: live.sharedComments }, file.file).toEqual({ t: flags.shared_tickets, c: flags.shared_comments });
          for (const g of file.userAccess) {
            const u = built.world.observed.usersByEmail.get(g.email.toLowerCase());
            if (g.access === 'organization') expect(u?.ticketRestriction).toBe('organization');
            else expect(u?.ticketRestriction).not.toBe('organization');
          }
          for (const partner of file.partners) expect(live.domainNames).toContain(partner.domain);
        }
        const again = planOf(built, desired);
        expect(again.changes.map((c) => `${c.key} ${c.kind}`)).toEqual([]);
        count('apply/scenarios');
        count('apply/changes', p.changes.length);
      }),
      params(200),
    );
  });

  it('Details and user notes are only ever appended: the old text is a prefix of the new, one line per planned line at most', () => {
    fc.assert(
      fc.property(scenarioArb({ brokenWeight: 2 }), fc.nat(), (scenario, crashSeed) => {
        const built = buildScenario(scenario);
        const initialDetails = new Map([...built.world.observed.orgs].map(([id, o]) => [id, o?.details ?? null]));
        const initialNotes = new Map([...built.world.observed.users].map(([id, u]) => [id, u.notes]));
        const { desired, plan: p } = applicable(built);

        for (const c of p.changes) {
          for (const s of stepsOf(c, 'org_update')) {
            if (s.detailsLine === undefined) expect(s.detailsAfter).toBe(s.detailsBefore);
            else expect(s.detailsAfter).toBe(appendLine(s.detailsBefore, s.detailsLine));
            expect((s.detailsAfter ?? '').startsWith(s.detailsBefore ?? '')).toBe(true);
          }
          for (const s of stepsOf(c, 'user_update')) {
            expect([s.notesBefore ?? '', appendLine(s.notesBefore, s.notesLine)]).toContain(s.notesAfter);
          }
        }
        // Through a crash and a re-run, live text still only grows, by at most the lines the
        // first plan meant to add (one per change: a sharing change, each partner domain).
        const planned = new Map<number, number>();
        for (const c of p.changes) for (const s of stepsOf(c, 'org_update')) if (s.detailsLine) planned.set(s.orgId, (planned.get(s.orgId) ?? 0) + 1);
        const total = modelApply(structuredCloneWorld(built), p).writes;
        modelApply(built.world, p, crashSeed % (total + 1));
        modelApply(built.world, planOf(built, desired));
        for (const [id, before] of initialDetails) {
          const after = built.world.observed.orgs.get(id)?.details ?? null;
          expect((after ?? '').startsWith(before ?? ''), `org ${id} Details`).toBe(true);
          const added = (after ?? '').slice((before ?? '').length).split(/\n/).filter((l) => l.trim() !== '');
          expect(added.length, `org ${id}: lines added`).toBeLessThanOrEqual(planned.get(id) ?? 0);
        }
        for (const [id, before] of initialNotes) {
          const after = built.world.liveUser(id).notes;
          expect((after ?? '').startsWith(before ?? ''), `user ${id} notes`).toBe(true);
        }
      }),
      params(200),
    );
  });

  it('an apply interrupted after any write converges on re-run: one Details line and one confirmation per change', () => {
    fc.assert(
      fc.property(scenarioArb({ brokenWeight: 1 }), fc.nat(), (scenario, crashSeed) => {
        const built = buildScenario(scenario);
        const { desired, plan: p } = applicable(built);
        const total = modelApply(structuredCloneWorld(built), p).writes;
        const crashAfter = crashSeed % (total + 1);
        modelApply(built.world, p, crashAfter);

        const rerun = planOf(built, desired);
        expect(isBlocked(rerun)).toBe(false);
        modelApply(built.world, rerun);
        expect(planOf(built, desired).changes.map((c) => `${c.key} ${c.kind}`)).toEqual([]);

        for (const c of p.changes) {
          for (const s of stepsOf(c, 'org_update')) {
            if (s.detailsLine) expect(countLine(built.world.liveOrg(c.orgId).details, s.detailsLine), `${c.key} Details line`).toBe(1);
          }
          for (const s of stepsOf(c, 'ticket_comment')) {
            if (s.skip) continue;
            // Organization changes, user grants/revokes and partner domains alike: a crash
            // between the write and the comment is finished by the re-run (finish,
            // grant_finish, partner_finish), and never confirmed twice.
            expect(confirmationsFor(built.world, s.ticketId, s.body), `${c.key} confirmations (crash after ${crashAfter}/${total})`).toBe(1);
            expect(built.world.liveTicket(s.ticketId).status, `${c.key}: ticket ${s.ticketId} solved`).toBe('solved');
          }
        }
        count('crash/scenarios');
        count('crash/changes', p.changes.length);
      }),
      params(200),
    );
  });

  // Formerly a known bug (docs/reliability.md "Fixed bugs"): planUserAccess returned early
  // once the live restriction equalled the file, so a grant interrupted between its user
  // write and its comment was never confirmed. Now the re-run plans a `grant_finish`.
  it('a user grant interrupted before its confirmation comment gets it on re-run (grant_finish)', () => {
    const world = seedWorld();
    const p = planFor(world, hooliFile());
    expect(p.changes.map((c) => c.kind)).toEqual(['user_grant']);
    modelApply(world, p, 1); // the user update lands, the comment does not
    expect(world.liveUser(2401).ticketRestriction).toBe('organization');
    const rerun = planFor(world, hooliFile());
    expect(rerun.changes.map((c) => c.kind)).toEqual(['grant_finish']);
    modelApply(world, rerun);
    const body = stepsOf(p.changes[0]!, 'ticket_comment')[0]!.body;
    expect(confirmationsFor(world, 5010, body)).toBe(1);
    expect(world.liveTicket(5010).status).toBe('solved');
    expect(planFor(world, hooliFile()).changes).toEqual([]);
  });
});

describe('rendering', () => {
  it('renderPlan never throws, in text (with and without colour), JSON and Markdown', () => {
    fc.assert(
      fc.property(scenarioArb({ brokenWeight: 5 }), fc.boolean(), (scenario, allowLarge) => {
        const built = buildScenario(scenario);
        const p = plan(built.desired, built.world.observed, { ...built.world.policy, maxChanges: 3 }, { now: NOW, allowLarge });
        const text = renderPlan(p, 'text', { color: false });
        const colored = renderPlan(p, 'text', { color: true });
        expect(stripAnsi(colored).length).toBeGreaterThan(0);
        expect(text.length).toBeGreaterThan(0);
        const json = JSON.parse(renderPlan(p, 'json')) as { format_version: number; changes: unknown[] };
        expect(json.format_version).toBe(1);
        expect(json.changes).toHaveLength(p.changes.length);
        const md = renderPlan(p, 'markdown');
        for (const c of p.changes) {
          // Every change is named in every format (ids are plain digits, never escaped).
          expect(text).toContain(String(c.orgId));
          expect(md).toContain(String(c.orgId));
        }
      }),
      params(150),
    );
  });
});

/** A copy of the scenario's world, to count an apply's writes without touching it. */
function structuredCloneWorld(built: Built): Built['world'] {
  const copy = Object.create(Object.getPrototypeOf(built.world)) as Built['world'];
  Object.assign(copy, { ...built.world, observed: structuredClone(built.world.observed), policy: built.world.policy });
  return copy;
}

if (SOAK || process.env.RELIABILITY_VERBOSE) {
  // One summary line of what the properties saw, for the soak log.
  describe('summary', () => {
    it('prints property totals', () => {
      console.log(`[reliability] property runs (seed ${PROPERTY_SEED}): ${JSON.stringify(totals)}`);
    });
  });
}
