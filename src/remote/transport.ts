/**
 * Our own `transportConfig` for node-zendesk: the one place where a byte leaves for
 * Zendesk. Every guarantee about traffic lives here, below the client, so no caller can
 * forget it:
 *
 * - read-only: in a read-only transport any method but GET/HEAD throws
 *   `ReadOnlyViolation` before the request budget is touched or a socket is opened
 *   (plan, drift, validate and import rely on this, not on convention);
 * - only the configured API origin and path prefix are contacted (a `links.next` or
 *   redirect pointing elsewhere never receives our Authorization header);
 * - a client-side request pacer (requests per minute, no 60-second window over it) shared
 *   by every concurrent call made to one account;
 * - retries: 429 is honoured (`Retry-After`, else `ratelimit-reset`) for every method,
 *   because Zendesk did not process it; 5xx/409/timeouts/dropped connections are retried
 *   with jittered exponential backoff only for reads and for writes whose body is
 *   absolute (see `writeSafety`). A ticket update carrying a comment is never resent
 *   blindly: it fails with a retryable `RemoteError('write_uncertain')` so apply can look
 *   at the ticket before writing again;
 * - errors become `RemoteError`s that carry Zendesk's error body (422 details) and never
 *   the Authorization header; every message goes through `redact`.
 *
 * Contract with node-zendesk 6.0.1 (src/clients/transporter.js): it calls
 * `transportFn(uri, options)` with `options = {...clientOptions, headers, uri, method, body}`
 * (so the options object carries the token: it is never logged or put in an error) and
 * passes whatever that returns to `responseAdapter`, which must return
 * `{ json(), status, statusText, headers: { get(name) } }`. node-zendesk reads the body
 * only when content-type contains application/json, and turns any response carrying a
 * `retry-after` header into an Error *result* (not a throw): we therefore throw ourselves
 * for every non-2xx and hide `retry-after` from successful responses.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ReadOnlyViolation, RemoteError, redact } from '../errors.js';
import type { RequestEvent } from './types.js';

export interface TransportStats {
  reads: number;
  writes: number;
  retries: number;
}

export interface TransportConfig {
  /** API base, e.g. https://acme.zendesk.com/api/v2; requests outside it are refused. */
  baseUrl: string;
  readOnly: boolean;
  /** Requests per minute; 0 or Infinity = no client-side limit (default 400). */
  rpm?: number;
  /** Bucket size: requests that may start at once (default rpm/6, i.e. 10 s worth). */
  burst?: number;
  /** Per-attempt timeout, including reading the body (default 30 000 ms). */
  timeoutMs?: number;
  /** Retries after the first attempt for retryable failures (default 5). */
  maxRetries?: number;
  /** First backoff step; doubles per attempt, half of it jittered (default 250 ms). */
  retryBaseMs?: number;
  /** Longest backoff step (default 20 000 ms). */
  retryMaxDelayMs?: number;
  /** A 429 asking to wait longer than this fails instead of waiting (default 120 000 ms). */
  maxRetryAfterMs?: number;
  onRequest?: (event: RequestEvent) => void;
  /** Shared counters; a fresh object when absent. */
  stats?: TransportStats;
  /** The request pacer; by default one per account (base URL) and rpm in this process. */
  pacer?: RequestPacer;
  /**
   * Time for pacing and retry waits (default the system clock). A test injects a virtual
   * clock to see every wait the transport decides on without spending it (docs/testing.md).
   */
  clock?: PacerClock;
  /** Source of jitter (tests may pin it). */
  random?: () => number;
}

/** What `transportFn` resolves with; only `responseAdapter` looks inside. */
export interface RawResponse {
  status: number;
  statusText: string;
  headers: Headers;
  text: string;
}

/** The response shape node-zendesk's Transporter reads. */
export interface AdaptedResponse {
  json: () => Promise<unknown>;
  status: number;
  statusText: string;
  headers: { get: (name: string) => string | null };
}

/** The subset of node-zendesk's request options we read. */
export interface ZendeskRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface Transport {
  transportFn: (uri: string, options: ZendeskRequestOptions) => Promise<RawResponse>;
  responseAdapter: (raw: RawResponse) => AdaptedResponse;
  readonly stats: TransportStats;
  readonly pacer: RequestPacer;
}

/**
 * How a request may be retried after an ambiguous failure (5xx, timeout, dropped
 * connection — Zendesk may or may not have applied it):
 * - `read`: GET/HEAD, always safe;
 * - `absolute`: a PUT whose body states the final value (organization/user update and
 *   update_many, ticket update without a comment): applying it twice equals once;
 * - `unsafe`: anything else (a ticket comment would be posted twice, POST creates).
 * A 429 is retried for all three: Zendesk rejected it before processing.
 */
export type WriteSafety = 'read' | 'absolute' | 'unsafe';

export function writeSafety(method: string, path: string, body: string | undefined): WriteSafety {
  const m = method.toUpperCase();
  if (m === 'GET' || m === 'HEAD') return 'read';
  if (m !== 'PUT') return 'unsafe';
  const p = path.replace(/\.json$/, '');
  if (/^\/(organizations|users)\/update_many$/.test(p)) return 'absolute';
  if (/^\/(organizations|users)\/\d+$/.test(p)) return 'absolute';
  if (/^\/tickets\/\d+$/.test(p)) {
    const ticket = parseJson(body) as { ticket?: Record<string, unknown> } | undefined;
    if (!ticket || typeof ticket !== 'object' || !ticket.ticket || typeof ticket.ticket !== 'object') return 'unsafe';
    // Any comment (comment, or the legacy flat comment_body/html_body keys) is additive.
    const keys = Object.keys(ticket.ticket);
    if (keys.some((k) => k === 'comment' || k === 'comment_body' || k === 'html_body' || k === 'additional_tags' || k === 'remove_tags')) {
      return 'unsafe';
    }
    return 'absolute';
  }
  return 'unsafe';
}

/** Time as the pacer sees it: injectable so tests run minutes of pacing in no time. */
export interface PacerClock {
  /** Monotonic milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

const SYSTEM_CLOCK: PacerClock = { now: () => performance.now(), sleep: (ms) => sleep(ms) };

const pacers = new Map<string, RequestPacer>();

/**
 * One budget per account and rate for the whole process: `apply` reads with a read-only
 * adapter and writes with another, and both must stay within the same per-minute limit.
 */
export function sharedPacer(baseUrl: string, rpm: number, burst?: number): RequestPacer {
  const key = `${baseUrl.replace(/\/+$/, '')} ${rpm} ${burst ?? ''}`;
  let pacer = pacers.get(key);
  if (!pacer) {
    pacer = new RequestPacer(rpm, burst);
    pacers.set(key, pacer);
  }
  return pacer;
}

/**
 * The request pacer shared by all calls of one account (model: docs/performance.md,
 * "The request pacer"). Two rules, both must allow a start:
 *
 * - shape: a token bucket of `burst` tokens (default rpm/6, 10 s worth) refilled at the
 *   full `rpm` per minute, so a long scan runs at the account's rate, not below it;
 * - guarantee: a log of the last `rpm` start times; a request starts only when the
 *   rpm-th start before it is at least `windowMs` (60 s plus a margin for latency jitter
 *   between our clock and the server's) ago. No 60-second window, wherever it begins,
 *   ever carries more than `rpm` starts: Zendesk counts requests per minute.
 *
 * `take()` resolves in FIFO order; `pauseFor(ms)` stops everyone (a 429 is account-wide).
 */
export class RequestPacer {
  readonly burst: number;
  /** Requests started through this pacer so far. */
  taken = 0;
  /** Length of the window that may hold at most `rpm` starts. */
  readonly windowMs: number;
  private tokens: number;
  private last: number;
  private pausedUntil = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly perMs: number;
  /** Ring buffer of the last `rpm` start times (limited rate only). */
  private readonly starts: number[] = [];
  private head = 0;

  constructor(
    readonly rpm: number,
    burst?: number,
    private readonly clock: PacerClock = SYSTEM_CLOCK,
    windowMarginMs = 250,
  ) {
    const limited = rpm > 0 && Number.isFinite(rpm);
    this.burst = Math.max(1, Math.min(limited ? rpm : Infinity, Math.floor(burst ?? (limited ? Math.ceil(rpm / 6) : 1))));
    this.perMs = limited ? rpm / 60_000 : Infinity;
    this.windowMs = 60_000 + Math.max(0, windowMarginMs);
    this.tokens = this.burst;
    this.last = clock.now();
  }

  take(): Promise<void> {
    const turn = this.chain.then(() => this.acquire());
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  pauseFor(ms: number): void {
    if (ms > 0) this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
  }

  private async acquire(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      if (now < this.pausedUntil) {
        await this.clock.sleep(this.pausedUntil - now);
        continue;
      }
      if (!Number.isFinite(this.perMs)) {
        this.taken++;
        return;
      }
      this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.perMs);
      this.last = now;
      const tokenWait = this.tokens >= 1 ? 0 : (1 - this.tokens) / this.perMs;
      // starts[head] is the oldest of the last `rpm` starts once the log is full.
      const windowWait = this.starts.length < this.rpm ? 0 : this.starts[this.head]! + this.windowMs - now;
      const wait = Math.max(tokenWait, windowWait);
      if (wait > 0) {
        await this.clock.sleep(Math.ceil(wait));
        continue;
      }
      this.tokens -= 1;
      if (this.starts.length < this.rpm) this.starts.push(now);
      else {
        this.starts[this.head] = now;
        this.head = (this.head + 1) % this.rpm;
      }
      this.taken++;
      return;
    }
  }
}

const RETRY_STATUSES = new Set([409, 500, 502, 503, 504]);

export function createTransport(config: TransportConfig): Transport {
  const base = new URL(config.baseUrl.replace(/\/+$/, ''));
  const basePath = base.pathname.replace(/\/+$/, '');
  const rpm = config.rpm ?? 400;
  const timeoutMs = config.timeoutMs ?? 30_000;
  const maxRetries = config.maxRetries ?? 5;
  const retryBaseMs = config.retryBaseMs ?? 250;
  const retryMaxDelayMs = config.retryMaxDelayMs ?? 20_000;
  const maxRetryAfterMs = config.maxRetryAfterMs ?? 120_000;
  const random = config.random ?? Math.random;
  const stats: TransportStats = config.stats ?? { reads: 0, writes: 0, retries: 0 };
  const clock = config.clock ?? SYSTEM_CLOCK;
  const pacer = config.pacer ?? (config.clock ? new RequestPacer(rpm, config.burst, config.clock) : sharedPacer(config.baseUrl, rpm, config.burst));

  /** Backoff before retry number `retry` (1-based): half fixed, half jitter. */
  const backoff = (retry: number): number => {
    const step = Math.min(retryMaxDelayMs, retryBaseMs * 2 ** (retry - 1));
    return Math.round(step / 2 + random() * (step / 2));
  };

  const transportFn = async (uri: string, options: ZendeskRequestOptions): Promise<RawResponse> => {
    const method = (options.method ?? 'GET').toUpperCase();
    const url = checkUrl(uri);
    const path = url.pathname.slice(basePath.length) || '/';
    // The read-only guarantee: nothing below this line runs for a write.
    if (config.readOnly && method !== 'GET' && method !== 'HEAD') throw new ReadOnlyViolation(method, path);
    const body = method === 'GET' || method === 'HEAD' ? undefined : options.body;
    const safety = writeSafety(method, path, body);
    const headers = { ...(options.headers ?? {}) };
    if (body === undefined) delete headers['Content-Type'];

    for (let attempt = 1; ; attempt++) {
      await pacer.take();
      if (safety === 'read') stats.reads++;
      else stats.writes++;
      if (attempt > 1) stats.retries++;
      const started = performance.now();
      const outcome = await send(url, method, headers, body);
      const ms = Math.round(performance.now() - started);
      config.onRequest?.({ method, path, status: outcome.kind === 'response' ? outcome.res.status : null, ms, attempt });

      if (outcome.kind === 'response' && outcome.res.status >= 200 && outcome.res.status < 300) return outcome.res;

      const retriesLeft = attempt <= maxRetries;
      if (outcome.kind === 'response') {
        const { res } = outcome;
        if (res.status === 429) {
          const wait = retryAfterMs(res.headers);
          if (wait !== null && wait > maxRetryAfterMs) throw httpError(method, path, res, true, `asked to wait ${Math.ceil(wait / 1000)} s`);
          if (!retriesLeft) throw httpError(method, path, res, true, `gave up after ${attempt} attempts`);
          const delay = wait !== null ? wait + Math.round(random() * 100) : backoff(attempt);
          pacer.pauseFor(delay);
          await clock.sleep(delay);
          continue;
        }
        if (RETRY_STATUSES.has(res.status)) {
          if (safety === 'unsafe') throw uncertain(method, path, `${res.status} ${res.statusText}`.trim(), res.status);
          if (!retriesLeft) throw httpError(method, path, res, true, `gave up after ${attempt} attempts`);
          await clock.sleep(backoff(attempt));
          continue;
        }
        throw httpError(method, path, res, false);
      }

      // No response: timeout, reset, refused. A refused connection never reached Zendesk.
      if (safety === 'unsafe' && outcome.kind !== 'refused') throw uncertain(method, path, outcome.message, null);
      if (!retriesLeft) {
        throw new RemoteError(
          outcome.kind === 'timeout' ? 'timeout' : 'network',
          redact(`${method} ${path} failed: ${outcome.message} (gave up after ${attempt} attempts)`),
          null,
          true,
        );
      }
      await clock.sleep(backoff(attempt));
    }
  };

  type Outcome =
    | { kind: 'response'; res: RawResponse }
    | { kind: 'timeout' | 'network' | 'refused'; message: string };

  async function send(url: URL, method: string, headers: Record<string, string>, body: string | undefined): Promise<Outcome> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      // redirect: 'manual' — a redirect is answered as an error, never followed with
      // our credentials.
      const res = await fetch(url, { method, headers, body, signal: controller.signal, redirect: 'manual' });
      const text = await res.text();
      return { kind: 'response', res: { status: res.status, statusText: res.statusText, headers: res.headers, text } };
    } catch (err) {
      if (timedOut) return { kind: 'timeout', message: `no response within ${timeoutMs} ms` };
      const code = errorCode(err);
      if (code === 'ECONNREFUSED') return { kind: 'refused', message: 'connection refused' };
      return { kind: 'network', message: `connection failed${code ? ` (${code})` : ''}` };
    } finally {
      clearTimeout(timer);
    }
  }

  function checkUrl(uri: string): URL {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new RemoteError('bad_url', redact(`refused to request a malformed URL`), null, false);
    }
    if (url.origin !== base.origin || !(url.pathname === basePath || url.pathname.startsWith(`${basePath}/`))) {
      throw new RemoteError('foreign_url', redact(`refused to send credentials to ${url.origin}${url.pathname}: outside ${base.origin}${basePath}`), null, false);
    }
    return url;
  }

  const responseAdapter = (raw: RawResponse): AdaptedResponse => ({
    json: async () => (raw.text === '' ? {} : JSON.parse(raw.text)),
    status: raw.status,
    statusText: raw.statusText,
    headers: {
      // node-zendesk treats any response with retry-after as a 429; only successes get here.
      get: (name: string) => (name.toLowerCase() === 'retry-after' ? null : raw.headers.get(name)),
    },
  });

  return { transportFn, responseAdapter, stats, pacer };
}

/** Milliseconds to wait from `Retry-After` (seconds or HTTP date), else `ratelimit-reset`. */
export function retryAfterMs(headers: Headers, nowMs: number = Date.now()): number | null {
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null && retryAfter.trim() !== '') {
    const seconds = Number(retryAfter.trim());
    if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - nowMs);
  }
  for (const name of ['ratelimit-reset', 'rate-limit-reset', 'x-rate-limit-reset']) {
    const v = headers.get(name);
    if (v === null) continue;
    const seconds = Number(v.trim());
    if (!Number.isFinite(seconds) || seconds < 0) continue;
    // Some servers send an epoch timestamp rather than a delta.
    if (seconds > 1e9) return Math.max(0, seconds * 1000 - nowMs);
    return Math.ceil(seconds * 1000);
  }
  return null;
}

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  422: 'invalid',
  429: 'rate_limited',
};

function statusCode(status: number): string {
  if (STATUS_CODES[status]) return STATUS_CODES[status];
  if (status >= 300 && status < 400) return 'unexpected_redirect';
  if (status >= 500) return 'server_error';
  return 'http_error';
}

function httpError(method: string, path: string, res: RawResponse, retryable: boolean, note?: string): RemoteError {
  const body = parseJson(res.text);
  const summary = body !== undefined ? summarizeErrorBody(body) : snippet(res.text);
  let message = `${method} ${path} failed: ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  if (summary) message += `: ${summary}`;
  if (note) message += ` (${note})`;
  if (res.status === 401) message += ' — check ZENDESK_EMAIL and ZENDESK_API_TOKEN (or ZENDESK_OAUTH_TOKEN)';
  return new RemoteError(statusCode(res.status), redact(message), res.status, retryable, body === undefined ? undefined : redactDeep(body));
}

function uncertain(method: string, path: string, what: string, status: number | null): RemoteError {
  return new RemoteError(
    'write_uncertain',
    redact(`${method} ${path}: ${what}; Zendesk may or may not have applied it, so it was not resent — re-read before writing again`),
    status,
    true,
  );
}

/** One line from Zendesk's error bodies: {error, description, details} or {errors:[…]}. */
export function summarizeErrorBody(body: unknown): string {
  if (!body || typeof body !== 'object') return typeof body === 'string' ? snippet(body) : '';
  const b = body as Record<string, unknown>;
  const parts: string[] = [];
  const error = b.error;
  if (typeof error === 'string') parts.push(error);
  else if (error && typeof error === 'object') {
    const e = error as Record<string, unknown>;
    parts.push([e.title, e.message].filter((x) => typeof x === 'string').join(': '));
  }
  if (typeof b.description === 'string') parts.push(b.description);
  if (Array.isArray(b.errors)) {
    for (const e of b.errors.slice(0, 3)) {
      if (e && typeof e === 'object') {
        const r = e as Record<string, unknown>;
        parts.push([r.code, r.title ?? r.detail].filter((x) => typeof x === 'string').join(': '));
      }
    }
  }
  if (b.details && typeof b.details === 'object') {
    const fields = Object.entries(b.details as Record<string, unknown>).map(([field, list]) => {
      const descriptions = Array.isArray(list)
        ? list.map((d) => (d && typeof d === 'object' ? String((d as Record<string, unknown>).description ?? (d as Record<string, unknown>).error ?? '') : String(d)))
        : [String(list)];
      return `${field}: ${descriptions.filter(Boolean).join('; ')}`;
    });
    if (fields.length) parts.push(fields.join(', '));
  }
  return snippet(parts.filter(Boolean).join(' — '), 500);
}

function snippet(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function redactDeep(value: unknown): unknown {
  return JSON.parse(redact(JSON.stringify(value))) as unknown;
}

function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
