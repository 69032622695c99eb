import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReadOnlyViolation, RemoteError } from '../../src/errors.js';
import { createAdapter } from '../../src/remote/adapter.js';
import type { RemoteOptions, RequestEvent } from '../../src/remote/types.js';
import { DEFAULT_SEED, generateAccount, startSandbox, type RequestLogEntry, type Sandbox } from '../../src/sandbox/index.js';
import { virtualClock } from './virtual-clock.js';

const TOKEN = { kind: 'token', email: 'admin@acme.example', token: 'sandbox-token' } as const;

function adapterFor(sb: Sandbox, extra: Partial<RemoteOptions> = {}) {
  return createAdapter({
    baseUrl: sb.baseUrl,
    subdomain: 'acme',
    auth: TOKEN,
    readOnly: false,
    rpm: 0,
    retryBaseMs: 10,
    jobPoll: { initialMs: 20, maxMs: 100 },
    ...extra,
  });
}

const count = (log: RequestLogEntry[], method: string, path: RegExp) => log.filter((e) => e.method === method && path.test(e.path)).length;

describe('reads at scale (generated account)', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ seed: generateAccount({ orgs: 2500, users: 250 }) });
  });
  afterAll(async () => {
    await sb.close();
  });
  beforeEach(() => sb.clearLog());

  it('pages through 2,500 organizations in exactly 25 list requests, one page at a time', async () => {
    const adapter = adapterFor(sb, { readOnly: true });
    const sizes: number[] = [];
    const requestsSeenAtEachPage: number[] = [];
    const ids = new Set<number>();
    for await (const page of adapter.organizationPages()) {
      // Streaming: when a page arrives, only the requests for pages so far have been made.
      requestsSeenAtEachPage.push(count(sb.log(), 'GET', /\/organizations\.json$/));
      sizes.push(page.length);
      for (const o of page) ids.add(o.id);
    }
    expect(count(sb.log(), 'GET', /\/organizations\.json$/)).toBe(25);
    expect(sb.log()).toHaveLength(25);
    expect(sizes).toEqual(Array(25).fill(100));
    expect(requestsSeenAtEachPage).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(ids.size).toBe(2500);
    expect(sb.log()[0]!.query).toEqual({ 'page[size]': '100' });
    expect(adapter.stats).toEqual({ reads: 25, writes: 0, retries: 0 });
  });

  it('reads 250 organizations by id with 3 show_many requests of at most 100 ids', async () => {
    const adapter = adapterFor(sb, { readOnly: true });
    const wanted = Array.from({ length: 250 }, (_, i) => 361_000_000_001 + i * 10);
    const orgs = await adapter.showOrganizations(wanted);
    expect(orgs.map((o) => o.id).sort()).toEqual([...wanted].sort());
    const log = sb.log();
    expect(log).toHaveLength(3);
    expect(log.every((e) => e.method === 'GET' && e.path === '/api/v2/organizations/show_many.json')).toBe(true);
    expect(log.map((e) => String(e.query.ids).split(',').length).sort()).toEqual([100, 100, 50]);
  });

  it('leaves ids that do not exist out of show_many results', async () => {
    const adapter = adapterFor(sb, { readOnly: true });
    const orgs = await adapter.showOrganizations([361_000_000_001, 42, 361_000_000_001]);
    expect(orgs.map((o) => o.id)).toEqual([361_000_000_001]);
    expect(sb.log()).toHaveLength(1);
  });

  it('streams users page by page', async () => {
    const adapter = adapterFor(sb, { readOnly: true });
    let users = 0;
    for await (const page of adapter.userPages()) users += page.length;
    // 250 end-users plus the default seed's staff
    const staff = DEFAULT_SEED.users.filter((u) => u.role !== 'end-user').length;
    expect(users).toBe(250 + staff);
    expect(count(sb.log(), 'GET', /\/users\.json$/)).toBe(Math.ceil((250 + staff) / 100));
  });
});

describe('the default sandbox world', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => {
    await sb.close();
  });
  beforeEach(() => sb.reset());

  describe('reads', () => {
    it('maps the seeded organizations, tickets, comments, users and fields', async () => {
      const a = adapterFor(sb, { readOnly: true });
      expect((await a.me()).email).toBe('admin@acme.example');
      const [acme] = await a.showOrganizations([360000000101]);
      expect(acme).toMatchObject({ name: 'Acme Corp', sharedTickets: false, sharedComments: false, details: 'Customer since 2019.' });
      const [ticket] = await a.showTickets([4821]);
      expect(ticket).toMatchObject({ id: 4821, organizationId: 360000000101, requesterId: 2001, status: 'open' });
      const comments = await a.ticketComments(4821);
      expect(comments.map((c) => [c.id, c.authorId, c.public])).toEqual([
        [90200, 2001, true],
        [90201, 1002, true],
        [90210, 2001, true],
      ]);
      expect((await a.showUsers([1002, 2001])).map((u) => [u.id, u.role])).toEqual([
        [1002, 'agent'],
        [2001, 'end-user'],
      ]);
      const fields = await a.ticketFields();
      expect(fields.find((f) => f.id === 7002)?.options).toEqual([
        { name: 'Read only', value: 'shared_org_read_only' },
        { name: 'Read+write', value: 'shared_org_read_write' },
      ]);
      expect(await a.countOrganizationTickets(360000000101)).toBe(1);
    });

    it('finds users by email, case-insensitively, and answers null for unknown ones', async () => {
      const a = adapterFor(sb, { readOnly: true });
      expect((await a.findUserByEmail('Jane@Acme.example'))?.id).toBe(2001);
      expect(await a.findUserByEmail('nobody@acme.example')).toBeNull();
    });

    it('lists an organization’s members and memberships, and a user’s memberships', async () => {
      const a = adapterFor(sb, { readOnly: true });
      expect((await a.organizationUsers(360000000101)).map((u) => u.id).sort()).toEqual([2001, 2002, 2501]);
      expect((await a.organizationMemberships(360000000102)).map((m) => m.userId).sort()).toEqual([2101, 2501]);
      expect((await a.userMemberships(2501)).map((m) => [m.organizationId, m.default])).toEqual([
        [360000000101, true],
        [360000000102, false],
      ]);
    });

    it('authenticates with an OAuth bearer token too', async () => {
      const a = adapterFor(sb, { readOnly: true, auth: { kind: 'oauth', token: 'sandbox-oauth-token' } });
      expect((await a.me()).id).toBe(1001);
    });

    it('finds the last sharing change of an organization in the audit log', async () => {
      const a = adapterFor(sb);
      expect(await a.lastOrganizationChange(360000000101)).toBeNull();
      sb.store.updateOrganization(360000000101, { shared_tickets: true }, { actorId: 1002 });
      sb.store.updateOrganization(360000000101, { notes: 'unrelated' }, { actorId: 1001 });
      expect(await a.lastOrganizationChange(360000000101)).toMatchObject({ actorId: 1002, actorName: expect.any(String) });
    });
  });

  describe('retries', () => {
    it('waits out a 429 with Retry-After: 1 and then succeeds', async () => {
      sb.script({ match: { method: 'GET', path: /show_many/ }, fault: { kind: 'retryAfter', seconds: 1 } });
      const events: RequestEvent[] = [];
      // A virtual clock: every wait the transport decides on is recorded, none is spent.
      const clock = virtualClock();
      const { waits } = clock;
      const a = adapterFor(sb, { readOnly: true, onRequest: (e) => events.push(e), clock });
      const orgs = await a.showOrganizations([360000000101]);
      expect(orgs.map((o) => o.name)).toEqual(['Acme Corp']);
      expect(sb.log().map((e) => e.status)).toEqual([429, 200]);
      // One wait, as long as the server asked (1 s) plus at most 100 ms of jitter.
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThanOrEqual(1000);
      expect(waits[0]).toBeLessThanOrEqual(1100);
      expect(events.map((e) => [e.status, e.attempt])).toEqual([
        [429, 1],
        [200, 2],
      ]);
      expect(a.stats).toEqual({ reads: 2, writes: 0, retries: 1 });
    });

    it('survives 5 injected 503s in a row', async () => {
      sb.script({ match: { method: 'GET', path: /tickets\/show_many/ }, times: 5, fault: { kind: 'status', status: 503 } });
      const a = adapterFor(sb, { readOnly: true });
      const tickets = await a.showTickets([4821, 3100]);
      expect(tickets.map((t) => t.id).sort()).toEqual([3100, 4821]);
      expect(sb.log().map((e) => e.status)).toEqual([503, 503, 503, 503, 503, 200]);
      expect(a.stats.retries).toBe(5);
    });

    it('gives up after maxRetries with a retryable RemoteError', async () => {
      sb.script({ match: { method: 'GET' }, times: Infinity, fault: { kind: 'status', status: 503 } });
      const a = adapterFor(sb, { readOnly: true, maxRetries: 2 });
      await expect(a.me()).rejects.toMatchObject({ code: 'server_error', status: 503, retryable: true });
      expect(sb.log()).toHaveLength(3);
    });

    it('retries a ticket update without a comment after a 503 (the body is absolute)', async () => {
      sb.script({ match: { method: 'PUT', path: /tickets\/4821/ }, times: 2, fault: { kind: 'status', status: 503 } });
      const a = adapterFor(sb);
      const t = await a.updateTicket(4821, { customFields: [{ id: 7003, value: true }] });
      expect(t.customFields).toContainEqual({ id: 7003, value: true });
      expect(sb.writes().map((e) => e.status)).toEqual([503, 503, 200]);
    });

    it('does not resend a ticket update carrying a comment after a 503: it surfaces a retryable error', async () => {
      sb.script({ match: { method: 'PUT', path: /tickets\/4821/ }, fault: { kind: 'status', status: 503 } });
      const a = adapterFor(sb);
      const err = await a.updateTicket(4821, { comment: { body: 'Enabled.', public: true }, status: 'solved' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RemoteError);
      expect(err).toMatchObject({ code: 'write_uncertain', status: 503, retryable: true });
      expect(sb.writes()).toHaveLength(1);
    });

    it('does not resend a comment whose answer was lost, so it is posted once', async () => {
      sb.script({ match: { method: 'PUT', path: /tickets\/4821/ }, fault: { kind: 'drop', applied: true } });
      const a = adapterFor(sb);
      await expect(a.updateTicket(4821, { comment: { body: 'Enabled once.', public: true }, status: 'solved' })).rejects.toMatchObject({
        code: 'write_uncertain',
        retryable: true,
      });
      expect(sb.writes()).toHaveLength(1);
      const comments = await a.ticketComments(4821);
      expect(comments.filter((c) => c.body === 'Enabled once.')).toHaveLength(1);
    });

    it('resends a comment after a 429, which Zendesk did not process', async () => {
      sb.script({ match: { method: 'PUT', path: /tickets\/4821/ }, fault: { kind: 'retryAfter', seconds: 0 } });
      const a = adapterFor(sb);
      const t = await a.updateTicket(4821, { comment: { body: 'After 429.', public: true }, status: 'solved' });
      expect(t.status).toBe('solved');
      expect(sb.writes().map((e) => e.status)).toEqual([429, 200]);
      expect((await a.ticketComments(4821)).filter((c) => c.body === 'After 429.')).toHaveLength(1);
    });

    it('retries update_many after a 503 (every item is absolute)', async () => {
      sb.script({ match: { method: 'PUT', path: /organizations\/update_many/ }, fault: { kind: 'status', status: 503 } });
      const a = adapterFor(sb);
      const results = await a.updateOrganizations([{ id: 360000000101, sharedTickets: true, sharedComments: false }]);
      expect(results).toEqual([{ id: 360000000101, success: true }]);
      expect(count(sb.writes(), 'PUT', /update_many/)).toBe(2);
    });
  });

  describe('read-only mode', () => {
    it('rejects every write with ReadOnlyViolation and sends nothing', async () => {
      const a = adapterFor(sb, { readOnly: true });
      await expect(a.updateOrganizations([{ id: 360000000101, sharedTickets: true }])).rejects.toBeInstanceOf(ReadOnlyViolation);
      await expect(a.updateUsers([{ id: 2401, ticketRestriction: 'organization' }])).rejects.toBeInstanceOf(ReadOnlyViolation);
      await expect(a.updateTicket(4821, { comment: { body: 'x', public: true }, status: 'solved' })).rejects.toBeInstanceOf(ReadOnlyViolation);
      expect(sb.writes()).toEqual([]);
      expect(sb.log().filter((e) => e.method !== 'GET')).toEqual([]);
      expect(a.stats.writes).toBe(0);
      // and nothing changed
      expect(sb.store.orgs.get(360000000101)?.shared_tickets).toBe(false);
      expect(sb.store.tickets.get(4821)?.status).toBe('open');
    });
  });

  describe('errors', () => {
    it('does not put the token, nor its base64, in a 401 error', async () => {
      const secret = 'wrong-token-5f3a9c';
      const a = adapterFor(sb, { readOnly: true, auth: { kind: 'token', email: 'admin@acme.example', token: secret } });
      const err = (await a.me().catch((e: unknown) => e)) as RemoteError;
      expect(err).toBeInstanceOf(RemoteError);
      expect(err).toMatchObject({ code: 'unauthorized', status: 401, retryable: false });
      expect(err.message).toContain("Couldn't authenticate you");
      const everything = JSON.stringify({ message: err.message, details: err.details, stack: err.stack, hint: err.hint });
      for (const forbidden of [
        secret,
        Buffer.from(secret).toString('base64'),
        Buffer.from(`admin@acme.example/token:${secret}`).toString('base64'),
        'Basic ',
      ]) {
        expect(everything).not.toContain(forbidden);
      }
      expect(sb.log().map((e) => e.status)).toEqual([401]);
    });

    it('carries Zendesk’s 422 details', async () => {
      sb.store.tickets.get(3100)!.status = 'closed';
      const a = adapterFor(sb);
      const err = (await a.updateTicket(3100, { status: 'solved' }).catch((e: unknown) => e)) as RemoteError;
      expect(err).toMatchObject({ code: 'invalid', status: 422, retryable: false });
      expect(err.details).toMatchObject({ error: 'RecordInvalid', details: expect.any(Object) });
      expect(err.message).toMatch(/^PUT \/tickets\/3100\.json failed: 422/);
    });
  });

  describe('bulk writes', () => {
    it('updates organizations with update_many and polls the job to completion', async () => {
      const a = adapterFor(sb);
      const results = await a.updateOrganizations([
        { id: 360000000101, sharedTickets: true, sharedComments: false, details: 'Customer since 2019.\nline' },
        { id: 360000000103, sharedTickets: false, sharedComments: false },
      ]);
      expect(results).toEqual([
        { id: 360000000101, success: true },
        { id: 360000000103, success: true },
      ]);
      const puts = sb.writes();
      expect(puts).toHaveLength(1);
      expect(puts[0]!.body).toEqual({
        organizations: [
          { id: 360000000101, shared_tickets: true, shared_comments: false, details: 'Customer since 2019.\nline' },
          { id: 360000000103, shared_tickets: false, shared_comments: false },
        ],
      });
      expect(count(sb.log(), 'GET', /job_statuses\//)).toBeGreaterThanOrEqual(1);
      expect(sb.store.orgs.get(360000000101)).toMatchObject({ shared_tickets: true, details: 'Customer since 2019.\nline' });
    });

    it('maps a partial job failure to the right ids', async () => {
      sb.script({
        match: { method: 'PUT', path: /organizations\/update_many/ },
        fault: { kind: 'jobFail', ids: [360000000103, 360000000105], error: 'PermissionDenied', details: 'locked' },
      });
      const a = adapterFor(sb);
      const results = await a.updateOrganizations([
        { id: 360000000101, sharedTickets: true },
        { id: 360000000103, sharedTickets: false },
        { id: 360000000104, details: 'x' },
        { id: 360000000105, sharedTickets: true },
      ]);
      expect(results).toEqual([
        { id: 360000000101, success: true },
        { id: 360000000103, success: false, error: 'PermissionDenied: locked' },
        { id: 360000000104, success: true },
        { id: 360000000105, success: false, error: 'PermissionDenied: locked' },
      ]);
      expect(sb.store.orgs.get(360000000101)?.shared_tickets).toBe(true);
      expect(sb.store.orgs.get(360000000105)?.shared_tickets).toBe(false);
    });

    it('splits more than 100 updates into update_many requests of at most 100', async () => {
      const sb2 = await startSandbox({ seed: generateAccount({ orgs: 230, users: 0 }), jobPollsToComplete: 0 });
      try {
        const a = adapterFor(sb2);
        const updates = Array.from({ length: 230 }, (_, i) => ({ id: 361_000_000_001 + i, details: `d${i}` }));
        const results = await a.updateOrganizations(updates);
        expect(results).toHaveLength(230);
        expect(results.every((r) => r.success)).toBe(true);
        expect(results.map((r) => r.id)).toEqual(updates.map((u) => u.id));
        const sizes = sb2.writes().map((e) => (e.body as { organizations: unknown[] }).organizations.length);
        expect(sizes).toEqual([100, 100, 30]);
        expect(sb2.store.orgs.get(361_000_000_230)?.details).toBe('d229');
      } finally {
        await sb2.close();
      }
    });

    it('updates users with update_many and reports per-user failures', async () => {
      sb.script({ match: { method: 'PUT', path: /users\/update_many/ }, fault: { kind: 'jobFail', ids: [2402] } });
      const a = adapterFor(sb);
      const results = await a.updateUsers([
        { id: 2401, ticketRestriction: 'organization', notes: 'granted' },
        { id: 2402, ticketRestriction: 'organization' },
      ]);
      expect(results[0]).toEqual({ id: 2401, success: true });
      expect(results[1]).toMatchObject({ id: 2402, success: false, error: expect.any(String) });
      expect(sb.writes()[0]!.body).toEqual({
        users: [
          { id: 2401, ticket_restriction: 'organization', notes: 'granted' },
          { id: 2402, ticket_restriction: 'organization' },
        ],
      });
      expect(sb.store.users.get(2401)?.ticket_restriction).toBe('organization');
    });

    it('sends ticket fields, comment and status in one PUT', async () => {
      const a = adapterFor(sb);
      const t = await a.updateTicket(4821, {
        customFields: [
          { id: 7001, value: 'support_ops_shared_organization_requests' },
          { id: 7002, value: 'shared_org_read_only' },
          { id: 7003, value: true },
        ],
        comment: { body: 'Shared organization (Read only) has been enabled.', public: true },
        status: 'solved',
      });
      expect(t.status).toBe('solved');
      expect(sb.writes()).toHaveLength(1);
      const comments = await a.ticketComments(4821);
      expect(comments.at(-1)).toMatchObject({ authorId: 1001, public: true, body: 'Shared organization (Read only) has been enabled.' });
    });

    it('sends no request for an empty update list', async () => {
      const a = adapterFor(sb);
      expect(await a.updateOrganizations([])).toEqual([]);
      expect(await a.updateUsers([])).toEqual([]);
      expect(sb.log()).toEqual([]);
    });
  });
});

describe('rate limit of the account (sandbox rpm)', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ rpm: 3, rateWindowMs: 1000 });
  });
  afterAll(async () => {
    await sb.close();
  });
  afterEach(() => sb.reset());

  it('rides through the server’s 429s by honouring Retry-After', async () => {
    const a = adapterFor(sb, { readOnly: true, maxRetries: 10 });
    const results = await Promise.all(Array.from({ length: 5 }, () => a.me()));
    expect(results.every((u) => u.id === 1001)).toBe(true);
    expect(sb.log().filter((e) => e.status === 200)).toHaveLength(5);
    expect(sb.log().some((e) => e.status === 429)).toBe(true);
  });
});
