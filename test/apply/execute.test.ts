/**
 * The executor against the real adapter over HTTP to the sandbox, with plans made by the
 * real pipeline (config → observe → plan). Asserts the exact, ordered writes and the
 * resulting Zendesk state; faults are injected at the server.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { executePlan } from '../../src/apply/execute.js';
import type { GlobalOptions } from '../../src/commands/context.js';
import { makePlan, writeAdapter, type Planned } from '../../src/commands/pipeline.js';
import type { Progress } from '../../src/commands/progress.js';
import { RefusedError } from '../../src/errors.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import {
  DATE,
  DISABLED_LINE,
  FILES,
  NOW,
  ORG,
  READ_ONLY_LINE,
  READ_WRITE_LINE,
  captureIo,
  configDir,
  confirmationsOn,
  countLines,
  detailsOf,
  removeConfigDirs,
  sandboxEnv,
  writeViews,
  hooliConfirmsReadWrite,
} from './helpers.js';

let sb: Sandbox;
const silent: Progress = { step: () => undefined, update: () => undefined, done: () => undefined };

beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.close();
  await removeConfigDirs();
});
beforeEach(() => sb.reset());

async function planFor(orgs: Record<string, string>, allowLarge = false): Promise<Planned> {
  const dir = await configDir(orgs);
  const global: GlobalOptions = { dir, format: 'text', color: false };
  return makePlan(global, captureIo(sandboxEnv(sb)), { allowLarge, progress: silent });
}

async function apply(planned: Planned) {
  sb.clearLog();
  const writer = writeAdapter(captureIo(sandboxEnv(sb)), planned.policy);
  return executePlan(planned.plan, writer, { now: NOW });
}

const FIELDS = (type: 'shared_org_read_only' | 'shared_org_read_write') => [
  { id: 7001, value: 'support_ops_shared_organization_requests' },
  { id: 7002, value: type },
  { id: 7003, value: true },
];

describe('executePlan', () => {
  it('runs an enable, a type change and a disable in handbook order, batched across changes', async () => {
    // Hooli is live read only and its file asks for read+write (a widening type change).
    sb.store.updateOrganization(ORG.hooli, { shared_tickets: true, shared_comments: false, details: 'Key account.\r\nSince 2021' });
    hooliConfirmsReadWrite(sb);
    sb.store.updateOrganization(ORG.initech, { details: 'Account team: Lumbergh.\n' });
    const planned = await planFor({ 'acme-corp': FILES.acme, hooli: FILES.hooliReadWrite, initech: FILES.initech });
    expect(planned.plan.changes.map((c) => [c.orgName, c.kind])).toEqual([
      ['Acme Corp', 'enable'],
      ['Initech', 'disable'],
      ['Hooli', 'change_type'],
    ]);

    const report = await apply(planned);

    const acmeDetails = `Customer since 2019.\n${READ_ONLY_LINE(4821)}`;
    const initechDetails = `Account team: Lumbergh.\n${DISABLED_LINE(4900)}`;
    const hooliDetails = `Key account.\r\nSince 2021\n${READ_WRITE_LINE(5010)}`;
    const confirm = (text: string) => ({ body: expect.stringContaining(text), public: true });
    expect(writeViews(sb.writes())).toEqual([
      // 1. ticket metadata, before anything else (Initech's disable has none)
      { method: 'PUT', path: '/tickets/4821.json', custom_fields: FIELDS('shared_org_read_only') },
      { method: 'PUT', path: '/tickets/5010.json', custom_fields: FIELDS('shared_org_read_write') },
      // 2. every organization in one bulk request, Details line appended
      {
        method: 'PUT',
        path: '/organizations/update_many.json',
        items: [
          { id: ORG.acme, shared_tickets: true, shared_comments: false, details: acmeDetails },
          { id: ORG.initech, shared_tickets: false, shared_comments: false, details: initechDetails },
          { id: ORG.hooli, shared_tickets: true, shared_comments: true, details: hooliDetails },
        ],
      },
      // 3. confirmation comment and solved, one request per ticket
      { method: 'PUT', path: '/tickets/4821.json', comment: confirm('Shared organization (Read only) has been enabled for Acme Corp'), status: 'solved' },
      { method: 'PUT', path: '/tickets/4900.json', comment: confirm('Shared organization has been disabled for Initech'), status: 'solved' },
      { method: 'PUT', path: '/tickets/5010.json', comment: confirm('Shared organization (Read+write) has been enabled for Hooli'), status: 'solved' },
    ]);

    // Byte-exact Details: earlier text kept, one new line.
    expect(detailsOf(sb, ORG.acme)).toBe(acmeDetails);
    expect(detailsOf(sb, ORG.initech)).toBe(initechDetails);
    expect(detailsOf(sb, ORG.hooli)).toBe(hooliDetails);
    expect(report.results.map((r) => [r.orgName, r.status, r.steps.map((s) => `${s.kind}:${s.status}`)])).toEqual([
      ['Acme Corp', 'done', ['ticket_metadata:done', 'org_update:done', 'ticket_comment:done']],
      ['Initech', 'done', ['org_update:done', 'ticket_comment:done']],
      ['Hooli', 'done', ['ticket_metadata:done', 'org_update:done', 'ticket_comment:done']],
    ]);
    expect(report.verified).toBe(true);
    expect(report.verification.join('\n')).toMatch(/re-read 3 organizations, 3 tickets/);
    expect(report.requests.writes).toBe(6);
    expect(report.date).toBe(DATE);
  });

  it('grants user-level access through the users bulk endpoint, then confirms on the ticket', async () => {
    const planned = await planFor({ hooli: FILES.hooli });
    expect(planned.plan.changes.map((c) => c.kind)).toEqual(['user_grant']);

    const report = await apply(planned);

    expect(writeViews(sb.writes())).toEqual([
      { method: 'PUT', path: '/users/update_many.json', items: [expect.objectContaining({ id: 2401, ticket_restriction: 'organization' })] },
      { method: 'PUT', path: '/tickets/5010.json', comment: expect.objectContaining({ public: true }), status: 'solved' },
    ]);
    expect(sb.store.user(2401).ticket_restriction).toBe('organization');
    expect(sb.store.user(2401).notes).toContain(`granted ${DATE} as per ${'https://acme.zendesk.com/agent/tickets/5010'}`);
    expect(report.results[0]).toMatchObject({ status: 'done' });
    expect(report.verified).toBe(true);
  });

  it('refuses a blocked plan before writing anything', async () => {
    const planned = await planFor({ 'acme-corp': FILES.acme, soylent: FILES.soylentBlocked });
    expect(planned.plan.changes.find((c) => c.orgId === ORG.soylent)?.blocked).toBe(true);
    await expect(apply(planned)).rejects.toBeInstanceOf(RefusedError);
    expect(sb.writes()).toEqual([]);
  });

  it('reports a per-item job failure against its organization and completes the others', async () => {
    const planned = await planFor({ 'acme-corp': FILES.acme, initech: FILES.initech });
    sb.script({ match: { method: 'PUT', path: /update_many/ }, fault: { kind: 'jobFail', ids: [ORG.initech], error: 'RecordInvalid' } });

    const report = await apply(planned);

    const initech = report.results.find((r) => r.orgId === ORG.initech)!;
    expect(initech.status).toBe('failed');
    expect(initech.error).toContain(String(ORG.initech));
    expect(initech.steps.map((s) => s.status)).toEqual(['failed', 'not_run']);
    expect(report.results.find((r) => r.orgId === ORG.acme)!.status).toBe('done');
    // Initech's ticket is not touched after its organization step failed.
    expect(writeViews(sb.writes()).map((w) => w.path)).toEqual(['/tickets/4821.json', '/organizations/update_many.json', '/tickets/4821.json']);
    expect(sb.store.org(ORG.initech).shared_tickets).toBe(true);
    expect(sb.store.ticket(4900).status).toBe('open');
  });

  it('retries a retryable failure in the transport and still writes one Details line', async () => {
    const planned = await planFor({ 'acme-corp': FILES.acme });
    sb.script({ match: { method: 'PUT', path: /update_many/ }, fault: { kind: 'status', status: 503 } });

    const report = await apply(planned);

    expect(report.results[0]!.status).toBe('done');
    expect(sb.writes().filter((w) => /update_many/.test(w.path)).map((w) => w.status)).toEqual([503, 200]);
    expect(countLines(detailsOf(sb, ORG.acme), READ_ONLY_LINE(4821))).toBe(1);
  });

  it('looks before writing: state that appeared since the plan is not written again', async () => {
    const planned = await planFor({ 'acme-corp': FILES.acme, initech: FILES.initech });
    // Between plan and apply, someone records Acme's line by hand and confirms Initech's ticket.
    sb.store.updateOrganization(ORG.acme, { details: `Customer since 2019.\n${READ_ONLY_LINE(4821)}` });
    const initechComment = planned.plan.changes.find((c) => c.orgId === ORG.initech)!.steps.find((s) => s.kind === 'ticket_comment');
    if (initechComment?.kind !== 'ticket_comment') throw new Error('plan has no Initech comment step');
    sb.store.updateTicket(4900, { comment: { body: initechComment.body, public: true } }, { actorId: 1001 });

    const report = await apply(planned);

    const orgWrite = sb.writes().find((w) => /update_many/.test(w.path))!;
    expect((orgWrite.body as { organizations: Record<string, unknown>[] }).organizations).toEqual([
      { id: ORG.acme, shared_tickets: true, shared_comments: false },
      expect.objectContaining({ id: ORG.initech }),
    ]);
    expect(countLines(detailsOf(sb, ORG.acme), READ_ONLY_LINE(4821))).toBe(1);
    expect(confirmationsOn(sb, 4900)).toHaveLength(1);
    expect(report.results.find((r) => r.orgId === ORG.initech)!.steps.at(-1)).toMatchObject({ kind: 'ticket_comment', status: 'already_done' });
    expect(report.verified).toBe(true);
  });

  it('treats a comment whose answer was lost as posted once it is seen on the ticket', async () => {
    const planned = await planFor({ 'acme-corp': FILES.acme });
    // The second PUT to the ticket is the comment: Zendesk applies it, the answer is lost.
    sb.script({ match: { method: 'PUT', path: /tickets\/4821/ }, skip: 1, fault: { kind: 'drop', applied: true } });

    const report = await apply(planned);

    expect(report.results[0]!.status).toBe('done');
    expect(report.results[0]!.steps.at(-1)!.message).toMatch(/confirmed by re-reading/);
    expect(confirmationsOn(sb, 4821)).toHaveLength(1);
    expect(sb.writes().filter((w) => /tickets\/4821/.test(w.path))).toHaveLength(2);
  });

  describe('a ticket shared by two changes (Acme enable and a grant to bob@acme.example, both on 4821)', () => {
    const ACME_WITH_GRANT = `${FILES.acme}user_access:\n  - email: bob@acme.example\n    access: organization\n    ticket: https://acme.zendesk.com/agent/tickets/4821\n`;
    const ENABLED = 'Shared organization (Read only) has been enabled for Acme Corp';
    const GRANTED = 'bob@acme.example can now see all tickets of Acme Corp';

    it('both succeed: one comment carrying both confirmations, and the ticket solved', async () => {
      const planned = await planFor({ 'acme-corp': ACME_WITH_GRANT });
      expect(planned.plan.changes.map((c) => c.kind)).toEqual(['enable', 'user_grant']);

      const report = await apply(planned);

      const comments = writeViews(sb.writes()).filter((w) => w.comment !== undefined);
      expect(comments).toEqual([{ method: 'PUT', path: '/tickets/4821.json', comment: { body: expect.any(String), public: true }, status: 'solved' }]);
      const body = (comments[0]!.comment as { body: string }).body;
      expect(body.indexOf(ENABLED)).toBeGreaterThanOrEqual(0);
      expect(body.indexOf(GRANTED)).toBeGreaterThan(body.indexOf(ENABLED));
      expect(sb.store.ticket(4821).status).toBe('solved');
      expect(report.verified).toBe(true);
    });

    it('one fails: the other’s confirmation is posted without solving; the re-run confirms the failed one and solves', async () => {
      const planned = await planFor({ 'acme-corp': ACME_WITH_GRANT });
      sb.script({ match: { path: 'organizations/update_many' }, fault: { kind: 'jobFail', ids: [ORG.acme] } });

      const report = await apply(planned);

      const acme = report.results.find((r) => r.key === `org:${ORG.acme}`)!;
      const grant = report.results.find((r) => r.key.startsWith('user:2002@'))!;
      expect(acme.steps.map((s) => s.status)).toEqual(['done', 'failed', 'not_run']);
      expect(grant.status).toBe('done');
      expect(grant.steps.at(-1)).toMatchObject({ kind: 'ticket_comment', status: 'done' });
      expect(grant.steps.at(-1)!.message).toContain(`posted without solving: org:${ORG.acme}`);
      // The grant's confirmation goes out alone and leaves the status alone.
      const comment = writeViews(sb.writes()).filter((w) => w.comment !== undefined);
      expect(comment).toEqual([{ method: 'PUT', path: '/tickets/4821.json', comment: { body: expect.stringContaining(GRANTED), public: true } }]);
      expect(sb.store.ticket(4821).status).toBe('open');
      // Not solving on purpose is not a verification failure.
      expect(report.verified).toBe(true);

      // The re-run: Acme's enable again (metadata already set), nothing for the confirmed grant.
      const rerun = await planFor({ 'acme-corp': ACME_WITH_GRANT });
      expect(rerun.plan.changes.map((c) => c.kind)).toEqual(['enable']);
      const second = await apply(rerun);

      expect(second.results.map((r) => r.status)).toEqual(['done']);
      expect(writeViews(sb.writes()).map((w) => [w.path, w.status])).toEqual([
        ['/organizations/update_many.json', undefined],
        ['/tickets/4821.json', 'solved'],
      ]);
      expect(confirmationsOn(sb, 4821).filter((b) => b.includes(ENABLED))).toHaveLength(1);
      expect(confirmationsOn(sb, 4821).filter((b) => b.includes(GRANTED))).toHaveLength(1);
      expect(sb.store.ticket(4821).status).toBe('solved');
      expect(countLines(detailsOf(sb, ORG.acme), READ_ONLY_LINE(4821))).toBe(1);
      expect((await planFor({ 'acme-corp': ACME_WITH_GRANT })).plan.changes).toEqual([]);
    });
  });

  it('a partner domain whose confirmation failed: recorded in Details, finished by the next plan (partner_finish)', async () => {
    const acmePartner = FILES.acme.replace('sharing: read_only', 'sharing: private').replace('  confirmed_type: read_only\n', '') +
      'partners:\n  - domain: partnerco.example\n    ticket: https://acme.zendesk.com/agent/tickets/4821\n    consent:\n      approved_by: jane@acme.example\n      comment_id: 90210\n      quote: "we accept the security risk"\n';
    const planned = await planFor({ 'acme-corp': acmePartner });
    expect(planned.plan.changes.map((c) => c.kind)).toEqual(['partner_add']);
    sb.script({ match: { method: 'PUT', path: /tickets\/4821/ }, fault: { kind: 'status', status: 503 } });

    const first = await apply(planned);

    expect(first.results[0]!.steps.map((s) => s.status)).toEqual(['done', 'failed']);
    const line = `Partner domain partnerco.example added ${DATE} as per https://acme.zendesk.com/agent/tickets/4821`;
    expect(detailsOf(sb, ORG.acme)).toBe(`Customer since 2019.\n${line}`);
    expect(sb.store.org(ORG.acme).domain_names).toContain('partnerco.example');
    expect(confirmationsOn(sb, 4821)).toEqual([]);

    const rerun = await planFor({ 'acme-corp': acmePartner });
    expect(rerun.plan.changes.map((c) => [c.kind, c.steps.map((s) => s.kind)])).toEqual([['partner_finish', ['ticket_comment']]]);
    const second = await apply(rerun);

    expect(second.results[0]!.status).toBe('done');
    expect(writeViews(sb.writes())).toEqual([
      { method: 'PUT', path: '/tickets/4821.json', comment: { body: expect.stringContaining('partnerco.example are now associated with Acme Corp'), public: true }, status: 'solved' },
    ]);
    expect(countLines(detailsOf(sb, ORG.acme), line)).toBe(1);
    expect((await planFor({ 'acme-corp': acmePartner })).plan.changes).toEqual([]);
  });

  it('skips the ticket steps when the ticket was solved since the plan, and still changes the organization', async () => {
    const planned = await planFor({ initech: FILES.initech });
    sb.store.updateTicket(4900, { status: 'solved' });

    const report = await apply(planned);

    expect(report.results[0]!.steps.map((s) => s.status)).toEqual(['done', 'skipped']);
    expect(sb.writes().map((w) => w.path)).toEqual(['/api/v2/organizations/update_many.json']);
    expect(detailsOf(sb, ORG.initech)).toBe(DISABLED_LINE(4900));
  });
});
