/**
 * The HTTP side of the sandbox (node:http only). For each /api/v2 request, in order:
 * log it, complete background jobs that are due, apply an injected fault (scripted first,
 * then probabilistic), enforce the rate limit, authenticate, dispatch. /__sandbox/* is the
 * control API (log, reset, faults, state) and is never faulted, limited or authenticated.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { describeFault, type FaultEngine } from './faults.js';
import { dispatch } from './routes.js';
import { ZendeskError, type SandboxStore, type UiChange } from './store.js';
import type { FaultAction, FaultRule, JobRecord, RequestLogEntry, ScriptedFault, SeedData } from './types.js';

export const API_PREFIX = '/api/v2';
export const CONTROL_PREFIX = '/__sandbox';

export const BODIES = {
  unauthorized: { error: "Couldn't authenticate you" },
  tooManyRequests: { errors: [{ code: 'TooManyRequests', title: 'Too many requests' }] },
};

const DEFAULT_STATUS_BODIES: Record<number, unknown> = {
  429: BODIES.tooManyRequests,
  500: { error: 'InternalServerError', description: 'Something went wrong (sandbox fault injection)' },
  502: { error: 'BadGateway', description: 'Bad gateway (sandbox fault injection)' },
  503: { error: 'ServiceUnavailable', description: 'Service temporarily unavailable (sandbox fault injection)' },
  504: { error: 'GatewayTimeout', description: 'Gateway timeout (sandbox fault injection)' },
};

/** Sliding one-minute window of accepted requests, per account. */
export class RateLimiter {
  private stamps: number[] = [];
  constructor(
    public rpm: number,
    private windowMs = 60_000,
  ) {}

  /** Records a request; returns null when allowed, or the Retry-After seconds. */
  take(now: number): number | null {
    if (this.rpm <= 0) return null;
    this.prune(now);
    if (this.stamps.length >= this.rpm) {
      return Math.max(1, Math.ceil((this.stamps[0]! + this.windowMs - now) / 1000));
    }
    this.stamps.push(now);
    return null;
  }

  headers(now: number): Record<string, string> {
    if (this.rpm <= 0) return {};
    this.prune(now);
    const remaining = String(Math.max(0, this.rpm - this.stamps.length));
    const reset = String(this.stamps.length ? Math.max(1, Math.ceil((this.stamps[0]! + this.windowMs - now) / 1000)) : 60);
    return {
      'X-Rate-Limit': String(this.rpm),
      'X-Rate-Limit-Remaining': remaining,
      'rate-limit': String(this.rpm),
      'rate-limit-remaining': remaining,
      'rate-limit-reset': reset,
    };
  }

  clear(): void {
    this.stamps = [];
  }

  private prune(now: number): void {
    while (this.stamps.length && this.stamps[0]! <= now - this.windowMs) this.stamps.shift();
  }
}

export interface ServerState {
  store: SandboxStore;
  faults: FaultEngine;
  limiter: RateLimiter;
  log: RequestLogEntry[];
  /** Most queued/working bulk jobs at once (Zendesk: about 30). */
  maxQueuedJobs: number;
  /** Jobs complete after this long even without polls (0: only polls complete them). */
  jobCompleteMs: number;
  /** Control API hooks. */
  reset(seed?: SeedData): void;
  setFaults(spec: string | FaultRule[], seed?: number): void;
  script(rule: ScriptedFault): void;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function queryRecord(q: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of q) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.headersSent) return;
  const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(payload)),
    'x-zendesk-api-version': 'v2',
    ...reply.headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : payload);
}

/** Starts a response, sends part of it, and destroys the socket. */
function dropMidResponse(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  const payload = JSON.stringify(reply.body ?? {});
  res.writeHead(reply.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(payload) + 64) });
  res.write(payload.slice(0, Math.max(1, Math.floor(payload.length / 2))), () => res.socket?.destroy());
}

export function authenticate(store: SandboxStore, header: string | undefined): number | null {
  if (!header) return null;
  const [scheme, value = ''] = header.split(/\s+/, 2);
  if (scheme?.toLowerCase() === 'bearer') {
    return store.account.oauthToken && value === store.account.oauthToken ? store.currentUserId || null : null;
  }
  if (scheme?.toLowerCase() !== 'basic') return null;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const m = decoded.match(/^(.+)\/token:(.*)$/);
  if (!m || m[2] !== store.account.apiToken || !store.account.apiToken) return null;
  const user = store.userByEmail(m[1]!);
  if (!user || user.role === 'end-user' || user.suspended) return null;
  return user.id;
}

export function createSandboxServer(state: ServerState): { server: Server; sockets: Set<Socket>; timers: Set<NodeJS.Timeout> } {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      send(res, { status: 500, body: { error: 'InternalServerError', description: err instanceof Error ? err.message : String(err) } });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host ?? '127.0.0.1';
    const url = new URL(req.url ?? '/', `http://${host}`);
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname === CONTROL_PREFIX || url.pathname.startsWith(`${CONTROL_PREFIX}/`)) {
      return control(req, res, url, method);
    }
    const started = Date.now();
    const entry: RequestLogEntry = { method, path: url.pathname, query: queryRecord(url.searchParams), status: 0, ms: 0, at: started };
    state.log.push(entry);
    let dropped = false;
    res.on('close', () => {
      entry.ms = Date.now() - started;
      entry.status = dropped || !res.writableFinished ? 0 : res.statusCode;
    });

    const raw = await readBody(req);
    const isWrite = method !== 'GET' && method !== 'HEAD';
    let body: unknown;
    let badJson = false;
    if (raw.trim()) {
      try {
        body = JSON.parse(raw);
      } catch {
        badJson = true;
        body = raw;
      }
    }
    if (isWrite && raw.trim()) entry.body = body;

    if (!url.pathname.startsWith(`${API_PREFIX}/`) && url.pathname !== API_PREFIX) {
      return send(res, { status: 404, body: { error: 'InvalidEndpoint', description: 'Not found' } });
    }

    completeDueJobs(Date.now());

    // Faults
    const picked = state.faults.pick({ method, path: url.pathname });
    let fault: FaultAction | null = picked.action;
    if (fault) entry.fault = describeFault(fault);
    if (fault?.kind === 'delay') {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, fault && fault.kind === 'delay' ? fault.ms : 0);
        timers.add(t);
      });
      if (res.destroyed) return;
      fault = null;
    }
    const now = Date.now();
    if (fault) {
      switch (fault.kind) {
        case 'hang':
          return; // the client's timeout ends it; close() destroys the socket
        case 'drop':
          if (!fault.applied) {
            dropped = true;
            return dropMidResponse(res, { status: 200, body: { sandbox: 'connection dropped' } });
          }
          break;
        case 'retryAfter':
          return send(res, {
            status: fault.status ?? 429,
            body: BODIES.tooManyRequests,
            headers: { ...state.limiter.headers(now), 'Retry-After': String(fault.seconds) },
          });
        case 'status':
          return send(res, {
            status: fault.status,
            body: fault.body ?? DEFAULT_STATUS_BODIES[fault.status] ?? { error: 'Error', description: `HTTP ${fault.status} (sandbox fault injection)` },
            headers: { ...state.limiter.headers(now), ...(fault.status === 429 ? { 'Retry-After': '1' } : {}), ...fault.headers },
          });
        default:
          break;
      }
    }

    // Rate limit
    const retryAfter = state.limiter.take(now);
    if (retryAfter !== null) {
      entry.fault ??= 'rate_limit';
      return send(res, { status: 429, body: BODIES.tooManyRequests, headers: { ...state.limiter.headers(now), 'Retry-After': String(retryAfter) } });
    }
    const limitHeaders = state.limiter.headers(now);

    // Authentication
    const actorId = authenticate(state.store, req.headers.authorization);
    if (actorId === null) {
      return send(res, { status: 401, body: BODIES.unauthorized, headers: { ...limitHeaders, 'WWW-Authenticate': 'Basic realm="Web Password"' } });
    }
    if (badJson) {
      return send(res, { status: 400, body: { error: 'InvalidJSON', description: 'The request body is not valid JSON' }, headers: limitHeaders });
    }

    const sub = url.pathname.slice(API_PREFIX.length).replace(/\.json$/, '') || '/';
    let reply: Reply;
    try {
      const result = dispatch(
        {
          store: state.store,
          method,
          url,
          base: `${url.origin}${API_PREFIX}`,
          body,
          actorId,
          ...(picked.jobFail ? { jobFail: picked.jobFail } : {}),
          createJob: (kind, items) => createJob(kind, items, actorId, { method, path: url.pathname }, picked.jobFail),
        },
        sub,
      );
      reply = { status: result.status ?? 200, body: result.body, headers: limitHeaders };
    } catch (err) {
      if (!(err instanceof ZendeskError)) throw err;
      reply = { status: err.status, body: err.body, headers: { ...limitHeaders, ...err.headers } };
    }
    if (fault?.kind === 'drop' && fault.applied) {
      dropped = true;
      return dropMidResponse(res, reply);
    }
    send(res, reply);
  }

  function createJob(
    kind: JobRecord['kind'],
    items: Record<string, unknown>[],
    actorId: number,
    req: { method: string; path: string },
    scripted: (FaultAction & { kind: 'jobFail' }) | undefined,
  ): JobRecord {
    if (state.store.pendingJobs() >= state.maxQueuedJobs) {
      throw new ZendeskError(
        429,
        { error: 'TooManyJobs', description: `Number of queued or running jobs exceeds the limit of ${state.maxQueuedJobs}` },
        { 'Retry-After': '1' },
      );
    }
    const ids = items.map((i) => Number(i.id));
    const failIds = state.faults.jobItemFailures(req, ids, scripted);
    return state.store.createJob(kind, items, actorId, failIds, Date.now());
  }

  function completeDueJobs(now: number): void {
    if (state.jobCompleteMs <= 0) return;
    for (const job of state.store.jobs.values()) {
      if ((job.status === 'queued' || job.status === 'working') && now - job.createdMs >= state.jobCompleteMs) state.store.completeJob(job);
    }
  }

  async function control(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
    const raw = await readBody(req);
    let body: Record<string, unknown> = {};
    try {
      body = raw.trim() ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      return send(res, { status: 400, body: { error: 'InvalidJSON' } });
    }
    const route = `${method} ${url.pathname.slice(CONTROL_PREFIX.length) || '/'}`;
    try {
      switch (route) {
        case 'GET /':
        case 'GET /health':
          return send(res, { status: 200, body: { ok: true, baseUrl: `${url.origin}${API_PREFIX}` } });
        case 'GET /log': {
          const writesOnly = url.searchParams.get('writes') === '1' || url.searchParams.get('writes') === 'true';
          const requests = writesOnly ? state.log.filter((e) => e.method !== 'GET' && e.method !== 'HEAD') : state.log;
          return send(res, { status: 200, body: { requests } });
        }
        case 'DELETE /log':
        case 'POST /log/clear':
          state.log.length = 0;
          return send(res, { status: 200, body: { ok: true } });
        case 'POST /reset':
          state.reset((body.seed as SeedData | undefined) ?? undefined);
          return send(res, { status: 200, body: { ok: true } });
        case 'GET /faults':
          return send(res, { status: 200, body: state.faults.describe() });
        case 'POST /faults': {
          const seed = typeof body.seed === 'number' ? body.seed : undefined;
          if (typeof body.spec === 'string') state.setFaults(body.spec, seed);
          else if (Array.isArray(body.rules)) state.setFaults((body.rules as FaultRule[]).map(reviveRule), seed);
          else if (seed !== undefined) state.faults.reseed(seed);
          else state.setFaults('', undefined);
          return send(res, { status: 200, body: state.faults.describe() });
        }
        case 'POST /script':
          state.script(reviveRule(body as unknown as ScriptedFault));
          return send(res, { status: 200, body: state.faults.describe() });
        case 'POST /ui':
          return send(res, { status: 200, body: { record: state.store.uiChange(body as unknown as UiChange) } });
        case 'POST /rpm':
          state.limiter.rpm = Number(body.rpm ?? 0);
          state.limiter.clear();
          return send(res, { status: 200, body: { rpm: state.limiter.rpm } });
        case 'GET /state': {
          const s = state.store;
          return send(res, {
            status: 200,
            body: {
              organizations: [...s.orgs.values()],
              users: [...s.users.values()],
              memberships: [...s.memberships.values()],
              tickets: [...s.tickets.values()],
              comments: Object.fromEntries(s.comments),
              ticket_fields: [...s.fields.values()],
              jobs: [...s.jobs.values()].map(({ items: _i, failIds: _f, ...j }) => j),
              audit_logs: [...s.auditLogs.values()],
            },
          });
        }
        default:
          return send(res, { status: 404, body: { error: 'InvalidEndpoint', description: `no control endpoint ${route}` } });
      }
    } catch (err) {
      return send(res, { status: 400, body: { error: 'BadRequest', description: err instanceof Error ? err.message : String(err) } });
    }
  }

  return { server, sockets, timers };
}

/** JSON can't carry RegExp: `match.pathRegex` (a regex source) becomes `match.path`. */
function reviveRule<T extends { match?: unknown }>(rule: T): T {
  const match = rule.match as { pathRegex?: string; path?: unknown } | undefined;
  if (match && typeof match.pathRegex === 'string') {
    const { pathRegex, ...rest } = match;
    return { ...rule, match: { ...rest, path: new RegExp(pathRegex) } };
  }
  return rule;
}
