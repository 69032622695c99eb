import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReadOnlyViolation, RemoteError } from '../../src/errors.js';
import { createTransport, retryAfterMs, summarizeErrorBody, RequestPacer, sharedPacer, writeSafety, type PacerClock } from '../../src/remote/transport.js';
import type { RequestEvent } from '../../src/remote/types.js';
import { busiestWindow } from '../../bench/lib/report.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { virtualClock } from './virtual-clock.js';

const AUTH = `Basic ${Buffer.from('admin@acme.example/token:sandbox-token').toString('base64')}`;
const HEADERS = { Authorization: AUTH, 'Content-Type': 'application/json', Accept: 'application/json' };

describe('write safety: which writes may be resent after an ambiguous failure', () => {
  it.each([
    ['GET', '/organizations/show_many.json', undefined, 'read'],
    ['HEAD', '/users/me.json', undefined, 'read'],
    ['PUT', '/organizations/update_many.json', '{"organizations":[{"id":1,"shared_tickets":true}]}', 'absolute'],
    ['PUT', '/users/update_many.json', '{"users":[{"id":1}]}', 'absolute'],
    ['PUT', '/organizations/360000000101.json', '{"organization":{"details":"x"}}', 'absolute'],
    ['PUT', '/tickets/4821.json', '{"ticket":{"custom_fields":[{"id":7003,"value":true}]}}', 'absolute'],
    ['PUT', '/tickets/4821.json', '{"ticket":{"status":"solved"}}', 'absolute'],
    ['PUT', '/tickets/4821.json', '{"ticket":{"comment":{"body":"Done","public":true},"status":"solved"}}', 'unsafe'],
    ['PUT', '/tickets/4821.json', '{"ticket":{"comment_body":"legacy"}}', 'unsafe'],
    ['PUT', '/tickets/4821.json', 'not json', 'unsafe'],
    ['POST', '/tickets.json', '{"ticket":{}}', 'unsafe'],
    ['DELETE', '/organizations/1.json', undefined, 'unsafe'],
  ] as const)('%s %s %s → %s', (method, path, body, expected) => {
    expect(writeSafety(method, path, body)).toBe(expected);
  });
});

describe('Retry-After parsing', () => {
  it('reads seconds, an HTTP date, then ratelimit-reset', () => {
    expect(retryAfterMs(new Headers({ 'Retry-After': '2' }))).toBe(2000);
    expect(retryAfterMs(new Headers({ 'Retry-After': new Date(10_000).toUTCString() }), 4_000)).toBe(6_000);
    expect(retryAfterMs(new Headers({ 'ratelimit-reset': '7' }))).toBe(7000);
    expect(retryAfterMs(new Headers({}))).toBeNull();
  });
});

describe('error bodies', () => {
  it('summarizes 422 details field by field', () => {
    expect(
      summarizeErrorBody({
        error: 'RecordInvalid',
        description: 'Record validation errors',
        details: { status: [{ description: 'Status: closed prevents ticket update', error: 'ClosedTicket' }] },
      }),
    ).toBe('RecordInvalid — Record validation errors — status: Status: closed prevents ticket update');
    expect(summarizeErrorBody({ errors: [{ code: 'TooManyRequests', title: 'Too many requests' }] })).toBe('TooManyRequests: Too many requests');
  });
});

/** Start times of `n` requests taken back to back (each waits for the previous start). */
async function startTimes(pacer: RequestPacer, clock: PacerClock, n: number): Promise<number[]> {
  const times: number[] = [];
  await Promise.all(Array.from({ length: n }, () => pacer.take().then(() => times.push(clock.now()))));
  return times;
}

describe('request pacer', () => {
  it('lets a burst through, then spaces requests at the rate', async () => {
    const clock = virtualClock();
    const pacer = new RequestPacer(600, 2, clock); // a burst of 2, then 10 per second
    const times = await startTimes(pacer, clock, 5);
    expect(times.slice(0, 2)).toEqual([0, 0]);
    expect(times.slice(2)).toEqual([100, 200, 300]);
  });

  it.each([200, 400, 700])('runs a long scan at %i rpm within 5 %% of the floor and never over rpm in any 60 s', async (rpm) => {
    const clock = virtualClock();
    const pacer = new RequestPacer(rpm, undefined, clock);
    const n = 3 * rpm + 1; // e.g. drift's 601 requests at 200 rpm
    const times = await startTimes(pacer, clock, n);
    const floorMs = (n / rpm) * 60_000;
    expect(busiestWindow(times)).toBeLessThanOrEqual(rpm);
    expect(times.at(-1)!).toBeLessThanOrEqual(1.05 * floorMs);
    // Not slower than the rate either: the refill is the full rpm (the old 5/6 refill
    // needed 1.15 × the floor).
    expect(times.at(-1)!).toBeGreaterThanOrEqual(((n - 1) / rpm) * 60_000 - pacer.burst * (60_000 / rpm));
  });

  it('holds the window when a full burst meets a minute of refill', async () => {
    const clock = virtualClock();
    const pacer = new RequestPacer(60, 30, clock);
    const times = await startTimes(pacer, clock, 61);
    expect(busiestWindow(times)).toBe(60);
    expect(times[60]).toBeGreaterThanOrEqual(60_000);
  });

  it('is shared per account, so reader and writer adapters spend one budget', () => {
    expect(sharedPacer('https://acme.zendesk.com/api/v2', 400)).toBe(sharedPacer('https://acme.zendesk.com/api/v2/', 400));
    expect(sharedPacer('https://acme.zendesk.com/api/v2', 400)).not.toBe(sharedPacer('https://other.zendesk.com/api/v2', 400));
  });

  it('stops everyone while paused, unlimited or not', async () => {
    const clock = virtualClock();
    const pacer = new RequestPacer(0, undefined, clock);
    pacer.pauseFor(200);
    const times = await startTimes(pacer, clock, 2);
    expect(times).toEqual([200, 200]);
  });
});

describe('transport over HTTP', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => {
    await sb.close();
  });
  beforeEach(() => sb.reset());

  it('refuses a write in read-only mode before anything is sent', async () => {
    const events: RequestEvent[] = [];
    const t = createTransport({ baseUrl: sb.baseUrl, readOnly: true, onRequest: (e) => events.push(e) });
    for (const method of ['PUT', 'POST', 'DELETE', 'PATCH', 'put']) {
      await expect(
        t.transportFn(`${sb.baseUrl}/organizations/update_many.json`, { method, headers: HEADERS, body: '{"organizations":[]}' }),
      ).rejects.toBeInstanceOf(ReadOnlyViolation);
    }
    expect(sb.log()).toEqual([]);
    expect(events).toEqual([]);
    expect(t.stats).toEqual({ reads: 0, writes: 0, retries: 0 });
    const ok = await t.transportFn(`${sb.baseUrl}/users/me.json`, { method: 'GET', headers: HEADERS });
    expect(ok.status).toBe(200);
  });

  it('never sends credentials outside the configured API base', async () => {
    const t = createTransport({ baseUrl: sb.baseUrl, readOnly: false });
    await expect(t.transportFn('http://example.invalid/api/v2/users/me.json', { method: 'GET', headers: HEADERS })).rejects.toMatchObject({
      code: 'foreign_url',
    });
    await expect(t.transportFn(`${sb.url}/__sandbox/state`, { method: 'GET', headers: HEADERS })).rejects.toMatchObject({ code: 'foreign_url' });
    expect(sb.log()).toEqual([]);
  });

  it('reuses one connection for consecutive requests (the sandbox keeps connections alive like Zendesk)', async () => {
    const t = createTransport({ baseUrl: sb.baseUrl, readOnly: true, rpm: 0 });
    const before = sb.connections();
    for (let i = 0; i < 20; i++) await t.transportFn(`${sb.baseUrl}/users/me.json`, { method: 'GET', headers: HEADERS });
    expect(sb.log()).toHaveLength(20);
    expect(sb.connections() - before).toBeLessThanOrEqual(1);
  });

  it('spaces concurrent requests by one shared budget', async () => {
    // Virtual time moves only when the pacer waits: the waits are the schedule.
    const clock = virtualClock();
    const t = createTransport({ baseUrl: sb.baseUrl, readOnly: true, rpm: 600, burst: 1, clock });
    await Promise.all(Array.from({ length: 4 }, () => t.transportFn(`${sb.baseUrl}/users/me.json`, { method: 'GET', headers: HEADERS })));
    expect(sb.log()).toHaveLength(4);
    // 10 per second after a burst of one: the 2nd, 3rd and 4th each wait 100 ms.
    expect(clock.sleeps).toBe(3);
    expect(clock.now()).toBe(300);
  });

  it('gives up on a request that hangs after the timeout and retries it', async () => {
    sb.script({ match: { method: 'GET', path: /users\/me/ }, fault: { kind: 'hang' } });
    const events: RequestEvent[] = [];
    const t = createTransport({ baseUrl: sb.baseUrl, readOnly: true, timeoutMs: 300, retryBaseMs: 10, onRequest: (e) => events.push(e) });
    const res = await t.transportFn(`${sb.baseUrl}/users/me.json`, { method: 'GET', headers: HEADERS });
    expect(res.status).toBe(200);
    expect(events.map((e) => [e.status, e.attempt])).toEqual([
      [null, 1],
      [200, 2],
    ]);
    expect(t.stats).toEqual({ reads: 2, writes: 0, retries: 1 });
  });

  it('retries a dropped connection for a read', async () => {
    sb.script({ match: { method: 'GET' }, times: 2, fault: { kind: 'drop' } });
    const t = createTransport({ baseUrl: sb.baseUrl, readOnly: true, retryBaseMs: 10 });
    const res = await t.transportFn(`${sb.baseUrl}/users/me.json`, { method: 'GET', headers: HEADERS });
    expect(res.status).toBe(200);
    expect(sb.log().map((e) => e.status)).toEqual([0, 0, 200]);
  });

  it('fails with a retryable error once retries are exhausted', async () => {
    sb.script({ match: { method: 'GET' }, times: Infinity, fault: { kind: 'status', status: 502 } });
    const t = createTransport({ baseUrl: sb.baseUrl, readOnly: true, retryBaseMs: 5, maxRetries: 2 });
    const err = await t.transportFn(`${sb.baseUrl}/users/me.json`, { method: 'GET', headers: HEADERS }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect(err).toMatchObject({ code: 'server_error', status: 502, retryable: true });
    expect(sb.log()).toHaveLength(3);
  });

  it('does not retry a terminal error and carries Zendesk’s body', async () => {
    const t = createTransport({ baseUrl: sb.baseUrl, readOnly: true });
    const err = (await t
      .transportFn(`${sb.baseUrl}/organizations/1.json`, { method: 'GET', headers: HEADERS })
      .catch((e: unknown) => e)) as RemoteError;
    expect(err).toMatchObject({ code: 'not_found', status: 404, retryable: false, details: { error: 'RecordNotFound', description: 'Not found' } });
    expect(err.message).toBe('GET /organizations/1.json failed: 404 Not Found: RecordNotFound — Not found');
    expect(sb.log()).toHaveLength(1);
  });
});
