/**
 * The Zendesk-compatible sandbox: a local HTTP server speaking the subset of the Support
 * API orgshare uses, with Zendesk's shapes, errors, pagination, rate limits and background
 * jobs, plus deterministic fault injection and a request log. Used by `orgshare sandbox`,
 * the demo, benchmarks and every behaviour test (tests talk real HTTP to it).
 *
 *   const sb = await startSandbox();             // default seed, port 0, no rate limit
 *   // ZENDESK_API_URL=sb.baseUrl, admin@acme.example / token sandbox-token
 *   sb.script({ match: { method: 'PUT', path: /tickets\/4821/ }, fault: { kind: 'status', status: 503 } });
 *   sb.writes();                                 // what the code under test wrote
 *   await sb.close();
 */
import type { AddressInfo } from 'node:net';
import { FaultEngine } from './faults.js';
import { createSandboxServer, RateLimiter } from './server.js';
import { DEFAULT_SEED } from './seed-default.js';
import { SandboxStore, type UiChange } from './store.js';
import type { FaultRule, RequestLogEntry, ScriptedFault, SeedData } from './types.js';

export type * from './types.js';
export { SandboxStore, ZendeskError, UI_IP_ADDRESS, type UiChange } from './store.js';
export { DEFAULT_SEED } from './seed-default.js';
export { generateAccount, type GenerateOptions } from './generate.js';
export { loadSeedFile } from './seed-file.js';
export { parseFaultSpec, mulberry32 } from './faults.js';

export interface SandboxOptions {
  /** 0 (default): any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: DEFAULT_SEED (the shared sandbox world). */
  seed?: SeedData;
  /** Requests per minute for the whole account; 0 (default in-process) = unlimited. */
  rpm?: number;
  /** Probabilistic faults: a spec string ("503:0.05,seed:42") or rules. */
  faults?: string | FaultRule[];
  /** Polls answered "working" before a bulk job completes: default 1; 0 = completed when created. */
  jobPollsToComplete?: number;
  /** Jobs also complete this long after creation without polls (default 5000 ms; 0 = never). */
  jobCompleteMs?: number;
  /** Most queued/working bulk jobs at once (default 30); more answer 429 TooManyJobs. */
  maxQueuedJobs?: number;
  /** Rate-limit window (default 60 000 ms). */
  rateWindowMs?: number;
}

export interface Sandbox {
  /** http://127.0.0.1:PORT */
  url: string;
  /** http://127.0.0.1:PORT/api/v2 */
  baseUrl: string;
  /** Every /api/v2 request, in arrival order. */
  log(): RequestLogEntry[];
  clearLog(): void;
  /** Log entries whose method is not GET/HEAD. */
  writes(): RequestLogEntry[];
  /** Replaces the probabilistic faults (scripted faults stay). `seed` re-seeds the PRNG. */
  setFaults(spec: string | FaultRule[], seed?: number): void;
  /** Adds an exact fault: the matching requests number skip+1 … skip+times get it. */
  script(rule: ScriptedFault): void;
  /** Removes all faults (rules and scripts). */
  clearFaults(): void;
  /** Changes the rate limit (0 = unlimited) and empties the current window. */
  setRateLimit(rpm: number): void;
  /** Direct access to state for test setup and assertions. */
  store: SandboxStore;
  /**
   * A change "made in the Zendesk UI" behind orgshare's back: validated like the API,
   * recorded in the audit log with the acting agent (`actor` email, default another
   * agent than the API user) and a browser address. Also `POST /__sandbox/ui`.
   */
  ui(change: UiChange): void;
  /**
   * Back to the start: store re-seeded (with `seed` if given, else the startup seed), log
   * cleared, scripted faults removed, faults back to the options' faults with a fresh PRNG,
   * rate-limit window emptied.
   */
  reset(seed?: SeedData): void;
  /** TCP connections accepted since start (keep-alive: far fewer than requests). */
  connections(): number;
  close(): Promise<void>;
}

/** Idle keep-alive of the sandbox's connections. */
export const KEEP_ALIVE_MS = 60_000;

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const store = new SandboxStore();
  const jobOptions = { pollsToComplete: opts.jobPollsToComplete ?? 1 };
  const load = (s: SeedData) => {
    store.load(s);
    store.jobOptions = jobOptions;
  };
  load(seed);
  const faults = new FaultEngine();
  faults.set(opts.faults);
  const limiter = new RateLimiter(opts.rpm ?? 0, opts.rateWindowMs ?? 60_000);
  const log: RequestLogEntry[] = [];

  const reset = (next?: SeedData) => {
    load(next ?? seed);
    log.length = 0;
    faults.clear();
    faults.set(opts.faults);
    limiter.clear();
  };
  const setFaults = (spec: string | FaultRule[], s?: number) => faults.set(spec, s);
  const script = (rule: ScriptedFault) => faults.script(rule);

  const { server, sockets, timers } = createSandboxServer({
    store,
    faults,
    limiter,
    log,
    maxQueuedJobs: opts.maxQueuedJobs ?? 30,
    jobCompleteMs: opts.jobCompleteMs ?? 5000,
    reset,
    setFaults,
    script,
  });
  // Keep connections alive between requests like Zendesk does: clients (undici) reuse a
  // socket only while more than a second of the server's keep-alive timeout is left, so
  // a 1 s timeout meant one TCP connection per request. close() destroys idle sockets, so
  // a long timeout never holds a test process open.
  let accepted = 0;
  server.on('connection', () => accepted++);
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const hostForUrl = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${hostForUrl === '0.0.0.0' ? '127.0.0.1' : hostForUrl}:${addr.port}`;

  let closed: Promise<void> | null = null;
  return {
    url,
    baseUrl: `${url}/api/v2`,
    log: () => [...log],
    clearLog: () => {
      log.length = 0;
    },
    writes: () => log.filter((e) => e.method !== 'GET' && e.method !== 'HEAD'),
    setFaults,
    script,
    clearFaults: () => faults.clear(),
    setRateLimit: (rpm: number) => {
      limiter.rpm = rpm;
      limiter.clear();
    },
    store,
    ui: (change: UiChange) => void store.uiChange(change),
    reset,
    connections: () => accepted,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        // Hanging requests and idle keep-alive connections would hold close() open.
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
}
