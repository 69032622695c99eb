import { describe, expect, it } from 'vitest';
import { OrgshareError } from '../../src/errors.js';
import { comparePlans, parsePlan, planSchemaErrors, planToJson, serializePlan } from '../../src/plan/saved.js';
import { acmeFile, desiredOf, hooliFile, NOW, ORG, planFor, seedFiles, seedWorld, ticketRef } from './builders.js';
import { plan } from '../../src/plan/plan.js';
import type { Plan } from '../../src/model/plan.js';
import { finishPlan } from '../render/scenario.js';

function seedPlan(): Plan {
  const w = seedWorld();
  const files = seedFiles();
  const acme = files[0]!;
  acme.partners.push({ domain: 'partnerco.example', ticket: ticketRef(4821), consent: acme.request!.riskApproval!, source: { file: acme.file, line: 30, col: 5 } });
  const p = planFor(w, files);
  p.changes[0]!.exposure = { usersGaining: 2, ticketsVisible: 14, commentersGaining: 0, note: 'estimate' };
  return p;
}

describe('saved plans (format_version 1)', () => {
  it('round-trip: parsePlan(serializePlan(plan)) is the same plan', () => {
    const p = seedPlan();
    expect(p.changes.map((c) => c.kind)).toEqual(['enable', 'partner_add', 'disable', 'user_grant']);
    expect(parsePlan(serializePlan(p))).toEqual(p);
  });

  it('round-trips the finish kinds (finish, grant_finish, partner_finish)', () => {
    const p = finishPlan();
    expect(p.changes.map((c) => c.kind)).toEqual(['finish', 'partner_finish', 'grant_finish']);
    expect(planSchemaErrors(planToJson(p))).toEqual([]);
    expect(parsePlan(serializePlan(p))).toEqual(p);
  });

  it('the JSON validates against schema/plan.schema.json', () => {
    expect(planSchemaErrors(planToJson(seedPlan()))).toEqual([]);
    expect(planSchemaErrors(planToJson(planFor(seedWorld(), [])))).toEqual([]);
  });

  it('uses stable snake_case keys', () => {
    const j = planToJson(seedPlan());
    expect(Object.keys(j)).toEqual([
      'format_version',
      'generated_at',
      'date',
      'account',
      'desired_hash',
      'managed',
      'blocked',
      'summary',
      'changes',
      'plan_checks',
      'fingerprint',
      'warnings',
    ]);
    expect(serializePlan(seedPlan())).not.toMatch(/"[a-z]+[A-Z][A-Za-z]*":/);
  });

  it('refuses another format_version', () => {
    const j = planToJson(seedPlan());
    j.format_version = 2;
    expect(() => parsePlan(JSON.stringify(j))).toThrow(/format_version 2 is not supported/);
  });

  it('refuses a plan that is not JSON', () => {
    expect(() => parsePlan('{')).toThrow(OrgshareError);
  });

  it('refuses a hand-edited plan the schema rejects, naming the problem', () => {
    const j = planToJson(seedPlan()) as { changes: { kind: string; steps: Record<string, unknown>[] }[] };
    j.changes[0]!.steps[1]!.surprise = true;
    expect(() => parsePlan(JSON.stringify(j))).toThrow(/\/changes\/0\/steps\/1 must NOT have additional properties \(surprise\)/);
    const k = planToJson(seedPlan()) as { changes: { kind: string }[] };
    k.changes[0]!.kind = 'delete_everything';
    expect(() => parsePlan(JSON.stringify(k))).toThrow(/invalid_plan|does not match/);
  });

  it('refuses a user change that carries a partner domain', () => {
    const j = planToJson(seedPlan()) as { changes: Record<string, unknown>[] };
    j.changes[3]!.domain = 'evil.example';
    expect(planSchemaErrors(j).length).toBeGreaterThan(0);
  });
});

describe('comparePlans: is a saved plan stale?', () => {
  it('a fresh plan of the same world is not stale', () => {
    expect(comparePlans(seedPlan(), seedPlan())).toEqual([]);
  });

  it('a plan reviewed yesterday is not stale just because the date moved', () => {
    const w = seedWorld();
    const yesterday = planFor(w, seedFiles(), { now: new Date('2026-11-22T16:00:00Z') });
    const today = planFor(w, seedFiles());
    expect(yesterday.date).not.toBe(today.date);
    expect(comparePlans(yesterday, today)).toEqual([]);
  });

  it('the files changed', () => {
    const w = seedWorld();
    const saved = plan(desiredOf(seedFiles(), 'hash-a'), w.observed, w.policy, { now: NOW });
    const fresh = plan(desiredOf(seedFiles(), 'hash-b'), w.observed, w.policy, { now: NOW });
    expect(comparePlans(saved, fresh)).toEqual(['the files in orgs/ (or orgshare.config.yaml) changed since the plan was made']);
  });

  it('an organization changed in Zendesk', () => {
    const w = seedWorld();
    const saved = planFor(w, seedFiles());
    w.liveOrg(ORG.acme).details = 'Customer since 2019. Edited.';
    w.liveOrg(ORG.acme).updatedAt = '2026-11-23T09:00:00Z';
    expect(comparePlans(saved, planFor(w, seedFiles()))).toEqual([
      'organization 360000000101 changed in Zendesk since the plan (details edited, updated_at 2026-11-01T00:00:00Z → 2026-11-23T09:00:00Z)',
      'enable org:360000000101 (Acme Corp) differs now (steps)',
    ]);
  });

  it('a ticket was solved meanwhile', () => {
    const w = seedWorld();
    const saved = planFor(w, seedFiles());
    w.liveTicket(4900).status = 'solved';
    const reasons = comparePlans(saved, planFor(w, seedFiles()));
    expect(reasons[0]).toBe('ticket 4900 changed in Zendesk since the plan (status open → solved)');
    expect(reasons).toContain('disable org:360000000103 (Initech) differs now (steps)');
  });

  it('a user was granted access by hand meanwhile: the grant is no longer needed', () => {
    const w = seedWorld();
    const saved = planFor(w, hooliFile());
    w.liveUser(2401).ticketRestriction = 'organization';
    w.liveUser(2401).updatedAt = '2026-11-23T08:00:00Z';
    expect(comparePlans(saved, planFor(w, hooliFile()))).toEqual([
      'user 2401 changed in Zendesk since the plan (ticket_restriction requested → organization, updated_at 2026-11-01T00:00:00Z → 2026-11-23T08:00:00Z)',
      'user_grant user:2401@org:360000000105 (Hooli) is no longer needed',
    ]);
  });

  it('a new change appeared', () => {
    const w = seedWorld();
    const saved = planFor(w, []);
    const fresh = planFor(w, acmeFile());
    expect(comparePlans(saved, fresh)).toContain('a new change is needed: enable org:360000000101 (Acme Corp)');
  });

  it('another account', () => {
    const w = seedWorld();
    const saved = planFor(w, []);
    w.observed.account.subdomain = 'globex';
    expect(comparePlans(saved, planFor(w, []))).toEqual(['the plan was made for the account "acme", not for "globex"']);
  });

  it('another API base URL of the same account names the URLs, not the account twice', () => {
    const w = seedWorld();
    const saved = planFor(w, []);
    const before = w.observed.account.baseUrl;
    w.observed.account.baseUrl = 'http://127.0.0.1:4999/api/v2';
    expect(comparePlans(saved, planFor(w, []))).toEqual([`the plan was made for the API at "${before}", not at "http://127.0.0.1:4999/api/v2"`]);
  });

  it('works on a plan read back from disk', () => {
    const saved = parsePlan(serializePlan(seedPlan()));
    expect(comparePlans(saved, seedPlan())).toEqual([]);
  });
});
