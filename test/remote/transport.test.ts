import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReadOnlyViolation, RemoteError } from '../../src/errors.js';
import { createTransport, retryAfterMs, summarizeErrorBody, TokenBucket, writeSafety } from '../../src/remote/transport.js';
import type { RequestEvent } from '../../src/remote/types.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

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

describe('token bucket', () => {
  it('lets a burst through, then spaces requests at the rate', async () => {
    const bucket = new TokenBucket(602, 2); // a burst of 2, then (602 − 2)/min = 10 per second
    const started = performance.now();
    const times: number[] = [];
    await Promise.all(Array.from({ length: 5 }, () => bucket.take().then(() => times.push(performance.now() - started))));
    times.sort((a, b) => a - b);
    expect(times[1]).toBeLessThan(50);
    // three more tokens at 100 ms each
    expect(times[4]).toBeGreaterThanOrEqual(280);
  });

  it('never lets a 60-second window exceed rpm, burst included', () => {
    // Worst case for a window: a full bucket spent at once, then a minute of refill.
    for (const rpm of [10, 60, 200, 400, 700, 2500]) {
      const bucket = new TokenBucket(rpm);
      expect(bucket.capacity + bucket.refillPerMinute, `rpm ${rpm}`).toBeLessThanOrEqual(rpm);
      expect(bucket.refillPerMinute).toBeGreaterThan(0);
    }
  });

  it('is shared per account, so reader and writer adapters spend one budget', async () => {
    const { sharedBucket } = await import('../../src/remote/transport.js');
    expect(sharedBucket('https://acme.zendesk.com/api/v2', 400)).toBe(sharedBucket('https://acme.zendesk.com/api/v2/', 400));
    expect(sharedBucket('https://acme.zendesk.com/api/v2', 400)).not.toBe(sharedBucket('https://other.zendesk.com/api/v2', 400));
  });

  it('stops everyone while paused', async () => {
    const bucket = new TokenBucket(0);
    bucket.pauseFor(200);
    const started = performance.now();
    await bucket.take();
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
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

  it('spaces concurrent requests by one shared budget', async () => {
    const t = createTransport({ baseUrl: sb.baseUrl, readOnly: true, rpm: 600, burst: 1 });
    await Promise.all(Array.from({ length: 4 }, () => t.transportFn(`${sb.baseUrl}/users/me.json`, { method: 'GET', headers: HEADERS })));
    const at = sb.log().map((e) => e.at);
    expect(at).toHaveLength(4);
    // 10 per second: the 4th request starts at least ~300 ms after the first
    expect(at[3]! - at[0]!).toBeGreaterThanOrEqual(250);
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
