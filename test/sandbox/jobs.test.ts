import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { api } from './helpers.js';

const ACME = 360000000101;
const INITECH = 360000000103;
const HOOLI = 360000000105;

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

const updateMany = (s: Sandbox, organizations: unknown[]) =>
  api(`${s.baseUrl}/organizations/update_many.json`, { method: 'PUT', body: { organizations } });

describe('bulk organization updates (update_many + job_statuses)', () => {
  it('goes queued → working → completed over polls and applies the change only on completion', async () => {
    sb = await startSandbox();
    const created = await updateMany(sb, [{ id: ACME, shared_tickets: true }, { id: INITECH, shared_tickets: false }]);
    expect(created.status).toBe(200);
    const job = created.body.job_status;
    expect(job).toMatchObject({ status: 'queued', total: 2, progress: null, results: null });
    expect(job.url).toBe(`${sb.baseUrl}/job_statuses/${job.id}.json`);
    expect(sb.store.orgs.get(ACME)!.shared_tickets).toBe(false);

    const first = await api(job.url);
    expect(first.body.job_status.status).toBe('working');
    const second = await api(job.url);
    expect(second.body.job_status).toMatchObject({ status: 'completed', progress: 2 });
    expect(second.body.job_status.results).toEqual([
      { id: ACME, action: 'update', status: 'Updated', success: true },
      { id: INITECH, action: 'update', status: 'Updated', success: true },
    ]);
    expect(sb.store.orgs.get(ACME)!.shared_tickets).toBe(true);
    expect(sb.store.orgs.get(INITECH)!.shared_tickets).toBe(false);
    const audits = [...sb.store.auditLogs.values()].filter((a) => a.source_type === 'organization');
    expect(audits.map((a) => [a.source_id, a.actor_id])).toEqual([
      [ACME, 1001],
      [INITECH, 1001],
    ]);
  });

  it('reports per-item failures: an unknown id, an invalid value, and an injected failure', async () => {
    sb = await startSandbox({ jobPollsToComplete: 0 });
    sb.script({ match: { path: /update_many/ }, fault: { kind: 'jobFail', ids: [HOOLI], error: 'TemporaryFailure', details: 'try again' } });
    const created = await updateMany(sb, [
      { id: ACME, shared_tickets: true },
      { id: 999, shared_tickets: true },
      { id: INITECH, shared_tickets: 'yes' },
      { id: HOOLI, shared_tickets: true },
    ]);
    expect(created.body.job_status.status).toBe('completed');
    expect(created.body.job_status.results).toEqual([
      { id: ACME, action: 'update', status: 'Updated', success: true },
      { id: 999, action: 'update', success: false, error: 'RecordNotFound', details: 'Not found' },
      { id: INITECH, action: 'update', success: false, error: 'RecordInvalid', details: 'Shared tickets: is invalid' },
      { id: HOOLI, action: 'update', success: false, error: 'TemporaryFailure', details: 'try again' },
    ]);
    expect(sb.store.orgs.get(HOOLI)!.shared_tickets).toBe(false);
  });

  it('fails items by seeded probability (jobfail) reproducibly', async () => {
    const run = async () => {
      const s = await startSandbox({ faults: 'jobfail:0.5,seed:7', jobPollsToComplete: 0 });
      const items = Array.from({ length: 6 }, (_, i) => ({ id: 360000000101 + i, notes: `n${i}` }));
      const res = await updateMany(s, items);
      await s.close();
      return res.body.job_status.results.map((r: any) => r.success);
    };
    const a = await run();
    expect(a).toEqual(await run());
    expect(a).toContain(true);
    expect(a).toContain(false);
  });

  it('completes jobs after jobCompleteMs even without polls', async () => {
    sb = await startSandbox({ jobCompleteMs: 30, jobPollsToComplete: 5 });
    const created = await updateMany(sb, [{ id: ACME, notes: 'x' }]);
    await new Promise((r) => setTimeout(r, 50));
    const polled = await api(created.body.job_status.url);
    expect(polled.body.job_status.status).toBe('completed');
  });

  it('refuses more than 100 items and a 31st queued job', async () => {
    sb = await startSandbox({ maxQueuedJobs: 30, jobCompleteMs: 0 });
    const tooMany = await updateMany(sb, Array.from({ length: 101 }, (_, i) => ({ id: i + 1 })));
    expect(tooMany.status).toBe(400);
    for (let i = 0; i < 30; i++) expect((await updateMany(sb, [{ id: ACME, notes: String(i) }])).status).toBe(200);
    const limited = await updateMany(sb, [{ id: ACME, notes: 'one more' }]);
    expect(limited.status).toBe(429);
    expect(limited.body.error).toBe('TooManyJobs');
    expect(limited.headers.get('retry-after')).toBe('1');
  });

  it('updates users in bulk too (ticket_restriction grants)', async () => {
    sb = await startSandbox({ jobPollsToComplete: 0 });
    const res = await api(`${sb.baseUrl}/users/update_many.json`, {
      method: 'PUT',
      body: { users: [{ id: 2401, ticket_restriction: 'organization' }, { id: 2402, ticket_restriction: 'assigned' }] },
    });
    expect(res.body.job_status.results.every((r: any) => r.success)).toBe(true);
    expect(sb.store.users.get(2401)!.ticket_restriction).toBe('organization');
    expect(sb.store.users.get(2402)!.ticket_restriction).toBe('requested');
  });

  it('answers 404 for an unknown job id', async () => {
    sb = await startSandbox();
    expect((await api(`${sb.baseUrl}/job_statuses/V3-nope.json`)).body).toEqual({ error: 'RecordNotFound', description: 'Not found' });
  });
});
