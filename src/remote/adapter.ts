/**
 * `ZendeskAdapter`: the `Adapter` (src/remote/types.ts) over node-zendesk 6.0.1 with our
 * transport (src/remote/transport.ts). node-zendesk builds URLs and auth headers; our
 * `transportFn` sends every byte (budget, retries, read-only guard, redaction) and throws
 * `RemoteError`/`ReadOnlyViolation`, which node-zendesk rethrows as is
 * (`throwOriginalException: true`).
 *
 * Where node-zendesk's own call works it is used (organizations.showMany/updateMany,
 * users.me/showMany/listByOrganization/search, tickets.showMany/getComments/update,
 * organizationmemberships.listByUser, ticketfields.list, jobstatuses.show). Its gaps are
 * filled through its generic request path (`Client#request` on a service-less client,
 * which returns the whole JSON body): cursor pages streamed one at a time (its `getAll`
 * buffers every page and drops `meta`), organization memberships by cursor, users
 * update_many (its `updateMany(ids, users)` sends the first argument as the body), count
 * endpoints and audit logs. docs/zendesk-api.md lists each gap.
 */
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { OrgshareError, RemoteError, redact, registerSecret } from '../errors.js';
import type {
  ObservedComment,
  ObservedMembership,
  ObservedOrg,
  ObservedTicket,
  ObservedUser,
  TicketField,
} from '../model/observed.js';
import type { AuditEntry } from '../model/audit.js';
import type { AuditInfo } from '../model/reports.js';
import {
  auditEntryFromZendesk,
  auditFromZendesk,
  auditTouchesSharing,
  bulkResultsFromJob,
  commentFromZendesk,
  countFromZendesk,
  jobStatusFromZendesk,
  membershipFromZendesk,
  orgFromZendesk,
  orgUpdateToZendesk,
  ticketFieldFromZendesk,
  ticketFromZendesk,
  ticketUpdateToZendesk,
  userFromZendesk,
  userUpdateToZendesk,
  type JobStatus,
} from './mapping.js';
import { createTransport, type Transport } from './transport.js';
import type { Adapter, AuditLogFilter, BulkItemResult, OrgUpdate, RemoteOptions, TicketUpdate, UserUpdate } from './types.js';

// node-zendesk is CommonJS and its bundle hides named exports from Node's ESM loader
// (`import { createClient } from 'node-zendesk'` fails at link time).
const require = createRequire(import.meta.url);
const zendesk = require('node-zendesk') as typeof import('node-zendesk');

/** Path segments (last may be a query object) or an absolute URL under the endpoint. */
type Uri = (string | number | Record<string, unknown>)[] | string;
interface Reply {
  response: unknown;
  result: unknown;
}
/** The part of node-zendesk's `Client` we use; its published types are too loose to help. */
interface ZdService {
  request(method: string, uri: Uri, body?: unknown): Promise<Reply>;
  get(uri: Uri): Promise<Reply>;
  put(uri: Uri, body: unknown): Promise<Reply>;
  getAll(uri: Uri): Promise<unknown[]>;
}
interface ZdClient {
  config: Record<string, unknown>;
  organizations: ZdService & { showMany(ids: number[]): Promise<unknown[]>; updateMany(body: unknown): Promise<Reply> };
  users: ZdService & {
    me(): Promise<Reply>;
    showMany(ids: number[]): Promise<Reply>;
    listByOrganization(id: number): Promise<unknown[]>;
    search(params: Record<string, unknown>): Promise<unknown[]>;
  };
  tickets: ZdService & {
    showMany(ids: number[]): Promise<Reply>;
    getComments(id: number): Promise<unknown[]>;
    update(id: number, body: unknown): Promise<Reply>;
  };
  organizationmemberships: ZdService & { listByUser(id: number): Promise<unknown[]> };
  ticketfields: ZdService & { list(): Promise<unknown[]> };
  jobstatuses: ZdService & { show(id: string): Promise<Reply> };
}

const BATCH = 100;

const silentLogger = { fatal() {}, error() {}, warn() {}, info() {}, debug() {}, trace() {} };

export interface JobPollOptions {
  /** First wait before polling a job (default 100 ms); doubles up to maxMs. */
  initialMs: number;
  /** Longest wait between polls (default 2 000 ms). */
  maxMs: number;
  /** Give up on a job after this long (default 600 000 ms). */
  timeoutMs: number;
}

export function createAdapter(opts: RemoteOptions): Adapter {
  return new ZendeskAdapter(opts);
}

export class ZendeskAdapter implements Adapter {
  readonly baseUrl: string;
  readonly subdomain: string | null;
  readonly readOnly: boolean;
  private readonly transport: Transport;
  private readonly client: ZdClient;
  /** node-zendesk's base Client with no response key: `request` returns the whole body. */
  private readonly raw: ZdService;
  private readonly concurrency: number;
  private readonly jobPoll: JobPollOptions;

  constructor(opts: RemoteOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.subdomain = opts.subdomain;
    this.readOnly = opts.readOnly;
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.jobPoll = {
      initialMs: opts.jobPoll?.initialMs ?? 100,
      maxMs: opts.jobPoll?.maxMs ?? 2_000,
      timeoutMs: opts.jobPoll?.timeoutMs ?? 600_000,
    };
    registerSecret(opts.auth.token);
    if (opts.auth.kind === 'token') registerSecret(`${opts.auth.email}/token:${opts.auth.token}`);
    this.transport = createTransport({
      baseUrl: this.baseUrl,
      readOnly: opts.readOnly,
      rpm: opts.rpm,
      timeoutMs: opts.timeoutMs,
      maxRetries: opts.maxRetries,
      retryBaseMs: opts.retryBaseMs,
      onRequest: opts.onRequest,
      clock: opts.clock,
    });
    const auth =
      opts.auth.kind === 'token'
        ? { username: opts.auth.email, token: opts.auth.token }
        : { token: opts.auth.token, useOAuth: true, oauth: true };
    this.client = zendesk.createClient({
      endpointUri: this.baseUrl,
      ...auth,
      throwOriginalException: true,
      debug: false,
      logger: silentLogger,
      transportConfig: { transportFn: this.transport.transportFn, responseAdapter: this.transport.responseAdapter },
    }) as unknown as ZdClient;
    const BaseClient = Object.getPrototypeOf(this.client.organizations.constructor) as new (config: unknown) => ZdService & {
      jsonAPINames: string[];
    };
    const raw = new BaseClient(this.client.config);
    raw.jsonAPINames = [];
    this.raw = raw;
  }

  get stats(): { reads: number; writes: number; retries: number } {
    return this.transport.stats;
  }

  // ---- reads ----------------------------------------------------------------------------

  async me(): Promise<ObservedUser> {
    const { result } = await call(() => this.client.users.me());
    return userFromZendesk(result);
  }

  organizationPages(): AsyncIterable<ObservedOrg[]> {
    return mapPages(this.cursorPages(['organizations'], 'organizations'), orgFromZendesk);
  }

  async showOrganizations(ids: number[]): Promise<ObservedOrg[]> {
    const pages = await mapLimit(chunks(unique(ids), BATCH), this.concurrency, (batch) =>
      call(() => this.client.organizations.showMany(batch)),
    );
    return pages.flat().map(orgFromZendesk);
  }

  userPages(): AsyncIterable<ObservedUser[]> {
    return mapPages(this.cursorPages(['users'], 'users'), userFromZendesk);
  }

  async showUsers(ids: number[]): Promise<ObservedUser[]> {
    const pages = await mapLimit(chunks(unique(ids), BATCH), this.concurrency, async (batch) => {
      const { result } = await call(() => this.client.users.showMany(batch));
      return list(result, 'users');
    });
    return pages.flat().map(userFromZendesk);
  }

  async organizationUsers(orgId: number): Promise<ObservedUser[]> {
    const users = await call(() => this.client.users.listByOrganization(orgId));
    return users.map(userFromZendesk);
  }

  async findUserByEmail(email: string): Promise<ObservedUser | null> {
    const wanted = email.trim().toLowerCase();
    const found = await call(() => this.client.users.search({ query: `email:${wanted}` }));
    const match = found.map(userFromZendesk).find((u) => u.email?.toLowerCase() === wanted);
    return match ?? null;
  }

  membershipPages(): AsyncIterable<ObservedMembership[]> {
    return mapPages(this.cursorPages(['organization_memberships'], 'organization_memberships'), membershipFromZendesk);
  }

  async organizationMemberships(orgId: number): Promise<ObservedMembership[]> {
    const out: ObservedMembership[] = [];
    for await (const page of this.cursorPages(['organizations', orgId, 'organization_memberships'], 'organization_memberships')) {
      for (const m of page) out.push(membershipFromZendesk(m));
    }
    return out;
  }

  async userMemberships(userId: number): Promise<ObservedMembership[]> {
    const list = await call(() => this.client.organizationmemberships.listByUser(userId));
    return list.map(membershipFromZendesk);
  }

  async showTickets(ids: number[]): Promise<ObservedTicket[]> {
    const pages = await mapLimit(chunks(unique(ids), BATCH), this.concurrency, async (batch) => {
      const { result } = await call(() => this.client.tickets.showMany(batch));
      return list(result, 'tickets');
    });
    return pages.flat().map(ticketFromZendesk);
  }

  async ticketComments(ticketId: number): Promise<ObservedComment[]> {
    const comments = await call(() => this.client.tickets.getComments(ticketId));
    return comments.map(commentFromZendesk);
  }

  async ticketFields(): Promise<TicketField[]> {
    const fields = await call(() => this.client.ticketfields.list());
    return fields.map(ticketFieldFromZendesk);
  }

  async countOrganizationTickets(orgId: number): Promise<number> {
    const { result } = await call(() => this.raw.request('GET', ['organizations', orgId, 'tickets', 'count']));
    return countFromZendesk(result);
  }

  /**
   * The newest audit log entry about this organization's sharing flags, from the first
   * page (100 newest entries) only. null when none is there or the account has no audit
   * log access (403/404: audit logs are an Enterprise feature).
   */
  async lastOrganizationChange(orgId: number): Promise<AuditInfo | null> {
    let result: unknown;
    try {
      ({ result } = await call(() =>
        this.raw.request('GET', [
          'audit_logs',
          { filter: { source_type: 'organization', source_id: orgId }, sort: '-created_at', page: { size: BATCH } },
        ]),
      ));
    } catch (err) {
      if (err instanceof RemoteError && (err.status === 403 || err.status === 404)) return null;
      throw err;
    }
    const entries = list(result, 'audit_logs');
    const newestFirst = [...entries].sort((a, b) => createdAt(b).localeCompare(createdAt(a)));
    const hit = newestFirst.find((e) => auditTouchesSharing(e));
    return hit ? auditFromZendesk(hit) : null;
  }

  auditLogPages(filter: AuditLogFilter): AsyncIterable<AuditEntry[]> {
    // node-zendesk serializes arrays as "a,b"; Zendesk wants filter[created_at][] twice.
    const query: [string, string][] = [
      ['filter[source_type]', filter.sourceType],
      ['filter[created_at][]', filter.from],
      ['filter[created_at][]', filter.to],
      ['sort', 'created_at'],
    ];
    return mapPages(this.cursorPages(['audit_logs'], 'audit_logs', query), auditEntryFromZendesk);
  }

  // ---- writes ---------------------------------------------------------------------------

  async updateOrganizations(updates: OrgUpdate[]): Promise<BulkItemResult[]> {
    const out: BulkItemResult[] = [];
    for (const batch of chunks(updates, BATCH)) {
      const { result } = await call(() => this.client.organizations.updateMany({ organizations: batch.map(orgUpdateToZendesk) }));
      const job = await this.waitForJob(jobStatusFromZendesk(result));
      out.push(...bulkResultsFromJob(job, batch.map((u) => u.id)));
    }
    return out;
  }

  async updateUsers(updates: UserUpdate[]): Promise<BulkItemResult[]> {
    const out: BulkItemResult[] = [];
    for (const batch of chunks(updates, BATCH)) {
      const { result } = await call(() => this.client.users.put(['users', 'update_many'], { users: batch.map(userUpdateToZendesk) }));
      const job = await this.waitForJob(jobStatusFromZendesk(result));
      out.push(...bulkResultsFromJob(job, batch.map((u) => u.id)));
    }
    return out;
  }

  async updateUser(id: number, update: Omit<UserUpdate, 'id'>): Promise<ObservedUser> {
    const { result } = await call(() => this.client.users.put(['users', id], { user: userUpdateToZendesk({ id, ...update }) }));
    return userFromZendesk(result);
  }

  async updateTicket(id: number, update: TicketUpdate): Promise<ObservedTicket> {
    const { result } = await call(() => this.client.tickets.update(id, ticketUpdateToZendesk(update)));
    return ticketFromZendesk(result);
  }

  // ---- internals ------------------------------------------------------------------------

  /**
   * Polls job_statuses/{id} until completed/failed/killed, waiting initialMs, then twice
   * as long each time up to maxMs. A job may 404 for a moment right after it is queued.
   */
  private async waitForJob(initial: JobStatus): Promise<JobStatus> {
    let job = initial;
    let wait = this.jobPoll.initialMs;
    let notFound = 0;
    const deadline = performance.now() + this.jobPoll.timeoutMs;
    while (job.status === 'queued' || job.status === 'working') {
      if (performance.now() + wait > deadline) {
        throw new RemoteError('job_timeout', `job ${job.id} still ${job.status} after ${Math.round(this.jobPoll.timeoutMs / 1000)} s`, null, true);
      }
      await sleep(wait);
      wait = Math.min(this.jobPoll.maxMs, wait * 2);
      try {
        const { result } = await call(() => this.client.jobstatuses.show(job.id));
        job = jobStatusFromZendesk(result);
      } catch (err) {
        if (err instanceof RemoteError && err.status === 404 && ++notFound <= 5) continue;
        throw err;
      }
    }
    return job;
  }

  /**
   * Cursor pages of 100, one request per page, yielded as they arrive (memory holds one
   * page). Follows `meta.after_cursor` on our own path (a `links.next` on another host
   * would not match our endpoint), falls back to `links.next`, and to offset `next_page`
   * for endpoints that answer without `meta`. Stops on `has_more: false`.
   */
  private async *cursorPages(segments: (string | number)[], key: string, query?: [string, string][]): AsyncGenerator<unknown[]> {
    const pageUri = (after?: string): Uri => {
      if (!query) return [...segments, { page: after ? { size: BATCH, after } : { size: BATCH } }];
      const q = new URLSearchParams(query);
      q.set('page[size]', String(BATCH));
      if (after) q.set('page[after]', after);
      return [...segments, `?${q.toString()}`];
    };
    let uri: Uri = pageUri();
    const seen = new Set<string>();
    for (;;) {
      const requestUri = uri;
      const { result } = await call(() => this.raw.request('GET', Array.isArray(requestUri) ? [...requestUri] : requestUri));
      const body = (result && typeof result === 'object' ? result : {}) as Record<string, unknown>;
      yield list(body, key);
      const meta = body.meta as { has_more?: unknown; after_cursor?: unknown } | undefined;
      const links = body.links as { next?: unknown } | undefined;
      let next: Uri | null = null;
      if (meta && typeof meta === 'object') {
        if (meta.has_more !== true) return;
        if (typeof meta.after_cursor === 'string' && meta.after_cursor) {
          next = pageUri(meta.after_cursor);
        } else if (typeof links?.next === 'string' && links.next) next = links.next;
        else throw new RemoteError('unexpected_response', `${segments.join('/')}: has_more without a cursor`, null, false);
      } else if (typeof body.next_page === 'string' && body.next_page) {
        next = body.next_page;
      } else return;
      const marker = JSON.stringify(next);
      if (seen.has(marker)) throw new RemoteError('unexpected_response', `${segments.join('/')}: the same page was offered twice`, null, false);
      seen.add(marker);
      uri = next;
    }
  }
}

/** Runs a node-zendesk call; anything it throws that is not ours becomes a RemoteError. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof OrgshareError) throw err;
    const e = err as { message?: unknown; statusCode?: unknown };
    const status = typeof e?.statusCode === 'number' ? e.statusCode : null;
    throw new RemoteError('client_error', redact(`Zendesk client error: ${String(e?.message ?? err)}`), status, false);
  }
}

function list(result: unknown, key: string): unknown[] {
  if (result && typeof result === 'object' && !Array.isArray(result)) {
    const v = (result as Record<string, unknown>)[key];
    if (Array.isArray(v)) return v;
  }
  if (Array.isArray(result)) return result;
  throw new RemoteError('unexpected_response', `unexpected response from Zendesk: no "${key}" list`, null, false);
}

function createdAt(entry: unknown): string {
  const v = entry && typeof entry === 'object' ? (entry as Record<string, unknown>).created_at : undefined;
  return typeof v === 'string' ? v : '';
}

async function* mapPages<T>(pages: AsyncIterable<unknown[]>, map: (item: unknown) => T): AsyncGenerator<T[]> {
  for await (const page of pages) yield page.map(map);
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function unique(ids: number[]): number[] {
  return [...new Set(ids)];
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep input order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    // After a failure no new item starts: the caller gets the first error, not a flood.
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i] as T, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  });
  await Promise.all(workers);
  return out;
}
