/**
 * One scenario per pre-check: starting from the seed, where enabling Acme Corp passes
 * every check, change one fact and the widening change is blocked by exactly that check.
 */
import { describe, expect, it } from 'vitest';
import { isBlocked } from '../../src/model/plan.js';
import {
  acmeFile,
  approval,
  changeOf,
  checkOf,
  failing,
  hooliFile,
  initechFile,
  ORG,
  planFor,
  seedFiles,
  seedWorld,
  ticketRef,
} from '../plan/builders.js';

const ACME = `org:${ORG.acme}`;

function planAcme(setup: (w: ReturnType<typeof seedWorld>, file: ReturnType<typeof acmeFile>) => void) {
  const world = seedWorld();
  const file = acmeFile();
  setup(world, file);
  return changeOf(planFor(world, file), ACME);
}

describe('the seed request passes every pre-check', () => {
  it('enabling Acme Corp (Read only, ticket 4821) is not blocked', () => {
    const c = planAcme(() => {});
    expect(c.kind).toBe('enable');
    expect(c.widening).toBe(true);
    expect(c.blocked).toBe(false);
    expect(c.checks.map((x) => [x.id, x.status])).toEqual([
      ['name_match', 'pass'],
      ['ticket_url', 'pass'],
      ['ticket_org', 'pass'],
      ['requester_match', 'pass'],
      ['confirmed_type', 'pass'],
      ['risk_message_sent', 'pass'],
      ['risk_approved', 'pass'],
      ['approver_member', 'pass'],
      ['deny_note', 'pass'],
      ['hipaa', 'pass'],
    ]);
    expect(c.evidence).toEqual({
      requester: { id: 2001, email: 'jane@acme.example', name: 'jane' },
      typeConfirmation: { via: 'type_confirmation', commentId: 90200, author: 'jane@acme.example', createdAt: expect.any(String) as unknown, quote: 'Read only please' },
      approvalQuote: 'we accept the security risk',
      riskMessageCommentId: 90201,
      approvalComment: expect.objectContaining({ id: 90210, author: 'jane@acme.example', public: true }) as unknown,
    });
  });
});

describe('each pre-check blocks a widening change on its own', () => {
  it('name_match: the live organization has another name (a wrong id?)', () => {
    const c = planAcme((w) => (w.liveOrg(ORG.acme).name = 'Acme Corporation'));
    expect(failing(c)).toEqual(['name_match']);
    expect(checkOf(c, 'name_match').message).toBe('organization 360000000101 is named "Acme Corporation" in Zendesk, not "Acme Corp"');
    expect(checkOf(c, 'name_match').source).toEqual({ file: 'orgs/acme-corp.yaml', line: 4, col: 9 });
  });

  it('name_match: the organization does not exist', () => {
    const c = planAcme((w) => w.observed.orgs.set(ORG.acme, null));
    expect(c.blocked).toBe(true);
    expect(checkOf(c, 'name_match').message).toContain('does not exist in Zendesk');
    expect(c.steps).toEqual([]);
  });

  it('ticket_url: the ticket is on another Zendesk subdomain', () => {
    const c = planAcme((_w, f) => (f.request!.ticket = ticketRef(4821, 'globex.zendesk.com')));
    expect(failing(c)).toEqual(['ticket_url']);
    expect(checkOf(c, 'ticket_url').message).toBe(
      'ticket URL https://globex.zendesk.com/agent/tickets/4821 is on globex.zendesk.com, not on this account (acme.zendesk.com)',
    );
    // Evidence on a ticket of another account is not looked at.
    expect(checkOf(c, 'ticket_org').status).toBe('skip');
    expect(checkOf(c, 'risk_approved').status).toBe('skip');
  });

  it('ticket_url: a host listed in ticket_hosts is accepted', () => {
    const c = planAcme((w, f) => {
      w.policy.ticketHosts = ['support.acme.example'];
      f.request!.ticket = ticketRef(4821, 'support.acme.example', 'https://support.acme.example/hc/requests/4821');
    });
    expect(c.blocked).toBe(false);
  });

  it('ticket_org: the ticket belongs to another organization', () => {
    const c = planAcme((w) => (w.liveTicket(4821).organizationId = ORG.globex));
    expect(failing(c)).toEqual(['ticket_org']);
    expect(checkOf(c, 'ticket_org').message).toBe('ticket 4821 belongs to organization Globex (360000000102), not to Acme Corp (360000000101)');
  });

  it('ticket_org: the ticket does not exist', () => {
    const c = planAcme((w) => w.noTicket(4821));
    expect(failing(c)).toContain('ticket_org');
    expect(checkOf(c, 'ticket_org').message).toContain('ticket 4821 does not exist');
  });

  it('confirmed_type: the requester confirmed another type', () => {
    const c = planAcme((_w, f) => (f.request!.confirmedType = 'read_write'));
    expect(failing(c)).toEqual(['confirmed_type']);
    expect(checkOf(c, 'confirmed_type').message).toBe('the requester confirmed read_write, but the file asks for read_only');
  });

  it('confirmed_type: nothing was confirmed', () => {
    const c = planAcme((_w, f) => delete f.request!.confirmedType);
    expect(failing(c)).toEqual(['confirmed_type']);
  });

  it('risk_message_sent: no agent sent the risk message', () => {
    const c = planAcme((w) => w.editComment(4821, 90201, { body: 'Sure, which type would you like?' }));
    expect(failing(c)).toEqual(['risk_message_sent', 'risk_approved']);
    expect(checkOf(c, 'risk_message_sent').message).toBe('no public agent comment on ticket 4821 contains the risk message');
    expect(checkOf(c, 'risk_approved').message).toContain('no risk message was sent before comment 90210');
  });

  it('risk_message_sent: the risk message was only an internal note', () => {
    const c = planAcme((w) => w.editComment(4821, 90201, { public: false }));
    expect(failing(c)).toContain('risk_message_sent');
    expect(checkOf(c, 'risk_message_sent').message).toContain('comment 90201 contains it but is an internal note');
  });

  it('risk_message_sent: accepted case-, whitespace- and quote-insensitively', () => {
    const c = planAcme((w) =>
      w.editComment(4821, 90201, {
        body: 'PLEASE keep in mind that using a shared organization entails a potential security risk.\n\nNamely, if all users can view and comment on all tickets, that means the degree of privacy and security from separating the tickets is gone. This won\'t mean those outside your organization can see your tickets, only those within your organization.',
      }),
    );
    expect(c.blocked).toBe(false);
  });

  it('risk_approved: the approval was written by an agent', () => {
    const c = planAcme((w) => w.editComment(4821, 90210, { authorId: 1002 }));
    expect(failing(c)).toEqual(['risk_approved']);
    expect(checkOf(c, 'risk_approved').message).toBe('comment 90210 was written by sam@acme.example, an agent, not by jane@acme.example');
    expect(checkOf(c, 'risk_approved').hint).toContain('ask jane@acme.example to reply on the ticket');
  });

  it('risk_approved: the approval came before the risk message', () => {
    const c = planAcme((w) => w.editComment(4821, 90210, { createdAt: '2026-11-01T00:00:00.000Z' }));
    expect(failing(c)).toEqual(['risk_approved']);
    expect(checkOf(c, 'risk_approved').message).toContain('was written before the risk message (comment 90201');
  });

  it('risk_approved: the approval is a private comment', () => {
    const c = planAcme((w) => w.editComment(4821, 90210, { public: false }));
    expect(failing(c)).toEqual(['risk_approved']);
    expect(checkOf(c, 'risk_approved').message).toBe('comment 90210 is an internal note, not a public comment');
    expect(c.evidence?.approvalComment?.public).toBe(false);
  });

  it('risk_approved: the quote is not in the comment', () => {
    const c = planAcme((w) => w.editComment(4821, 90210, { body: 'Confirmed: Read only. Sounds good!' }));
    expect(failing(c)).toEqual(['risk_approved']);
    expect(checkOf(c, 'risk_approved').message).toBe('comment 90210 does not contain the quote "we accept the security risk"');
  });

  it('risk_approved: the quote matches despite curly quotes, case and line breaks', () => {
    const c = planAcme((w, f) => {
      f.request!.riskApproval = approval('jane@acme.example', 90210, 'We’re fine: we ACCEPT the security risk');
      w.editComment(4821, 90210, { body: "Confirmed: Read only. We're fine: we accept\n  the security   risk." });
    });
    expect(c.blocked).toBe(false);
  });

  it('risk_approved: the comment is not on the ticket', () => {
    const c = planAcme((_w, f) => (f.request!.riskApproval = approval('jane@acme.example', 31010)));
    expect(failing(c)).toEqual(['risk_approved']);
    expect(checkOf(c, 'risk_approved').message).toBe('comment 31010 is not on ticket 4821');
  });

  it('risk_approved: a widening change without any approval', () => {
    const c = planAcme((_w, f) => delete f.request!.riskApproval);
    expect(failing(c)).toEqual(['risk_approved']);
    expect(checkOf(c, 'approver_member').status).toBe('skip');
  });

  it('risk_approved: a legacy record cannot approve a widening change', () => {
    const c = planAcme((_w, f) => (f.request!.legacy = true));
    expect(failing(c)).toEqual(['risk_approved']);
    expect(checkOf(c, 'risk_approved').message).toContain('request.legacy: true');
    expect(checkOf(c, 'risk_approved').hint).toContain('add fresh evidence');
  });

  it('approver_member: the approver belongs to another organization', () => {
    const c = planAcme((w, f) => {
      delete f.authorizedRequesters;
      f.request!.riskApproval = approval('greta@globex.example', 90210);
      w.editComment(4821, 90210, { authorId: 2101 });
    });
    expect(failing(c)).toEqual(['approver_member']);
    expect(checkOf(c, 'approver_member').message).toBe(
      'greta@globex.example is not a member of Acme Corp (360000000101); member of Globex (360000000102)',
    );
  });

  it('approver_member: the approver is an agent', () => {
    const c = planAcme((w, f) => {
      delete f.authorizedRequesters;
      f.request!.riskApproval = approval('sam@acme.example', 90210);
      w.editComment(4821, 90210, { authorId: 1002 });
    });
    expect(failing(c)).toEqual(['approver_member']);
    expect(checkOf(c, 'approver_member').message).toBe('sam@acme.example is an agent, not an end-user of Acme Corp');
  });

  it('approver_member: the approver is not in authorized_requesters', () => {
    const c = planAcme((w, f) => {
      f.request!.riskApproval = approval('bob@acme.example', 90210);
      w.editComment(4821, 90210, { authorId: 2002 });
    });
    expect(failing(c)).toEqual(['approver_member']);
    expect(checkOf(c, 'approver_member').message).toBe('bob@acme.example is not listed in authorized_requesters (jane@acme.example)');
  });

  it('approver_member: a member through a second membership counts (emails case-insensitive)', () => {
    const c = planAcme((w, f) => {
      f.authorizedRequesters = ['PAT@partnerco.example'];
      f.request!.riskApproval = approval('Pat@PartnerCo.example', 90210);
      // Pat, the only authorized requester, names the type in the approval itself.
      f.request!.typeConfirmation = { commentId: 90210, quote: 'Read only' };
      w.editComment(4821, 90210, { authorId: 2501 });
    });
    expect(c.blocked).toBe(false);
  });

  it('deny_note: the live organization notes say sharing will not be enabled', () => {
    const c = planAcme((w) => (w.liveOrg(ORG.acme).notes = 'VIP customer.\nLegal: we will not enable a shared organization for Acme.'));
    expect(failing(c)).toEqual(['deny_note']);
    expect(checkOf(c, 'deny_note').message).toBe(
      'the organization’s notes in Zendesk say: "Legal: we will not enable a shared organization for Acme."',
    );
  });

  it('deny_note: the Details field says so', () => {
    const c = planAcme((w) => (w.liveOrg(ORG.acme).details = 'Customer since 2019.\nNo shared org, per legal (2025).'));
    expect(failing(c)).toEqual(['deny_note']);
  });

  it('deny_note: the file sets restrictions.no_sharing', () => {
    const c = planAcme((_w, f) => (f.restrictions.noSharing = 'Legal hold, see ticket 1200'));
    expect(failing(c)).toEqual(['deny_note']);
    expect(checkOf(c, 'deny_note').message).toBe('orgs/acme-corp.yaml sets restrictions.no_sharing: "Legal hold, see ticket 1200"');
  });

  it('deny_note: our own history lines are not deny notes', () => {
    const c = planAcme(
      (w) =>
        (w.liveOrg(ORG.acme).details =
          'Shared organization (Read only) enabled 2020-01-01 as per https://acme.zendesk.com/agent/tickets/1\nShared organization disabled 2021-01-01 as per https://acme.zendesk.com/agent/tickets/2'),
    );
    expect(c.blocked).toBe(false);
  });

  it('hipaa: a HIPAA organization is never shared', () => {
    const c = planAcme((_w, f) => (f.restrictions.hipaa = true));
    expect(failing(c)).toEqual(['hipaa']);
    expect(checkOf(c, 'hipaa').message).toBe('orgs/acme-corp.yaml sets restrictions.hipaa: true, which forbids enabling Read only sharing');
  });
});

describe('blast_radius is a plan-wide check', () => {
  it('refuses a plan with more changes than max_changes', () => {
    const world = seedWorld();
    world.policy.maxChanges = 2;
    const p = planFor(world, seedFiles());
    expect(p.changes).toHaveLength(3);
    expect(p.changes.every((c) => !c.blocked)).toBe(true);
    expect(p.planChecks).toEqual([
      expect.objectContaining({ id: 'blast_radius', status: 'fail', message: '3 changes in 3 organizations: more than max_changes 2' }),
    ]);
    expect(isBlocked(p)).toBe(true);
  });

  it('allows it with allowLarge', () => {
    const world = seedWorld();
    world.policy.maxChanges = 2;
    const p = planFor(world, seedFiles(), { allowLarge: true });
    expect(p.planChecks[0]).toMatchObject({ status: 'pass', message: '3 changes in 3 organizations, more than max_changes 2, allowed by --allow-large' });
    expect(isBlocked(p)).toBe(false);
  });

  it('passes at exactly max_changes', () => {
    const world = seedWorld();
    world.policy.maxChanges = 3;
    expect(isBlocked(planFor(world, seedFiles()))).toBe(false);
  });
});

describe('narrowing changes need only the ticket checks', () => {
  it('disabling Initech passes with nothing but ticket_url and ticket_org, whatever else is wrong', () => {
    const world = seedWorld();
    world.liveOrg(ORG.initech).notes = 'We will not enable a shared organization for Initech again.';
    const file = initechFile();
    file.restrictions.hipaa = true;
    file.restrictions.noSharing = 'never again';
    const c = changeOf(planFor(world, file), `org:${ORG.initech}`);
    expect(c.kind).toBe('disable');
    expect(c.widening).toBe(false);
    expect(c.checks.map((x) => x.id)).toEqual(['ticket_url', 'ticket_org']);
    expect(c.blocked).toBe(false);
  });

  it('but the ticket must still be this organization’s', () => {
    const world = seedWorld();
    world.liveTicket(4900).organizationId = ORG.acme;
    const c = changeOf(planFor(world, initechFile()), `org:${ORG.initech}`);
    expect(failing(c)).toEqual(['ticket_org']);
  });

  it('a renamed organization is disabled, with a warning', () => {
    const world = seedWorld();
    world.liveOrg(ORG.initech).name = 'Initech LLC';
    const p = planFor(world, initechFile());
    expect(changeOf(p, `org:${ORG.initech}`).blocked).toBe(false);
    expect(p.warnings).toEqual(['orgs/initech.yaml: organization 360000000103 is named "Initech LLC" in Zendesk, not "Initech"']);
  });

  it('a legacy file cannot ask for a narrowing change either (schema)', () => {
    const world = seedWorld();
    const file = initechFile();
    file.request!.legacy = true;
    const c = changeOf(planFor(world, file), `org:${ORG.initech}`);
    expect(failing(c)).toEqual(['schema']);
  });

  it('read_write → read_only is narrowing', () => {
    const world = seedWorld();
    world.ticket(3200, { org: ORG.globex, requester: 2101 });
    const file = { ...hooliFile(), id: ORG.globex, name: 'Globex', file: 'orgs/globex.yaml', userAccess: [], sharing: 'read_only' as const };
    file.request = { ticket: ticketRef(3200), legacy: false };
    const c = changeOf(planFor(world, file), `org:${ORG.globex}`);
    expect(c).toMatchObject({ kind: 'change_type', from: 'read_write', to: 'read_only', widening: false, blocked: false });
    expect(c.checks.map((x) => x.id)).toEqual(['ticket_url', 'ticket_org']);
  });
});
