import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateAccount, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { AGENT_AUTH, api, OAUTH, type JsonResponse } from './helpers.js';

const ACME = 360000000101;
const GLOBEX = 360000000102;

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb.close();
});
beforeEach(() => sb.reset());

describe('the default seed (the shared sandbox world)', () => {
  it('serves the six organizations with exactly Zendesk’s 14 keys', async () => {
    const res = await api(`${sb.baseUrl}/organizations.json`);
    expect(res.status).toBe(200);
    expect(res.body.organizations.map((o: any) => o.name)).toEqual(['Acme Corp', 'Globex', 'Initech', 'Umbrella Health', 'Hooli', 'Soylent']);
    const globex = res.body.organizations[1];
    expect(Object.keys(globex).sort()).toEqual(
      ['id', 'url', 'name', 'shared_tickets', 'shared_comments', 'external_id', 'created_at', 'updated_at', 'domain_names', 'details', 'notes', 'group_id', 'tags', 'organization_fields'].sort(),
    );
    expect(globex).toMatchObject({ id: GLOBEX, shared_tickets: true, shared_comments: true, url: `${sb.baseUrl}/organizations/${GLOBEX}.json` });
    expect(res.body.organizations[2]).toMatchObject({ name: 'Initech', shared_tickets: true, shared_comments: false });
    expect(res.body.organizations[5].notes).toBe('Legal: we will not enable a shared organization for Soylent.');
    expect(res.body).toMatchObject({ next_page: null, previous_page: null, count: 6 });
  });

  it('answers the same with and without the .json suffix', async () => {
    const a = await api(`${sb.baseUrl}/organizations/${ACME}.json`);
    const b = await api(`${sb.baseUrl}/organizations/${ACME}`);
    expect(a.body).toEqual(b.body);
    expect(a.body.organization.details).toBe('Customer since 2019.');
  });

  it('knows the API user (Basic token and OAuth bearer) via users/me', async () => {
    expect((await api(`${sb.baseUrl}/users/me.json`)).body.user).toMatchObject({ id: 1001, email: 'admin@acme.example', role: 'admin' });
    expect((await api(`${sb.baseUrl}/users/me.json`, { auth: OAUTH })).body.user.id).toBe(1001);
    expect((await api(`${sb.baseUrl}/users/me.json`, { auth: AGENT_AUTH })).body.user.id).toBe(1002);
  });

  it('gives Pat two memberships, the default one first', async () => {
    const res = await api(`${sb.baseUrl}/users/2501/organization_memberships.json?page[size]=100`);
    expect(res.body.organization_memberships.map((m: any) => [m.organization_id, m.default, m.organization_name])).toEqual([
      [ACME, true, 'Acme Corp'],
      [GLOBEX, false, 'Globex'],
    ]);
    const members = await api(`${sb.baseUrl}/organizations/${GLOBEX}/users.json?page[size]=100`);
    expect(members.body.users.map((u: any) => u.email)).toEqual(['greta@globex.example', 'pat@partnerco.example']);
  });

  it('holds ticket 4821 with its three public comments in order and empty custom fields', async () => {
    const t = await api(`${sb.baseUrl}/tickets/4821.json`);
    expect(t.body.ticket).toMatchObject({ id: 4821, organization_id: ACME, requester_id: 2001, status: 'open' });
    expect(t.body.ticket.custom_fields).toEqual([
      { id: 7001, value: null },
      { id: 7002, value: null },
      { id: 7003, value: false },
    ]);
    const c = await api(`${sb.baseUrl}/tickets/4821/comments.json`);
    expect(c.body.comments.map((x: any) => [x.id, x.author_id, x.public])).toEqual([
      [90200, 2001, true],
      [90201, 1002, true],
      [90210, 2001, true],
    ]);
    expect(c.body.comments[1].body).toContain('Please keep in mind that using a shared organization entails a potential security risk.');
    expect(c.body.comments[2].body).toBe('Confirmed: Read only. On behalf of Acme Corp we accept the security risk.');
  });

  it('creates comment timestamps strictly increasing in id order', () => {
    const all = [...sb.store.comments.values()].flat().sort((a, b) => a.id - b.id);
    for (let i = 1; i < all.length; i++) expect(all[i]!.created_at > all[i - 1]!.created_at).toBe(true);
  });

  it('lists the ticket fields with their option values', async () => {
    const res = await api(`${sb.baseUrl}/ticket_fields.json`);
    const byId = new Map(res.body.ticket_fields.map((f: any) => [f.id, f]));
    expect((byId.get(7002) as any).custom_field_options.map((o: any) => [o.name, o.value])).toEqual([
      ['Read only', 'shared_org_read_only'],
      ['Read+write', 'shared_org_read_write'],
    ]);
    expect((byId.get(7003) as any).type).toBe('checkbox');
  });

  it('finds users by email with search (offset shape)', async () => {
    const res = await api(`${sb.baseUrl}/users/search.json?query=${encodeURIComponent('email:Jane@acme.example')}`);
    expect(res.body).toMatchObject({ count: 1, next_page: null, previous_page: null });
    expect(res.body.users[0].id).toBe(2001);
    const none = await api(`${sb.baseUrl}/users/search.json?query=email:nobody@x.example`);
    expect(none.body.users).toEqual([]);
  });

  it('counts an organization’s tickets', async () => {
    const res = await api(`${sb.baseUrl}/organizations/${ACME}/tickets/count.json`);
    expect(res.body.count.value).toBe(1);
    expect(typeof res.body.count.refreshed_at).toBe('string');
  });
});

describe('pagination', () => {
  it('walks 2,500 organizations in exactly 25 cursor requests by following links.next', async () => {
    sb.reset(generateAccount({ orgs: 2500, users: 10 }));
    sb.clearLog();
    let next: string | null = `${sb.baseUrl}/organizations.json?page%5Bsize%5D=100`;
    const ids: number[] = [];
    while (next) {
      const res: JsonResponse = await api(next);
      expect(res.status).toBe(200);
      ids.push(...res.body.organizations.map((o: any) => o.id));
      expect(res.body.meta.has_more).toBe(res.body.links.next !== null);
      next = res.body.links.next;
    }
    expect(sb.log()).toHaveLength(25);
    expect(ids).toHaveLength(2500);
    expect(new Set(ids).size).toBe(2500);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    sb.reset(undefined);
  });

  it('puts links.next on the request’s own host and keeps other parameters', async () => {
    const res = await api(`${sb.baseUrl}/organizations.json?page[size]=2`);
    expect(res.body.meta).toMatchObject({ has_more: true, before_cursor: null });
    expect(res.body.links.next.startsWith(`${sb.baseUrl}/organizations.json?`)).toBe(true);
    const last = await api(`${sb.baseUrl}/organizations.json?page[size]=2&page[after]=${encodeURIComponent(res.body.meta.after_cursor)}`);
    expect(last.body.organizations.map((o: any) => o.name)).toEqual(['Initech', 'Umbrella Health']);
    expect(last.body.links.prev).not.toBeNull();
  });

  it('ends with has_more false, null cursor and null links.next', async () => {
    const res = await api(`${sb.baseUrl}/organizations.json?page[size]=100`);
    expect(res.body.meta).toEqual({ has_more: false, after_cursor: null, before_cursor: null });
    expect(res.body.links).toEqual({ prev: null, next: null });
  });

  it('refuses page[size] over 100 with 400', async () => {
    const res = await api(`${sb.baseUrl}/organizations.json?page[size]=101`);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('InvalidPaginationParameter');
  });

  it('supports offset pagination with next_page/previous_page/count', async () => {
    const p1 = await api(`${sb.baseUrl}/organizations.json?per_page=4`);
    expect(p1.body).toMatchObject({ count: 6, previous_page: null });
    expect(p1.body.next_page).toBe(`${sb.baseUrl}/organizations.json?page=2&per_page=4`);
    const p2 = await api(p1.body.next_page);
    expect(p2.body.organizations.map((o: any) => o.name)).toEqual(['Hooli', 'Soylent']);
    expect(p2.body.next_page).toBeNull();
  });

  it('refuses offset pagination beyond 10,000 records', async () => {
    expect((await api(`${sb.baseUrl}/organizations.json?page=101&per_page=100`)).status).toBe(400);
  });
});

describe('show_many', () => {
  it('returns the found records and skips unknown ids', async () => {
    const res = await api(`${sb.baseUrl}/organizations/show_many.json?ids=${GLOBEX},999,${ACME}`);
    expect(res.body.organizations.map((o: any) => o.id)).toEqual([GLOBEX, ACME]);
    expect(res.body.count).toBe(2);
  });

  it('accepts 100 ids and refuses 101 with 400', async () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => 5000 + i).join(',');
    expect((await api(`${sb.baseUrl}/users/show_many.json?ids=${ids(100)}`)).status).toBe(200);
    const res = await api(`${sb.baseUrl}/tickets/show_many.json?ids=${ids(101)}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('TooManyValues');
  });
});

describe('errors', () => {
  it('answers 401 with Zendesk’s body without or with wrong credentials', async () => {
    for (const auth of [null, `Basic ${Buffer.from('admin@acme.example/token:wrong').toString('base64')}`, 'Bearer nope']) {
      const res = await api(`${sb.baseUrl}/organizations.json`, { auth });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: "Couldn't authenticate you" });
    }
  });

  it('refuses API tokens for end-users', async () => {
    const res = await api(`${sb.baseUrl}/users/me.json`, { auth: `Basic ${Buffer.from('jane@acme.example/token:sandbox-token').toString('base64')}` });
    expect(res.status).toBe(401);
  });

  it('answers 404 RecordNotFound for unknown records, on reads and writes', async () => {
    const notFound = { error: 'RecordNotFound', description: 'Not found' };
    expect((await api(`${sb.baseUrl}/organizations/1.json`)).body).toEqual(notFound);
    const put = await api(`${sb.baseUrl}/organizations/1.json`, { method: 'PUT', body: { organization: { notes: 'x' } } });
    expect(put.status).toBe(404);
    expect(put.body).toEqual(notFound);
    expect((await api(`${sb.baseUrl}/tickets/1/comments.json`)).status).toBe(404);
  });

  it('answers 422 RecordInvalid with field details', async () => {
    const res = await api(`${sb.baseUrl}/organizations/${ACME}.json`, { method: 'PUT', body: { organization: { shared_tickets: 'yes' } } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'RecordInvalid', description: 'Record validation errors' });
    expect(res.body.details.shared_tickets[0]).toMatchObject({ error: 'InvalidValue' });
  });

  it('answers 400 when the wrapper object is missing', async () => {
    const res = await api(`${sb.baseUrl}/organizations/${ACME}.json`, { method: 'PUT', body: { shared_tickets: true } });
    expect(res.status).toBe(400);
  });
});

describe('organization updates', () => {
  it('updates, moves updated_at strictly forward on every write, and replaces domain_names', async () => {
    const before = sb.store.orgs.get(ACME)!.updated_at;
    const a = await api(`${sb.baseUrl}/organizations/${ACME}.json`, { method: 'PUT', body: { organization: { shared_tickets: true, domain_names: ['a.example', 'b.example'] } } });
    const b = await api(`${sb.baseUrl}/organizations/${ACME}.json`, { method: 'PUT', body: { organization: { domain_names: ['c.example'] } } });
    expect(a.body.organization.updated_at > before).toBe(true);
    expect(b.body.organization.updated_at > a.body.organization.updated_at).toBe(true);
    expect(b.body.organization).toMatchObject({ shared_tickets: true, shared_comments: false, domain_names: ['c.example'] });
  });

  it('turns shared comments off with shared tickets and refuses comments without tickets', async () => {
    const off = await api(`${sb.baseUrl}/organizations/${GLOBEX}.json`, { method: 'PUT', body: { organization: { shared_tickets: false } } });
    expect(off.body.organization).toMatchObject({ shared_tickets: false, shared_comments: false });
    const bad = await api(`${sb.baseUrl}/organizations/${ACME}.json`, { method: 'PUT', body: { organization: { shared_comments: true } } });
    expect(bad.status).toBe(422);
  });

  it('records each update in the audit log with the actor, newest first', async () => {
    await api(`${sb.baseUrl}/organizations/${ACME}.json`, { method: 'PUT', body: { organization: { shared_tickets: true } } });
    sb.store.updateOrganization(ACME, { details: 'Customer since 2019.\nEdited by hand.' });
    const res = await api(`${sb.baseUrl}/audit_logs.json?filter[source_type]=organization&filter[source_id]=${ACME}&page[size]=100`);
    expect(res.status).toBe(200);
    expect(res.body.audit_logs).toHaveLength(2);
    const [latest, first] = res.body.audit_logs;
    expect(first).toMatchObject({ actor_id: 1001, action: 'update', source_id: ACME, source_type: 'organization', source_label: 'Acme Corp' });
    expect(first.change_description).toContain('Shared tickets changed from false to true');
    expect(latest).toMatchObject({ actor_id: 1002, actor_name: 'Sam Support' });
    expect(latest.created_at > first.created_at).toBe(true);
    expect(latest.created_at).toBe(sb.store.orgs.get(ACME)!.updated_at);
  });

  it('lets only admins read audit logs', async () => {
    expect((await api(`${sb.baseUrl}/audit_logs.json`, { auth: AGENT_AUTH })).status).toBe(403);
  });
});

describe('user updates', () => {
  it('grants organization access and turns agent-only restrictions on end-users into requested', async () => {
    const grant = await api(`${sb.baseUrl}/users/2401.json`, { method: 'PUT', body: { user: { ticket_restriction: 'organization' } } });
    expect(grant.body.user.ticket_restriction).toBe('organization');
    const groups = await api(`${sb.baseUrl}/users/2401.json`, { method: 'PUT', body: { user: { ticket_restriction: 'groups' } } });
    expect(groups.body.user.ticket_restriction).toBe('requested');
    const bad = await api(`${sb.baseUrl}/users/2401.json`, { method: 'PUT', body: { user: { ticket_restriction: 'everything' } } });
    expect(bad.status).toBe(422);
  });
});

describe('ticket updates', () => {
  it('sets fields, appends a comment by the authenticated user, solves, and answers {ticket, audit}', async () => {
    const res = await api(`${sb.baseUrl}/tickets/4821.json`, {
      method: 'PUT',
      body: {
        ticket: {
          custom_fields: [
            { id: 7001, value: 'support_ops_shared_organization_requests' },
            { id: 7002, value: 'shared_org_read_only' },
            { id: 7003, value: true },
          ],
          comment: { body: 'Shared organization enabled.', public: true },
          status: 'solved',
        },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.ticket).toMatchObject({ status: 'solved', assignee_id: 1001 });
    expect(res.body.ticket.custom_fields).toContainEqual({ id: 7002, value: 'shared_org_read_only' });
    expect(res.body.audit.events.map((e: any) => e.type)).toContain('Comment');
    const comments = await api(`${sb.baseUrl}/tickets/4821/comments.json`);
    const last = comments.body.comments.at(-1);
    expect(last).toMatchObject({ author_id: 1001, body: 'Shared organization enabled.', public: true });
    expect(last.created_at).toBe(res.body.ticket.updated_at);
  });

  it('refuses a dropdown set by option name instead of value (422)', async () => {
    const res = await api(`${sb.baseUrl}/tickets/4821.json`, { method: 'PUT', body: { ticket: { custom_fields: [{ id: 7002, value: 'Read only' }] } } });
    expect(res.status).toBe(422);
    expect(res.body.details.base[0].description).toContain('Shared Org type');
  });

  it('refuses any update to a closed ticket with 422', async () => {
    sb.store.tickets.get(4950)!.status = 'closed';
    const res = await api(`${sb.baseUrl}/tickets/4950.json`, { method: 'PUT', body: { ticket: { comment: { body: 'hi', public: true } } } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'RecordInvalid', description: 'Record validation errors' });
    expect(res.body.details.status[0].description).toContain('closed');
    expect(sb.store.comments.get(4950)).toHaveLength(1);
  });

  it('honours safe_update with a stale updated_stamp (409)', async () => {
    const res = await api(`${sb.baseUrl}/tickets/4821.json`, {
      method: 'PUT',
      body: { ticket: { status: 'pending', safe_update: true, updated_stamp: '2000-01-01T00:00:00Z' } },
    });
    expect(res.status).toBe(409);
  });
});

describe('request log', () => {
  it('records method, full path, query, status and parsed write bodies in order', async () => {
    sb.clearLog();
    await api(`${sb.baseUrl}/organizations.json?page[size]=2`);
    await api(`${sb.baseUrl}/organizations/${ACME}.json`, { method: 'PUT', body: { organization: { notes: 'n' } } });
    const log = sb.log();
    expect(log.map((e) => [e.method, e.path, e.status])).toEqual([
      ['GET', '/api/v2/organizations.json', 200],
      ['PUT', `/api/v2/organizations/${ACME}.json`, 200],
    ]);
    expect(log[0]!.query).toEqual({ 'page[size]': '2' });
    expect(log[0]!.body).toBeUndefined();
    expect(sb.writes()).toHaveLength(1);
    expect(sb.writes()[0]!.body).toEqual({ organization: { notes: 'n' } });
  });
});
