import { afterEach, describe, expect, it } from 'vitest';
import { parseFaultSpec, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { RateLimiter } from '../../src/sandbox/server.js';
import { api } from './helpers.js';

const ACME = 360000000101;

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

describe('fault spec', () => {
  it('parses every kind, with the seed', () => {
    const parsed = parseFaultSpec('429:0.1,503:0.05,slow:0.1:2000,drop:0.02,jobfail:0.1,timeout:0.01,500:0.2,seed:42');
    expect(parsed.seed).toBe(42);
    expect(parsed.rules.map((r) => [r.probability, r.fault])).toEqual([
      [0.1, { kind: 'retryAfter', seconds: 1 }],
      [0.05, { kind: 'status', status: 503 }],
      [0.1, { kind: 'delay', ms: 2000 }],
      [0.02, { kind: 'drop' }],
      [0.1, { kind: 'jobFail' }],
      [0.01, { kind: 'hang' }],
      [0.2, { kind: 'status', status: 500 }],
    ]);
  });

  it('rejects unknown faults and bad probabilities', () => {
    expect(() => parseFaultSpec('explode:0.1')).toThrow(/unknown fault/);
    expect(() => parseFaultSpec('503:2')).toThrow(/between 0 and 1/);
  });
});

describe('probabilistic faults', () => {
  it('hit the same requests for the same seed', async () => {
    const statuses = async () => {
      const s = await startSandbox({ faults: '503:0.3,500:0.2,seed:42' });
      const out: number[] = [];
      for (let i = 0; i < 30; i++) out.push((await api(`${s.baseUrl}/organizations/${ACME}.json`)).status);
      await s.close();
      return out;
    };
    const a = await statuses();
    expect(a).toEqual(await statuses());
    expect(a).toContain(503);
    expect(a).toContain(500);
    expect(a).toContain(200);
  });

  it('never touch /__sandbox', async () => {
    sb = await startSandbox({ faults: '503:1' });
    expect((await api(`${sb.baseUrl}/users/me.json`)).status).toBe(503);
    expect((await api(`${sb.url}/__sandbox/log`, { auth: null })).status).toBe(200);
  });
});

describe('scripted faults', () => {
  it('fail exactly the next N matching requests, then stop', async () => {
    sb = await startSandbox();
    sb.script({ match: { method: 'PUT', path: /tickets\/4821/ }, times: 2, fault: { kind: 'status', status: 503 } });
    const put = () => api(`${sb!.baseUrl}/tickets/4821.json`, { method: 'PUT', body: { ticket: { status: 'pending' } } });
    expect((await api(`${sb.baseUrl}/tickets/4821.json`)).status).toBe(200); // GET does not match
    const first = await put();
    expect(first.status).toBe(503);
    expect(first.body.error).toBe('ServiceUnavailable');
    expect((await put()).status).toBe(503);
    expect((await put()).status).toBe(200);
    expect(sb.log().map((e) => e.fault ?? '-')).toEqual(['-', 'status:503', 'status:503', '-']);
    expect(sb.store.tickets.get(4821)!.status).toBe('pending');
  });

  it('fail the Nth write (skip)', async () => {
    sb = await startSandbox();
    sb.script({ match: { write: true }, skip: 2, fault: { kind: 'status', status: 500 } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await api(`${sb.baseUrl}/organizations/${ACME}.json`, { method: 'PUT', body: { organization: { notes: String(i) } } })).status);
      await api(`${sb.baseUrl}/organizations/${ACME}.json`);
    }
    expect(statuses).toEqual([200, 200, 500, 200]);
    expect(sb.store.orgs.get(ACME)!.notes).toBe('3');
  });

  it('answer 429 with Retry-After', async () => {
    sb = await startSandbox();
    sb.script({ fault: { kind: 'retryAfter', seconds: 7 } });
    const res = await api(`${sb.baseUrl}/organizations.json`);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.body).toEqual({ errors: [{ code: 'TooManyRequests', title: 'Too many requests' }] });
  });

  it('drop the connection mid-response, with or without applying the write', async () => {
    sb = await startSandbox();
    sb.script({ match: { method: 'PUT' }, fault: { kind: 'drop' } });
    const put = (notes: string) => api(`${sb!.baseUrl}/organizations/${ACME}.json`, { method: 'PUT', body: { organization: { notes } } });
    await expect(put('lost')).rejects.toThrow();
    expect(sb.store.orgs.get(ACME)!.notes).toBeNull();
    sb.script({ match: { method: 'PUT' }, fault: { kind: 'drop', applied: true } });
    await expect(put('applied')).rejects.toThrow();
    expect(sb.store.orgs.get(ACME)!.notes).toBe('applied');
    expect(sb.log().map((e) => e.status)).toEqual([0, 0]);
  });

  it('hang until the client gives up, and delay then answer', async () => {
    sb = await startSandbox();
    sb.script({ fault: { kind: 'hang' } });
    // The client gives up once the sandbox holds the request (never before it arrived,
    // however loaded the machine is).
    const giveUp = new AbortController();
    const hung = api(`${sb.baseUrl}/organizations.json`, { signal: giveUp.signal });
    while (sb.log().length === 0) await new Promise((r) => setTimeout(r, 5));
    giveUp.abort();
    await expect(hung).rejects.toThrow();
    sb.script({ fault: { kind: 'delay', ms: 120 } });
    expect((await api(`${sb.baseUrl}/organizations.json`)).status).toBe(200);
    // What each request met, from the sandbox's own log (not the time it took): the hang
    // never answered (the client gave up), the delayed one answered after its delay.
    expect(sb.log().map((e) => e.fault)).toEqual(['hang', 'delay:120']);
    expect(sb.log()[0]!.status).toBe(0);
  });

  it('close() ends hanging requests', async () => {
    sb = await startSandbox();
    sb.script({ fault: { kind: 'hang' } });
    const pending = api(`${sb.baseUrl}/organizations.json`).catch((e: unknown) => e);
    while (sb.log().length === 0) await new Promise((r) => setTimeout(r, 5)); // the sandbox holds it
    await sb.close();
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('rate limiting', () => {
  it('sends X-Rate-Limit headers and answers 429 with Retry-After past the per-minute budget', async () => {
    sb = await startSandbox({ rpm: 3 });
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await api(`${sb.baseUrl}/organizations.json`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-rate-limit')).toBe('3');
      remaining.push(res.headers.get('x-rate-limit-remaining'));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const limited = await api(`${sb.baseUrl}/organizations.json`);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ errors: [{ code: 'TooManyRequests', title: 'Too many requests' }] });
    const retry = Number(limited.headers.get('retry-after'));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
  });

  it('frees the budget when the window passes (the limiter on explicit times, no waiting)', () => {
    const limiter = new RateLimiter(2, 60_000);
    expect(limiter.take(0)).toBeNull();
    expect(limiter.take(30_000)).toBeNull();
    expect(limiter.take(59_999)).toBe(1); // full until the first request leaves the window
    expect(limiter.take(45_000)).toBe(15); // Retry-After: seconds until a slot frees
    expect(limiter.take(60_000)).toBeNull(); // the first one has left the window
    expect(limiter.take(60_001)).toBe(30);
    expect(limiter.take(90_000)).toBeNull();
  });

  it('sends no rate-limit headers when unlimited', async () => {
    sb = await startSandbox();
    expect((await api(`${sb.baseUrl}/organizations.json`)).headers.get('x-rate-limit')).toBeNull();
  });
});

describe('control API under /__sandbox', () => {
  it('serves the log, resets state and sets faults over HTTP', async () => {
    sb = await startSandbox();
    await api(`${sb.baseUrl}/organizations/${ACME}.json`, { method: 'PUT', body: { organization: { notes: 'x' } } });
    const log = await api(`${sb.url}/__sandbox/log?writes=1`, { auth: null });
    expect(log.body.requests).toHaveLength(1);
    expect(log.body.requests[0].body).toEqual({ organization: { notes: 'x' } });

    await api(`${sb.url}/__sandbox/reset`, { method: 'POST', auth: null });
    expect(sb.store.orgs.get(ACME)!.notes).toBeNull();
    expect(sb.log()).toHaveLength(0);

    await api(`${sb.url}/__sandbox/faults`, { method: 'POST', auth: null, body: { spec: '503:1' } });
    expect((await api(`${sb.baseUrl}/users/me.json`)).status).toBe(503);
    await api(`${sb.url}/__sandbox/faults`, { method: 'POST', auth: null, body: {} });
    await api(`${sb.url}/__sandbox/script`, {
      method: 'POST',
      auth: null,
      body: { match: { pathRegex: 'users/me' }, times: 1, fault: { kind: 'status', status: 500 } },
    });
    expect((await api(`${sb.baseUrl}/users/me.json`)).status).toBe(500);
    expect((await api(`${sb.baseUrl}/users/me.json`)).status).toBe(200);
  });
});
