/**
 * The sandbox speaks what node-zendesk 6 (the client orgshare wraps) expects: `.json`
 * paths, `page[size]=100` cursor walks that follow `links.next`, offset comments,
 * update_many + job_statuses, and error bodies reachable with throwOriginalException.
 */
import zendesk from 'node-zendesk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAccount, startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ jobPollsToComplete: 1 });
});
afterAll(async () => {
  await sb.close();
});

function client(): any {
  const create = (zendesk as unknown as { createClient: (o: object) => unknown }).createClient;
  return create({ username: 'admin@acme.example', token: 'sandbox-token', subdomain: 'acme', endpointUri: sb.baseUrl, throwOriginalException: true });
}

describe('node-zendesk against the sandbox', () => {
  it('lists every organization by following links.next (one request per 100)', async () => {
    sb.reset(generateAccount({ orgs: 250, users: 5 }));
    const orgs = await client().organizations.list();
    expect(orgs).toHaveLength(250);
    expect(sb.log().map((e) => e.path)).toEqual(Array(3).fill('/api/v2/organizations.json'));
    sb.reset();
  });

  it('reads users/me, comments and memberships', async () => {
    const c = client();
    expect((await c.users.me()).result.id).toBe(1001);
    expect((await c.tickets.getComments(4821)).map((x: any) => x.id)).toEqual([90200, 90201, 90210]);
    expect(await c.organizationmemberships.listByUser(2501)).toHaveLength(2);
  });

  it('runs update_many and polls the job', async () => {
    const c = client();
    const created = await c.organizations.updateMany({ organizations: [{ id: 360000000101, shared_tickets: true }] });
    const id = created.result.job_status.id;
    expect((await c.jobstatuses.show(id)).result.job_status.status).toBe('working');
    expect((await c.jobstatuses.show(id)).result.job_status.status).toBe('completed');
    expect(sb.store.orgs.get(360000000101)!.shared_tickets).toBe(true);
  });

  it('surfaces the 422 body of a closed ticket', async () => {
    sb.store.tickets.get(4950)!.status = 'closed';
    const err = await client()
      .tickets.update(4950, { ticket: { status: 'open' } })
      .catch((e: any) => e);
    expect(err.statusCode).toBe(422);
    expect(JSON.stringify(err.result)).toContain('RecordInvalid');
  });
});
