/**
 * Contract tests: live sandbox responses validated against small JSON Schemas hand-derived
 * from Zendesk's OpenAPI document and recorded traffic (each schema's $comment says where
 * from). If the sandbox drifts from Zendesk's shapes, code tested against it would too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { api } from '../sandbox/helpers.js';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;
const schemaDir = fileURLToPath(new URL('./schemas', import.meta.url));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
for (const f of readdirSync(schemaDir)) ajv.addSchema(JSON.parse(readFileSync(join(schemaDir, f), 'utf8')) as object);

function validator(ref: string): ValidateFunction {
  const v = ajv.getSchema(ref);
  if (!v) throw new Error(`no schema ${ref}`);
  return v;
}

function expectValid(ref: string, data: unknown): void {
  const v = validator(ref);
  const ok = v(data);
  expect(ok, `${ref}: ${ajv.errorsText(v.errors)}\n${JSON.stringify(data).slice(0, 500)}`).toBe(true);
}

const ACME = 360000000101;
let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ jobPollsToComplete: 1 });
});
afterAll(async () => {
  await sb.close();
});

describe('object shapes', () => {
  it('organizations (list, show, show_many, update)', async () => {
    const list = await api(`${sb.baseUrl}/organizations.json?page[size]=2`);
    expectValid('pages.json#/definitions/cursor', list.body);
    for (const o of list.body.organizations) expectValid('organization.json', o);
    const offset = await api(`${sb.baseUrl}/organizations.json`);
    expectValid('pages.json#/definitions/offset', offset.body);
    for (const o of offset.body.organizations) expectValid('organization.json', o);
    expectValid('organization.json', (await api(`${sb.baseUrl}/organizations/${ACME}.json`)).body.organization);
    for (const o of (await api(`${sb.baseUrl}/organizations/show_many.json?ids=${ACME}`)).body.organizations) expectValid('organization.json', o);
    const put = await api(`${sb.baseUrl}/organizations/${ACME}.json`, { method: 'PUT', body: { organization: { notes: 'contract' } } });
    expectValid('organization.json', put.body.organization);
  });

  it('users and memberships', async () => {
    const users = await api(`${sb.baseUrl}/users.json?page[size]=100`);
    expectValid('pages.json#/definitions/cursor', users.body);
    for (const u of users.body.users) expectValid('user.json', u);
    expectValid('user.json', (await api(`${sb.baseUrl}/users/me.json`)).body.user);
    const search = await api(`${sb.baseUrl}/users/search.json?query=email:pat@partnerco.example`);
    expectValid('pages.json#/definitions/offset', search.body);
    const ms = await api(`${sb.baseUrl}/users/2501/organization_memberships.json`);
    expect(ms.body.organization_memberships).toHaveLength(2);
    for (const m of ms.body.organization_memberships) expectValid('organization_membership.json', m);
  });

  it('tickets, comments and the update answer', async () => {
    for (const t of (await api(`${sb.baseUrl}/tickets/show_many.json?ids=3100,4821,4900,4950,5010`)).body.tickets) expectValid('ticket.json', t);
    const comments = await api(`${sb.baseUrl}/tickets/4821/comments.json`);
    expectValid('pages.json#/definitions/offset', comments.body);
    for (const c of comments.body.comments) expectValid('ticket_comment.json', c);
    const cursor = await api(`${sb.baseUrl}/tickets/4821/comments.json?page[size]=2`);
    expectValid('pages.json#/definitions/cursor', cursor.body);
    const put = await api(`${sb.baseUrl}/tickets/5010.json`, { method: 'PUT', body: { ticket: { comment: { body: 'ok', public: false } } } });
    expectValid('ticket.json', put.body.ticket);
    expect(put.body.audit).toMatchObject({ ticket_id: 5010, author_id: 1001 });
  });

  it('ticket fields', async () => {
    const res = await api(`${sb.baseUrl}/ticket_fields.json`);
    expect(res.body.ticket_fields).toHaveLength(3);
    for (const f of res.body.ticket_fields) expectValid('ticket_field.json', f);
  });

  it('job statuses through their lifecycle, with a failure item', async () => {
    const created = await api(`${sb.baseUrl}/organizations/update_many.json`, {
      method: 'PUT',
      body: { organizations: [{ id: ACME, notes: 'bulk' }, { id: 1, notes: 'missing' }] },
    });
    expectValid('job_status.json', created.body.job_status);
    let job = created.body.job_status;
    for (let i = 0; i < 3 && job.status !== 'completed'; i++) {
      job = (await api(job.url)).body.job_status;
      expectValid('job_status.json', job);
    }
    expect(job.status).toBe('completed');
    expect(job.results.map((r: any) => r.success)).toEqual([true, false]);
  });

  it('audit logs and counts', async () => {
    const logs = await api(`${sb.baseUrl}/audit_logs.json?filter[source_type]=organization&filter[source_id]=${ACME}&page[size]=10`);
    expectValid('pages.json#/definitions/cursor', logs.body);
    expect(logs.body.audit_logs.length).toBeGreaterThan(0);
    for (const a of logs.body.audit_logs) expectValid('audit_log.json', a);
    expectValid('pages.json#/definitions/count', (await api(`${sb.baseUrl}/organizations/${ACME}/tickets/count.json`)).body);
    expectValid('pages.json#/definitions/count', (await api(`${sb.baseUrl}/tickets/count.json`)).body);
  });
});

describe('the schemas themselves', () => {
  it('reject shapes Zendesk would not send', async () => {
    const org = (await api(`${sb.baseUrl}/organizations/${ACME}.json`)).body.organization;
    expect(validator('organization.json')({ ...org, shared: true })).toBe(false);
    const { notes: _n, ...missing } = org;
    expect(validator('organization.json')(missing)).toBe(false);
    expect(validator('errors.json#/definitions/unauthorized')({ error: 'Unauthorized' })).toBe(false);
    expect(validator('job_status.json')({ id: 'x', url: 'http://x/y', status: 'completed', total: 1, progress: 1, message: null, results: [{ id: 1, success: false }] })).toBe(false);
  });
});

describe('error bodies', () => {
  it('401, 404, 422, 429 and 400', async () => {
    expectValid('errors.json#/definitions/unauthorized', (await api(`${sb.baseUrl}/users/me.json`, { auth: null })).body);
    expectValid('errors.json#/definitions/notFound', (await api(`${sb.baseUrl}/tickets/1.json`)).body);
    const invalid = await api(`${sb.baseUrl}/organizations/${ACME}.json`, { method: 'PUT', body: { organization: { name: '' } } });
    expect(invalid.status).toBe(422);
    expectValid('errors.json#/definitions/recordInvalid', invalid.body);
    sb.store.tickets.get(4950)!.status = 'closed';
    const closed = await api(`${sb.baseUrl}/tickets/4950.json`, { method: 'PUT', body: { ticket: { status: 'open' } } });
    expectValid('errors.json#/definitions/recordInvalid', closed.body);
    sb.script({ fault: { kind: 'retryAfter', seconds: 2 } });
    expectValid('errors.json#/definitions/tooManyRequests', (await api(`${sb.baseUrl}/users/me.json`)).body);
    expectValid('errors.json#/definitions/simple', (await api(`${sb.baseUrl}/organizations.json?page[size]=500`)).body);
  });
});
