import { describe, expect, it } from 'vitest';
import type { OrgSharingChange, PartnerChange, Step, UserGrantChange } from '../../src/model/plan.js';
import { plan } from '../../src/plan/plan.js';
import {
  acmeFile,
  approval,
  changeOf,
  checkOf,
  desiredOf,
  failing,
  globexFile,
  hooliFile,
  initechFile,
  NOW,
  ORG,
  planFor,
  seedFiles,
  seedWorld,
  ticketRef,
  umbrellaFile,
  type World,
} from './builders.js';
import { runStep, simulateApply } from './simulate.js';

const ACME = `org:${ORG.acme}`;
const INITECH = `org:${ORG.initech}`;
const LEAD = `user:2401@org:${ORG.hooli}`;
const PARTNER = `partner:partnerco.example@org:${ORG.acme}`;

function stepOf<K extends Step['kind']>(steps: Step[], kind: K): Extract<Step, { kind: K }> {
  const s = steps.find((x) => x.kind === kind);
  if (!s) throw new Error(`no ${kind} step; steps: ${steps.map((x) => x.kind).join(', ')}`);
  return s as Extract<Step, { kind: K }>;
}

describe('the seed plan', () => {
  it('enables Acme Corp, disables Initech, grants lead@hooli.example; Globex and Umbrella are converged', () => {
    const p = planFor(seedWorld(), seedFiles());
    expect(p.changes.map((c) => [c.key, c.kind, c.blocked])).toEqual([
      ['org:360000000101', 'enable', false],
      ['org:360000000103', 'disable', false],
      ['user:2401@org:360000000105', 'user_grant', false],
    ]);
    expect(p).toMatchObject({ formatVersion: 1, date: '2026-11-23', generatedAt: NOW.toISOString(), managed: 5, warnings: [] });
  });

  it('runs the enable steps in handbook order: ticket metadata, organization, comment and solve', () => {
    const c = changeOf(planFor(seedWorld(), acmeFile()), ACME);
    expect(c.steps.map((s) => s.kind)).toEqual(['ticket_metadata', 'org_update', 'ticket_comment']);
    expect(stepOf(c.steps, 'org_update')).toEqual({
      kind: 'org_update',
      orgId: ORG.acme,
      flags: { shared_tickets: true, shared_comments: false },
      detailsLine: 'Shared organization (Read only) enabled 2026-11-23 as per https://acme.zendesk.com/agent/tickets/4821',
      detailsBefore: 'Customer since 2019.',
      detailsAfter: 'Customer since 2019.\nShared organization (Read only) enabled 2026-11-23 as per https://acme.zendesk.com/agent/tickets/4821',
    });
    const comment = stepOf(c.steps, 'ticket_comment');
    expect(comment).toMatchObject({ ticketId: 4821, solve: true });
    expect(comment.body).toContain('Shared organization (Read only) has been enabled for Acme Corp');
    expect(comment.body).toContain('can now see (but not comment on) all of your organization’s tickets');
  });

  it('disables with the flags off and a "disabled" line, no ticket metadata', () => {
    const c = changeOf(planFor(seedWorld(), initechFile()), INITECH);
    expect(c.steps.map((s) => s.kind)).toEqual(['org_update', 'ticket_comment']);
    expect(stepOf(c.steps, 'org_update')).toMatchObject({
      flags: { shared_tickets: false, shared_comments: false },
      detailsBefore: null,
      detailsAfter: 'Shared organization disabled 2026-11-23 as per https://acme.zendesk.com/agent/tickets/4900',
    });
  });

  it('writes the UTC date of opts.now', () => {
    const p = planFor(seedWorld(), acmeFile(), { now: new Date('2026-12-31T23:59:59-05:00') });
    expect(p.date).toBe('2027-01-01');
    expect(stepOf(changeOf(p, ACME).steps, 'org_update').detailsLine).toContain(' enabled 2027-01-01 as per ');
  });
});

describe('ticket metadata', () => {
  it('maps dropdown option names to their tag values', () => {
    const c = changeOf(planFor(seedWorld(), acmeFile()), ACME);
    expect(stepOf(c.steps, 'ticket_metadata')).toEqual({
      kind: 'ticket_metadata',
      ticketId: 4821,
      fields: [
        { id: 7001, title: 'Support Ops Problem Type', value: 'support_ops_shared_organization_requests' },
        { id: 7002, title: 'Shared Org type', value: 'shared_org_read_only' },
        { id: 7003, title: 'Confirm security risk', value: true },
      ],
    });
  });

  it('uses the Read+write option for read_write', () => {
    const w = seedWorld();
    const f = acmeFile();
    f.sharing = 'read_write';
    f.request!.confirmedType = 'read_write';
    const fields = stepOf(changeOf(planFor(w, f), ACME).steps, 'ticket_metadata').fields;
    expect(fields.find((x) => x.id === 7002)?.value).toBe('shared_org_read_write');
  });

  it('finds fields by configured id, and by title case-insensitively', () => {
    const w = seedWorld();
    w.observed.ticketFields[0]!.title = 'SUPPORT OPS problem type';
    w.observed.ticketFields[1]!.title = 'Renamed type field';
    w.policy.ticketFields.sharedOrgType.id = 7002;
    const c = changeOf(planFor(w, acmeFile()), ACME);
    expect(c.blocked).toBe(false);
    expect(stepOf(c.steps, 'ticket_metadata').fields.map((x) => x.id)).toEqual([7001, 7002, 7003]);
  });

  it('leaves out fields that already have the value, and skips the step when all do', () => {
    const w = seedWorld();
    w.liveTicket(4821).customFields = [{ id: 7001, value: 'support_ops_shared_organization_requests' }];
    expect(stepOf(changeOf(planFor(w, acmeFile()), ACME).steps, 'ticket_metadata').fields.map((x) => x.id)).toEqual([7002, 7003]);
    w.liveTicket(4821).customFields.push({ id: 7002, value: 'shared_org_read_only' }, { id: 7003, value: true });
    expect(stepOf(changeOf(planFor(w, acmeFile()), ACME).steps, 'ticket_metadata')).toMatchObject({
      fields: [],
      skip: 'the ticket fields already have these values',
    });
  });

  it('a field missing from the account blocks the change under `schema`', () => {
    const w = seedWorld();
    w.observed.ticketFields = w.observed.ticketFields.filter((f) => f.id !== 7003);
    const c = changeOf(planFor(w, acmeFile()), ACME);
    expect(failing(c)).toEqual(['schema']);
    expect(checkOf(c, 'schema').message).toBe('no ticket field titled "Confirm security risk" exists in this Zendesk account');
    expect(checkOf(c, 'schema').hint).toContain('ticket_fields');
  });

  it('an option missing from a dropdown blocks the change under `schema`', () => {
    const w = seedWorld();
    w.policy.ticketFields.problemType.value = 'Shared orgs';
    const c = changeOf(planFor(w, acmeFile()), ACME);
    expect(checkOf(c, 'schema').message).toBe(
      'ticket field "Support Ops Problem Type" (7001) has no option "Shared orgs" (options: "Shared organization requests", "Other")',
    );
  });

  it('a configured field id that does not exist blocks the change', () => {
    const w = seedWorld();
    w.policy.ticketFields.confirmRisk.id = 9999;
    expect(checkOf(changeOf(planFor(w, acmeFile()), ACME), 'schema').message).toBe(
      'ticket field 9999 ("Confirm security risk") does not exist in this Zendesk account',
    );
  });

  it('does not tick "Confirm security risk" for a narrowing type change', () => {
    const w = seedWorld();
    w.ticket(3200, { org: ORG.globex, requester: 2101 });
    const f = globexFile();
    f.sharing = 'read_only';
    f.request = { ticket: ticketRef(3200), legacy: false };
    const c = changeOf(planFor(w, f), `org:${ORG.globex}`);
    expect(stepOf(c.steps, 'ticket_metadata').fields.map((x) => [x.id, x.value])).toEqual([
      [7001, 'support_ops_shared_organization_requests'],
      [7002, 'shared_org_read_only'],
    ]);
  });
});

describe('solved tickets and reruns', () => {
  it('skips the ticket steps, saying why, when the ticket is already solved', () => {
    const w = seedWorld();
    w.liveTicket(4821).status = 'solved';
    w.observed.ticketFields = []; // not needed: no field is written
    const c = changeOf(planFor(w, acmeFile()), ACME);
    expect(c.blocked).toBe(false);
    expect(stepOf(c.steps, 'ticket_metadata').skip).toBe('ticket 4821 is already solved: ticket fields are left as they are');
    expect(stepOf(c.steps, 'ticket_comment').skip).toBe('ticket 4821 is already solved: no comment is posted and the status is left as it is');
    expect(stepOf(c.steps, 'org_update').skip).toBeUndefined();
  });

  it('skips the comment when the same confirmation is already on the ticket', () => {
    const w = seedWorld();
    const first = changeOf(planFor(w, acmeFile()), ACME);
    const body = stepOf(first.steps, 'ticket_comment').body;
    w.comment(4821, { id: 90300, author: 1001, body: body.replace(/\n\n/g, '\n').toUpperCase() });
    const c = changeOf(planFor(w, acmeFile()), ACME);
    expect(stepOf(c.steps, 'ticket_comment').skip).toBe('this confirmation is already on ticket 4821 (comment 90300)');
  });

  it('writes a new Details line even when the last sharing line names the same change (sharing was switched by hand since)', () => {
    const w = seedWorld();
    const line = 'Shared organization (Read only) enabled 2026-11-20 as per https://acme.zendesk.com/agent/tickets/4821';
    w.liveOrg(ORG.acme).details = `Customer since 2019.\n${line}`;
    const step = stepOf(changeOf(planFor(w, acmeFile()), ACME).steps, 'org_update');
    expect(step.flags).toEqual({ shared_tickets: true, shared_comments: false });
    expect(step.detailsLine).toBe(line.replace('2026-11-20', '2026-11-23'));
    expect(step.detailsAfter).toBe(`Customer since 2019.\n${line}\n${step.detailsLine}`);
  });

  it('does write a line when an older line for the same ticket is followed by another', () => {
    const w = seedWorld();
    w.liveOrg(ORG.acme).details =
      'Shared organization (Read only) enabled 2026-11-20 as per https://acme.zendesk.com/agent/tickets/4821\nShared organization disabled 2026-11-21 as per https://acme.zendesk.com/agent/tickets/4830';
    expect(stepOf(changeOf(planFor(w, acmeFile()), ACME).steps, 'org_update').detailsLine).toBeDefined();
  });
});

describe('level-based: converged state plans zero changes', () => {
  it('after applying the seed plan, planning again finds nothing to do', () => {
    const w = seedWorld();
    const first = planFor(w, seedFiles());
    simulateApply(w, first);
    const again = planFor(w, seedFiles());
    expect(again.changes).toEqual([]);
    expect(again.planChecks.map((c) => c.status)).toEqual(['pass']);
    // Exactly one Details line was written.
    expect(w.liveOrg(ORG.acme).details?.match(/Shared organization/g)).toHaveLength(1);
  });

  it('Globex (older lowercase line, solved ticket) and Umbrella (HIPAA, private) are converged on the seed', () => {
    expect(planFor(seedWorld(), [globexFile(), umbrellaFile()]).changes).toEqual([]);
  });

  it('an interrupted apply converges from any step', () => {
    const total = planFor(seedWorld(), seedFiles()).changes.flatMap((c) => c.steps.filter((s) => !s.skip)).length;
    for (let stop = 0; stop <= total; stop++) {
      const w = seedWorld();
      simulateApply(w, planFor(w, seedFiles()), stop);
      const rerun = planFor(w, seedFiles());
      expect(rerun.changes.every((c) => !c.blocked), `rerun after ${stop} steps is not blocked`).toBe(true);
      simulateApply(w, rerun);
      expect(planFor(w, seedFiles()).changes, `converged after a crash at step ${stop}`).toEqual([]);
      expect(w.liveOrg(ORG.acme).details?.match(/Shared organization/g)).toHaveLength(1);
      const confirmations = w.observed.tickets.get(4821)!.comments.filter((c) => c.authorId === 1001);
      expect(confirmations).toHaveLength(1);
    }
  });
});

describe('finish: the crash-recovery path', () => {
  function crashedAfterOrgUpdate(): World {
    const w = seedWorld();
    const p = planFor(w, acmeFile());
    simulateApply(w, p, 2); // ticket_metadata, org_update — then the process died
    return w;
  }

  it('plans only the remaining ticket steps', () => {
    const w = crashedAfterOrgUpdate();
    const c = changeOf(planFor(w, acmeFile()), ACME) as OrgSharingChange;
    expect(c).toMatchObject({ kind: 'finish', from: 'read_only', to: 'read_only', widening: false, blocked: false });
    expect(c.steps.map((s) => s.kind)).toEqual(['ticket_comment']);
    expect(c.checks.map((x) => x.id)).toEqual(['ticket_url', 'ticket_org']);
  });

  it('does not redo the ticket metadata (apply writes it before the organization), so needs no ticket fields', () => {
    const w = crashedAfterOrgUpdate();
    w.observed.ticketFields = []; // not read for a finish
    const c = changeOf(planFor(w, acmeFile()), ACME);
    expect(c.blocked).toBe(false);
    expect(c.steps.map((s) => s.kind)).toEqual(['ticket_comment']);
  });

  it('converges on a later day with the comment of the original change', () => {
    const w = crashedAfterOrgUpdate();
    const later = planFor(w, acmeFile(), { now: new Date('2026-11-25T08:00:00Z') });
    simulateApply(w, later);
    expect(planFor(w, acmeFile(), { now: new Date('2026-11-26T08:00:00Z') }).changes).toEqual([]);
  });

  it('is not planned once the ticket is solved', () => {
    const w = crashedAfterOrgUpdate();
    w.liveTicket(4821).status = 'solved';
    expect(planFor(w, acmeFile()).changes).toEqual([]);
  });

  it('is not planned when the last Details line is for another ticket', () => {
    const w = crashedAfterOrgUpdate();
    w.liveOrg(ORG.acme).details += '\nShared organization (Read only) enabled 2026-11-23 as per https://acme.zendesk.com/agent/tickets/9999';
    expect(planFor(w, acmeFile()).changes).toEqual([]);
  });

  it('is not planned for a legacy record', () => {
    const w = crashedAfterOrgUpdate();
    const f = acmeFile();
    f.request!.legacy = true;
    expect(planFor(w, f).changes).toEqual([]);
  });

  it('finishes a disable too', () => {
    const w = seedWorld();
    simulateApply(w, planFor(w, initechFile()), 1);
    const c = changeOf(planFor(w, initechFile()), INITECH);
    expect(c.kind).toBe('finish');
    expect(stepOf(c.steps, 'ticket_comment').body).toContain('has been disabled for Initech');
  });
});

describe('legacy records', () => {
  it('are accepted while live equals the file', () => {
    const f = globexFile();
    f.request!.legacy = true;
    delete f.request!.riskApproval;
    expect(planFor(seedWorld(), f).changes).toEqual([]);
  });
});

describe('user-level grants', () => {
  it('grants with the grant’s own approval and writes a dated notes line', () => {
    const c = changeOf(planFor(seedWorld(), hooliFile()), 'user:2401@org:360000000105');
    expect(c).toMatchObject({ kind: 'user_grant', userId: 2401, from: 'requested', to: 'organization', widening: true, blocked: false });
    expect(c.steps).toEqual([
      {
        kind: 'user_update',
        userId: 2401,
        ticketRestriction: 'organization',
        notesLine: 'Ticket access (All organization tickets) granted 2026-11-23 as per https://acme.zendesk.com/agent/tickets/5010',
        notesBefore: null,
        notesAfter: 'Ticket access (All organization tickets) granted 2026-11-23 as per https://acme.zendesk.com/agent/tickets/5010',
      },
      expect.objectContaining({ kind: 'ticket_comment', ticketId: 5010, solve: true }),
    ]);
  });

  it('falls back to the organization request’s approval when the grant is on the same ticket', () => {
    const w = seedWorld();
    const f = hooliFile();
    delete f.userAccess[0]!.riskApproval;
    f.request!.riskApproval = approval('gavin@hooli.example', 50110);
    const c = changeOf(planFor(w, f), 'user:2401@org:360000000105');
    expect(c.blocked).toBe(false);
    expect(checkOf(c, 'risk_approved').source?.line).toBe(12);
  });

  it('is blocked without any approval', () => {
    const f = hooliFile();
    delete f.userAccess[0]!.riskApproval;
    const c = changeOf(planFor(seedWorld(), f), 'user:2401@org:360000000105');
    expect(failing(c)).toEqual(['risk_approved']);
    expect(checkOf(c, 'risk_approved').message).toBe('user_access[0].risk_approval is missing');
  });

  it('is blocked for a user of another organization (name_match)', () => {
    const f = hooliFile();
    f.userAccess[0]!.email = 'jane@acme.example';
    const c = changeOf(planFor(seedWorld(), f), 'user:2001@org:360000000105');
    expect(failing(c)).toEqual(['name_match']);
    expect(checkOf(c, 'name_match').message).toBe('jane@acme.example (user 2001) is not a member of Hooli (member of Acme Corp (360000000101))');
  });

  it('is blocked for an unknown email', () => {
    const w = seedWorld();
    w.noUser('ghost@hooli.example');
    const f = hooliFile();
    f.userAccess[0]!.email = 'ghost@hooli.example';
    const c = changeOf(planFor(w, f), 'user:ghost@hooli.example@org:360000000105');
    expect(c).toMatchObject({ userId: null, blocked: true, steps: [] });
  });

  it('is blocked on a HIPAA organization', () => {
    const f = hooliFile();
    f.restrictions.hipaa = true;
    expect(failing(changeOf(planFor(seedWorld(), f), 'user:2401@org:360000000105'))).toEqual(['hipaa']);
  });

  it('revokes (narrowing, ticket checks only) when the file says requested', () => {
    const w = seedWorld();
    w.liveUser(2401).ticketRestriction = 'organization';
    w.liveUser(2401).notes = 'Team lead';
    const f = hooliFile();
    f.userAccess[0]!.access = 'requested';
    delete f.userAccess[0]!.riskApproval;
    const c = changeOf(planFor(w, f), 'user:2401@org:360000000105');
    expect(c).toMatchObject({ kind: 'user_revoke', from: 'organization', to: 'requested', widening: false, blocked: false });
    expect(c.checks.map((x) => x.id)).toEqual(['ticket_url', 'ticket_org']);
    expect(stepOf(c.steps, 'user_update').notesAfter).toBe(
      'Team lead\nTicket access (Own tickets only) set 2026-11-23 as per https://acme.zendesk.com/agent/tickets/5010',
    );
  });

  it('plans nothing when the grant is already live', () => {
    const w = seedWorld();
    w.liveUser(2401).ticketRestriction = 'organization';
    expect(planFor(w, hooliFile()).changes).toEqual([]);
  });
});

describe('partners', () => {
  function acmeWithPartner() {
    const f = acmeFile();
    f.sharing = 'private';
    f.partners.push({
      domain: 'partnerco.example',
      ticket: ticketRef(4821),
      consent: approval('jane@acme.example', 90210),
      source: { file: f.file, line: 30, col: 5 },
    });
    return f;
  }

  it('adds a declared domain with the full new domain list, after verifying consent', () => {
    const w = seedWorld();
    w.liveOrg(ORG.acme).domainNames = ['acme.example'];
    const c = changeOf(planFor(w, acmeWithPartner()), 'partner:partnerco.example@org:360000000101');
    expect(c).toMatchObject({ kind: 'partner_add', domain: 'partnerco.example', widening: true, blocked: false });
    expect(stepOf(c.steps, 'org_update')).toMatchObject({ domainNames: ['acme.example', 'partnerco.example'] });
    expect(stepOf(c.steps, 'org_update').flags).toBeUndefined();
  });

  it('is blocked without consent', () => {
    const f = acmeWithPartner();
    delete f.partners[0]!.consent;
    const c = changeOf(planFor(seedWorld(), f), 'partner:partnerco.example@org:360000000101');
    expect(failing(c)).toEqual(['risk_approved']);
    expect(checkOf(c, 'risk_approved').message).toBe('partners[0].consent is missing');
  });

  it('does nothing when the domain is already there (case-insensitive) and never removes domains', () => {
    const w = seedWorld();
    w.liveOrg(ORG.acme).domainNames = ['PartnerCo.example', 'other.example'];
    expect(planFor(w, acmeWithPartner()).changes).toEqual([]);
  });

  it('accumulates several new domains so no step drops another', () => {
    const w = seedWorld();
    const f = acmeWithPartner();
    f.partners.push({ ...f.partners[0]!, domain: 'another.example' });
    const p = planFor(w, f);
    expect(p.changes.map((c) => (c.steps[0] as { domainNames?: string[] }).domainNames)).toEqual([
      ['another.example'],
      ['another.example', 'partnerco.example'],
    ]);
  });
});

describe('finishing grants, revokes and partner domains (comment only)', () => {
  /** Runs every step of the plan except the confirmation comments: the apply stopped there. */
  function applyWithoutComments(w: World, files: Parameters<typeof planFor>[1]): void {
    for (const c of planFor(w, files).changes) for (const s of c.steps) if (s.kind !== 'ticket_comment') runStep(w, s);
  }

  function acmePrivateWithPartner() {
    const f = acmeFile();
    f.sharing = 'private';
    f.partners.push({
      domain: 'partnerco.example',
      ticket: ticketRef(4821),
      consent: approval('jane@acme.example', 90210),
      source: { file: f.file, line: 30, col: 5 },
    });
    return f;
  }

  function revokeFile() {
    const f = hooliFile();
    f.userAccess[0]!.access = 'requested';
    delete f.userAccess[0]!.riskApproval;
    return f;
  }

  function revokeWorld(): World {
    const w = seedWorld();
    w.liveUser(2401).ticketRestriction = 'organization';
    return w;
  }

  it('a grant whose user write landed but whose comment did not: grant_finish with only the comment (and solve)', () => {
    const w = seedWorld();
    const first = changeOf(planFor(w, hooliFile()), LEAD);
    applyWithoutComments(w, hooliFile());
    expect(w.liveUser(2401).ticketRestriction).toBe('organization');

    const c = changeOf(planFor(w, hooliFile()), LEAD) as UserGrantChange;
    expect(c).toMatchObject({ kind: 'grant_finish', userId: 2401, from: 'organization', to: 'organization', widening: false, blocked: false });
    expect(c.checks.map((x) => x.id)).toEqual(['ticket_url', 'ticket_org']);
    expect(c.evidence).toBeUndefined();
    // The same confirmation the interrupted grant would have posted.
    expect(c.steps).toEqual([{ ...stepOf(first.steps, 'ticket_comment') }]);

    simulateApply(w, planFor(w, hooliFile()));
    expect(w.observed.tickets.get(5010)!.comments.filter((x) => x.authorId === 1001)).toHaveLength(1);
    expect(w.liveTicket(5010).status).toBe('solved');
    expect(planFor(w, hooliFile()).changes).toEqual([]);
  });

  it('a revoke is finished the same way, with the revoke confirmation', () => {
    const w = revokeWorld();
    applyWithoutComments(w, revokeFile());
    expect(w.liveUser(2401).ticketRestriction).toBe('requested');

    const c = changeOf(planFor(w, revokeFile()), LEAD) as UserGrantChange;
    expect(c).toMatchObject({ kind: 'grant_finish', from: 'requested', to: 'requested', widening: false, blocked: false });
    expect(c.steps.map((s) => s.kind)).toEqual(['ticket_comment']);
    expect(stepOf(c.steps, 'ticket_comment')).toMatchObject({ ticketId: 5010, solve: true });
    expect(stepOf(c.steps, 'ticket_comment').body).toContain('lead@hooli.example now sees only their own tickets of Hooli');
  });

  it('a partner domain added without its comment: partner_finish, recognised by the Details partner line', () => {
    const w = seedWorld();
    const add = changeOf(planFor(w, acmePrivateWithPartner()), PARTNER);
    // Adding the domain records it (and its ticket) in Details, one line.
    expect(stepOf(add.steps, 'org_update')).toEqual({
      kind: 'org_update',
      orgId: ORG.acme,
      domainNames: ['partnerco.example'],
      detailsLine: 'Partner domain partnerco.example added 2026-11-23 as per https://acme.zendesk.com/agent/tickets/4821',
      detailsBefore: 'Customer since 2019.',
      detailsAfter: 'Customer since 2019.\nPartner domain partnerco.example added 2026-11-23 as per https://acme.zendesk.com/agent/tickets/4821',
    });
    applyWithoutComments(w, acmePrivateWithPartner());

    const c = changeOf(planFor(w, acmePrivateWithPartner()), PARTNER) as PartnerChange;
    expect(c).toMatchObject({ kind: 'partner_finish', domain: 'partnerco.example', widening: false, blocked: false });
    expect(c.checks.map((x) => x.id)).toEqual(['ticket_url', 'ticket_org']);
    expect(c.steps).toEqual([{ ...stepOf(add.steps, 'ticket_comment') }]);

    simulateApply(w, planFor(w, acmePrivateWithPartner()));
    expect(planFor(w, acmePrivateWithPartner()).changes).toEqual([]);
  });

  it('finishes on a later day with the confirmation of the original change', () => {
    const w = seedWorld();
    applyWithoutComments(w, [hooliFile(), acmePrivateWithPartner()]);
    const later = planFor(w, [hooliFile(), acmePrivateWithPartner()], { now: new Date('2026-11-25T08:00:00Z') });
    expect(later.changes.map((c) => c.kind)).toEqual(['partner_finish', 'grant_finish']);
    simulateApply(w, later);
    expect(planFor(w, [hooliFile(), acmePrivateWithPartner()], { now: new Date('2026-11-26T08:00:00Z') }).changes).toEqual([]);
  });

  it('is not planned when the confirmation is already on the ticket, alone or joined with another change’s', () => {
    const w = seedWorld();
    const body = stepOf(changeOf(planFor(w, hooliFile()), LEAD).steps, 'ticket_comment').body;
    applyWithoutComments(w, hooliFile());
    // Apply joins the confirmations of changes sharing a ticket into one comment.
    w.comment(5010, { id: 50200, author: 1001, body: `Hello,\n\nsomething else was done.\n\n${body}` });
    expect(planFor(w, hooliFile()).changes).toEqual([]);
  });

  it('is not planned once the ticket is solved or closed', () => {
    for (const status of ['solved', 'closed'] as const) {
      const w = seedWorld();
      applyWithoutComments(w, [hooliFile(), acmePrivateWithPartner()]);
      w.liveTicket(5010).status = status;
      w.liveTicket(4821).status = status;
      expect(planFor(w, [hooliFile(), acmePrivateWithPartner()]).changes, status).toEqual([]);
    }
  });

  it('is not planned when the ticket was not read or does not exist', () => {
    const w = seedWorld();
    applyWithoutComments(w, hooliFile());
    w.observed.tickets.delete(5010);
    expect(planFor(w, hooliFile()).changes).toEqual([]);
    w.noTicket(5010);
    expect(planFor(w, hooliFile()).changes).toEqual([]);
  });

  it('is not planned when the record names another ticket or another access, or there is no record', () => {
    const w = seedWorld();
    w.liveUser(2401).ticketRestriction = 'organization';
    w.liveUser(2401).notes = 'Ticket access (All organization tickets) granted 2026-11-01 as per https://acme.zendesk.com/agent/tickets/4821';
    expect(planFor(w, hooliFile()).changes).toEqual([]);
    w.liveUser(2401).notes = 'Ticket access (Own tickets only) set 2026-11-01 as per https://acme.zendesk.com/agent/tickets/5010';
    expect(planFor(w, hooliFile()).changes).toEqual([]);
    // A later line for another ticket supersedes this grant's.
    w.liveUser(2401).notes =
      'Ticket access (All organization tickets) granted 2026-11-01 as per https://acme.zendesk.com/agent/tickets/5010\n' +
      'Ticket access (All organization tickets) granted 2026-11-02 as per https://acme.zendesk.com/agent/tickets/4821';
    expect(planFor(w, hooliFile()).changes).toEqual([]);

    // A domain added by hand (no partner line), or recorded for another ticket.
    const p = seedWorld();
    p.liveOrg(ORG.acme).domainNames = ['partnerco.example'];
    expect(planFor(p, acmePrivateWithPartner()).changes).toEqual([]);
    p.liveOrg(ORG.acme).details = 'Partner domain partnerco.example added 2026-11-01 as per https://acme.zendesk.com/agent/tickets/4900';
    expect(planFor(p, acmePrivateWithPartner()).changes).toEqual([]);
    p.liveOrg(ORG.acme).details = 'Partner domain other.example added 2026-11-01 as per https://acme.zendesk.com/agent/tickets/4821';
    expect(planFor(p, acmePrivateWithPartner()).changes).toEqual([]);
  });

  it('never finishes a grandfathered entry of a legacy file (no evidence of its own); an entry with its own evidence is finished', () => {
    const legacy = () => {
      const f = hooliFile();
      f.request!.legacy = true;
      return f;
    };
    const w = seedWorld();
    applyWithoutComments(w, hooliFile());
    const imported = legacy();
    delete imported.userAccess[0]!.riskApproval;
    expect(planFor(w, imported).changes).toEqual([]);
    expect(changeOf(planFor(w, legacy()), LEAD).kind).toBe('grant_finish');

    const p = seedWorld();
    applyWithoutComments(p, acmePrivateWithPartner());
    const legacyPartner = acmePrivateWithPartner();
    legacyPartner.request!.legacy = true;
    delete legacyPartner.partners[0]!.consent;
    expect(planFor(p, legacyPartner).changes).toEqual([]);
  });

  it('finish kinds change nobody’s access: the blast radius does not count them', () => {
    const w = seedWorld();
    w.policy.maxChanges = 0;
    applyWithoutComments(w, [hooliFile(), acmePrivateWithPartner()]);
    const p = planFor(w, [hooliFile(), acmePrivateWithPartner()]);
    expect(p.changes.map((c) => c.kind)).toEqual(['partner_finish', 'grant_finish']);
    expect(p.planChecks).toEqual([expect.objectContaining({ id: 'blast_radius', status: 'pass' })]);
  });

  it('an organization change and a partner domain on one organization append one Details line each, in apply order', () => {
    const w = seedWorld();
    const f = acmePrivateWithPartner();
    f.sharing = 'read_only';
    const p = planFor(w, f);
    const sharing = stepOf(changeOf(p, ACME).steps, 'org_update');
    const partner = stepOf(changeOf(p, PARTNER).steps, 'org_update');
    expect(partner.detailsBefore).toBe(sharing.detailsAfter);
    expect(partner.detailsAfter).toBe(`${sharing.detailsAfter}\nPartner domain partnerco.example added 2026-11-23 as per https://acme.zendesk.com/agent/tickets/4821`);
    simulateApply(w, p);
    expect(planFor(w, f).changes).toEqual([]);
  });

  it('a domain removed by hand and added again is not recorded twice for the same ticket', () => {
    const w = seedWorld();
    simulateApply(w, planFor(w, acmePrivateWithPartner()));
    w.liveOrg(ORG.acme).domainNames = [];
    const c = changeOf(planFor(w, acmePrivateWithPartner(), { now: new Date('2026-11-30T08:00:00Z') }), PARTNER);
    expect(c.kind).toBe('partner_add');
    expect(stepOf(c.steps, 'org_update').detailsLine).toBeUndefined();
    expect(stepOf(c.steps, 'org_update').detailsAfter).toBe(w.liveOrg(ORG.acme).details);
  });
});

describe('determinism', () => {
  it('orders changes by organization id, then key, whatever the file order', () => {
    const w = seedWorld();
    const a = planFor(w, seedFiles());
    const b = planFor(w, [...seedFiles()].reverse());
    expect(b).toEqual(a);
  });

  it('is a pure function of its arguments', () => {
    const w = seedWorld();
    const before = structuredClone(w.observed);
    const args = [desiredOf(seedFiles()), w.observed, w.policy, { now: NOW }] as const;
    expect(plan(...args)).toEqual(plan(...args));
    expect(w.observed).toEqual(before);
  });

  it('a missing organization is a blocked change with no steps', () => {
    const w = seedWorld();
    w.observed.orgs.delete(ORG.initech);
    const c = changeOf(planFor(w, initechFile()), INITECH);
    expect(c).toMatchObject({ blocked: true, steps: [] });
    expect(checkOf(c, 'name_match').message).toBe('organization 360000000103 was not read from Zendesk');
  });
});

describe('fingerprint', () => {
  it('records every organization, ticket and user the plan depends on, sorted by id', () => {
    const p = planFor(seedWorld(), seedFiles());
    expect(p.fingerprint.orgs.map((o) => o.id)).toEqual([ORG.acme, ORG.globex, ORG.initech, ORG.umbrella, ORG.hooli]);
    expect(p.fingerprint.tickets.map((t) => [t.id, t.status])).toEqual([
      [3100, 'solved'],
      [4821, 'open'],
      [4900, 'open'],
      [4950, 'solved'],
      [5010, 'open'],
    ]);
    expect(p.fingerprint.users.map((u) => u.id)).toEqual([2001, 2101, 2401, 2402]);
    expect(p.fingerprint.orgs[0]?.detailsSha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
