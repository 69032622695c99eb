/**
 * The /api/v2 endpoints, answering with Zendesk's shapes (see docs in src/sandbox/README.md
 * for the list). Handlers are synchronous functions of (context, path match); errors are
 * thrown as ZendeskError and rendered by the server.
 */
import { paginate } from './pagination.js';
import { errors, ZendeskError, type SandboxStore } from './store.js';
import type {
  AuditLogRecord,
  CommentRecord,
  FaultAction,
  JobRecord,
  MembershipRecord,
  OrgRecord,
  TicketFieldRecord,
  TicketRecord,
  UserRecord,
} from './types.js';

export const MAX_MANY = 100;

export interface RouteContext {
  store: SandboxStore;
  method: string;
  /** Full request URL (origin from the Host header, path as sent). */
  url: URL;
  /** http://host/api/v2 */
  base: string;
  body: unknown;
  /** The authenticated user. */
  actorId: number;
  /** Bulk job creation hooks (limits and fault injection live in the server). */
  createJob(kind: JobRecord['kind'], items: Record<string, unknown>[]): JobRecord;
  jobFail?: FaultAction & { kind: 'jobFail' };
}

export interface RouteResult {
  status?: number;
  body: unknown;
}

type Handler = (ctx: RouteContext, m: RegExpMatchArray) => RouteResult;

// ---------------------------------------------------------------------------------------
// Serializers: records + url, in Zendesk's key order.
// ---------------------------------------------------------------------------------------

export function orgOut(o: OrgRecord, base: string) {
  return { url: `${base}/organizations/${o.id}.json`, ...o };
}
export function userOut(u: UserRecord, base: string) {
  const { id, ...rest } = u;
  return { id, url: `${base}/users/${id}.json`, ...rest };
}
export function membershipOut(m: MembershipRecord, store: SandboxStore, base: string) {
  return {
    url: `${base}/organization_memberships/${m.id}.json`,
    id: m.id,
    user_id: m.user_id,
    organization_id: m.organization_id,
    default: m.default,
    created_at: m.created_at,
    organization_name: store.orgs.get(m.organization_id)?.name ?? '',
    updated_at: m.updated_at,
    view_tickets: store.users.get(m.user_id)?.ticket_restriction === 'organization',
  };
}
export function ticketOut(t: TicketRecord, base: string) {
  return {
    url: `${base}/tickets/${t.id}.json`,
    ...t,
    custom_fields: t.custom_fields.map((f) => ({ ...f })),
    fields: t.custom_fields.map((f) => ({ ...f })),
  };
}
export function commentOut(c: CommentRecord) {
  const { ticket_id: _t, ...rest } = c;
  return rest;
}
export function fieldOut(f: TicketFieldRecord, base: string) {
  return { url: `${base}/ticket_fields/${f.id}.json`, ...f };
}
export function jobOut(j: JobRecord, base: string) {
  return {
    id: j.id,
    url: `${base}/job_statuses/${j.id}.json`,
    job_type: j.job_type,
    total: j.total,
    progress: j.progress,
    status: j.status,
    message: j.message,
    results: j.results,
  };
}
export function auditLogOut(a: AuditLogRecord, base: string) {
  return { url: `${base}/audit_logs/${a.id}.json`, ...a };
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

const byId = <T extends { id: number }>(a: T, b: T) => a.id - b.id;

function idParam(m: RegExpMatchArray, i = 1): number {
  return Number(m[i]);
}

/**
 * Zendesk's audit-log time filter: `filter[created_at][]` given twice, start then end
 * (inclusive). One value alone is a 400, as is a value that is not a timestamp.
 */
function createdAtRange(q: URLSearchParams): [number | null, number | null] {
  const values = [...q.getAll('filter[created_at][]'), ...q.getAll('filter[created_at]').flatMap((v) => v.split(','))];
  if (values.length === 0) return [null, null];
  const stamps = values.map((v) => Date.parse(v));
  if (values.length !== 2 || stamps.some((t) => Number.isNaN(t))) {
    throw errors.badRequest('InvalidParameter', 'filter[created_at] takes two timestamps: the start and the end of the range');
  }
  return [stamps[0]!, stamps[1]!];
}

/** `ids=1,2,3` (≤ 100) in the order given, duplicates removed. */
function manyIds(ctx: RouteContext, name = 'ids'): number[] {
  const raw = ctx.url.searchParams.get(name);
  if (raw === null || raw.trim() === '') throw errors.badRequest('InvalidParameter', `${name} parameter is required`);
  const ids = [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))];
  if (ids.length > MAX_MANY) throw errors.badRequest('TooManyValues', `Too many values in ${name}: at most ${MAX_MANY} are allowed`);
  return ids.map(Number).filter((n) => Number.isInteger(n));
}

function requireObject(body: unknown, key: string): Record<string, unknown> {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    throw errors.badRequest('ParameterMissing', `param is missing or the value is empty: ${key}`);
  }
  return v as Record<string, unknown>;
}

function countOut(ctx: RouteContext, value: number) {
  return { body: { count: { value, refreshed_at: ctx.store.clock.now() } } };
}

function requireAdmin(ctx: RouteContext): void {
  if (ctx.store.users.get(ctx.actorId)?.role !== 'admin') {
    throw new ZendeskError(403, {
      error: 'Forbidden',
      description: 'You do not have access to this page. Please contact the account owner of this help desk for further help.',
    });
  }
}

/** Bulk updates: `{KEY: [{id, …}]}` or `?ids=1,2` with `{SINGULAR: {…}}`. */
function bulkItems(ctx: RouteContext, key: string, singular: string): Record<string, unknown>[] {
  const body = (ctx.body ?? {}) as Record<string, unknown>;
  let items: Record<string, unknown>[];
  if (Array.isArray(body[key])) {
    items = body[key] as Record<string, unknown>[];
  } else if (ctx.url.searchParams.has('ids')) {
    const patch = requireObject(body, singular);
    items = manyIds(ctx).map((id) => ({ ...patch, id }));
  } else {
    throw errors.badRequest('ParameterMissing', `param is missing or the value is empty: ${key}`);
  }
  if (items.length === 0) throw errors.badRequest('ParameterMissing', `param is missing or the value is empty: ${key}`);
  if (items.length > MAX_MANY) throw errors.badRequest('TooManyValues', `Too many ${key}: at most ${MAX_MANY} are allowed per request`);
  if (items.some((i) => !i || typeof i !== 'object' || i.id === undefined)) {
    throw errors.badRequest('InvalidParameter', `every item in ${key} needs an id`);
  }
  return items;
}

/** A tiny subset of Zendesk's search syntax: `type:X key:value …` and bare words. */
function parseQuery(query: string): { type?: string; terms: Map<string, string>; words: string[] } {
  const terms = new Map<string, string>();
  const words: string[] = [];
  let type: string | undefined;
  for (const m of query.matchAll(/(\w+):(?:"([^"]*)"|(\S+))|"([^"]*)"|(\S+)/g)) {
    if (m[1]) {
      const value = (m[2] ?? m[3] ?? '').toLowerCase();
      if (m[1] === 'type') type = value;
      else terms.set(m[1].toLowerCase(), value);
    } else words.push((m[4] ?? m[5] ?? '').toLowerCase());
  }
  return { ...(type ? { type } : {}), terms, words };
}

function searchUsers(store: SandboxStore, query: string): UserRecord[] {
  const { terms, words } = parseQuery(query);
  return [...store.users.values()].sort(byId).filter((u) => {
    const email = u.email?.toLowerCase() ?? '';
    if (terms.has('email') && email !== terms.get('email')) return false;
    if (terms.has('role') && u.role !== terms.get('role')) return false;
    if (terms.has('organization') || terms.has('organization_id')) {
      const org = Number(terms.get('organization') ?? terms.get('organization_id'));
      if (!store.membershipsOfUser(u.id).some((m) => m.organization_id === org) && u.organization_id !== org) return false;
    }
    return words.every((w) => email.includes(w) || u.name.toLowerCase().includes(w));
  });
}

function searchCount(store: SandboxStore, query: string): number {
  const { type, terms } = parseQuery(query);
  const org = terms.get('organization') ?? terms.get('organization_id');
  switch (type) {
    case 'user':
      return searchUsers(store, query).length;
    case 'organization':
      return [...store.orgs.values()].filter((o) => (terms.has('name') ? o.name.toLowerCase() === terms.get('name') : true)).length;
    case 'ticket':
    case undefined:
      return [...store.tickets.values()].filter(
        (t) => (org === undefined || t.organization_id === Number(org)) && (!terms.has('status') || t.status === terms.get('status')),
      ).length;
    default:
      return 0;
  }
}

// ---------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------

const routes: [string, RegExp, Handler][] = [
  // Organizations
  ['GET', /^\/organizations$/, (ctx) => ({
    body: paginate(ctx, 'organizations', ctx.store.sorted(ctx.store.orgs), (o) => o.id, (o) => orgOut(o, ctx.base)),
  })],
  ['GET', /^\/organizations\/show_many$/, (ctx) => {
    const found = manyIds(ctx).map((id) => ctx.store.orgs.get(id)).filter((o): o is OrgRecord => !!o);
    return { body: { organizations: found.map((o) => orgOut(o, ctx.base)), next_page: null, previous_page: null, count: found.length } };
  }],
  ['PUT', /^\/organizations\/update_many$/, (ctx) => ({
    body: { job_status: jobOut(ctx.createJob('organizations', bulkItems(ctx, 'organizations', 'organization')), ctx.base) },
  })],
  ['GET', /^\/organizations\/(\d+)$/, (ctx, m) => ({ body: { organization: orgOut(ctx.store.org(idParam(m)), ctx.base) } })],
  ['PUT', /^\/organizations\/(\d+)$/, (ctx, m) => {
    const patch = requireObject(ctx.body, 'organization');
    const org = ctx.store.updateOrganization(idParam(m), patch, { actorId: ctx.actorId });
    return { body: { organization: orgOut(org, ctx.base) } };
  }],
  ['GET', /^\/organizations\/(\d+)\/users$/, (ctx, m) => {
    const id = idParam(m);
    ctx.store.org(id);
    return { body: paginate(ctx, 'users', ctx.store.usersOfOrg(id), (u) => u.id, (u) => userOut(u, ctx.base)) };
  }],
  ['GET', /^\/organizations\/(\d+)\/organization_memberships$/, (ctx, m) => {
    const id = idParam(m);
    ctx.store.org(id);
    return {
      body: paginate(ctx, 'organization_memberships', ctx.store.membershipsOfOrg(id), (x) => x.id, (x) => membershipOut(x, ctx.store, ctx.base)),
    };
  }],
  ['GET', /^\/organizations\/(\d+)\/tickets$/, (ctx, m) => {
    const id = idParam(m);
    ctx.store.org(id);
    const list = [...ctx.store.tickets.values()].filter((t) => t.organization_id === id).sort(byId);
    return { body: paginate(ctx, 'tickets', list, (t) => t.id, (t) => ticketOut(t, ctx.base)) };
  }],
  ['GET', /^\/organizations\/(\d+)\/tickets\/count$/, (ctx, m) => {
    const id = idParam(m);
    ctx.store.org(id);
    return countOut(ctx, [...ctx.store.tickets.values()].filter((t) => t.organization_id === id).length);
  }],

  // Users
  ['GET', /^\/users$/, (ctx) => ({
    body: paginate(ctx, 'users', ctx.store.sorted(ctx.store.users), (u) => u.id, (u) => userOut(u, ctx.base)),
  })],
  ['GET', /^\/users\/me$/, (ctx) => ({ body: { user: userOut(ctx.store.user(ctx.actorId), ctx.base) } })],
  ['GET', /^\/users\/show_many$/, (ctx) => {
    const found = manyIds(ctx).map((id) => ctx.store.users.get(id)).filter((u): u is UserRecord => !!u);
    return { body: { users: found.map((u) => userOut(u, ctx.base)), next_page: null, previous_page: null, count: found.length } };
  }],
  ['GET', /^\/users\/search$/, (ctx) => {
    const q = ctx.url.searchParams;
    const query = q.get('query') ?? '';
    const externalId = q.get('external_id');
    if (!query && externalId === null) throw errors.badRequest('InvalidParameter', 'query or external_id is required');
    const list = externalId !== null ? [...ctx.store.users.values()].filter((u) => u.external_id === externalId) : searchUsers(ctx.store, query);
    return { body: paginate(ctx, 'users', list, (u) => u.id, (u) => userOut(u, ctx.base), { mode: 'offset' }) };
  }],
  ['PUT', /^\/users\/update_many$/, (ctx) => ({
    body: { job_status: jobOut(ctx.createJob('users', bulkItems(ctx, 'users', 'user')), ctx.base) },
  })],
  ['GET', /^\/users\/(\d+)$/, (ctx, m) => ({ body: { user: userOut(ctx.store.user(idParam(m)), ctx.base) } })],
  ['PUT', /^\/users\/(\d+)$/, (ctx, m) => {
    const patch = requireObject(ctx.body, 'user');
    return { body: { user: userOut(ctx.store.updateUser(idParam(m), patch, { actorId: ctx.actorId }), ctx.base) } };
  }],
  ['GET', /^\/users\/(\d+)\/organization_memberships$/, (ctx, m) => {
    const id = idParam(m);
    ctx.store.user(id);
    return {
      body: paginate(ctx, 'organization_memberships', ctx.store.membershipsOfUser(id), (x) => x.id, (x) => membershipOut(x, ctx.store, ctx.base)),
    };
  }],
  ['GET', /^\/organization_memberships$/, (ctx) => ({
    body: paginate(ctx, 'organization_memberships', ctx.store.sorted(ctx.store.memberships), (x) => x.id, (x) =>
      membershipOut(x, ctx.store, ctx.base)),
  })],

  // Tickets
  ['GET', /^\/tickets$/, (ctx) => ({
    body: paginate(ctx, 'tickets', ctx.store.sorted(ctx.store.tickets), (t) => t.id, (t) => ticketOut(t, ctx.base)),
  })],
  ['GET', /^\/tickets\/count$/, (ctx) => countOut(ctx, ctx.store.tickets.size)],
  ['GET', /^\/tickets\/show_many$/, (ctx) => {
    const found = manyIds(ctx).map((id) => ctx.store.tickets.get(id)).filter((t): t is TicketRecord => !!t);
    return { body: { tickets: found.map((t) => ticketOut(t, ctx.base)), next_page: null, previous_page: null, count: found.length } };
  }],
  ['GET', /^\/tickets\/(\d+)$/, (ctx, m) => ({ body: { ticket: ticketOut(ctx.store.ticket(idParam(m)), ctx.base) } })],
  ['PUT', /^\/tickets\/(\d+)$/, (ctx, m) => {
    const patch = requireObject(ctx.body, 'ticket');
    const { ticket, audit } = ctx.store.updateTicket(idParam(m), patch, { actorId: ctx.actorId });
    return { body: { ticket: ticketOut(ticket, ctx.base), audit } };
  }],
  ['GET', /^\/tickets\/(\d+)\/comments$/, (ctx, m) => {
    const id = idParam(m);
    ctx.store.ticket(id);
    let list = [...(ctx.store.comments.get(id) ?? [])];
    const desc = ctx.url.searchParams.get('sort_order') === 'desc' || ctx.url.searchParams.get('sort') === '-created_at';
    if (desc) list = list.reverse();
    return { body: paginate(ctx, 'comments', list, (c) => c.id, commentOut, { order: desc ? 'desc' : 'asc' }) };
  }],

  // Ticket fields
  ['GET', /^\/ticket_fields$/, (ctx) => ({
    body: paginate(ctx, 'ticket_fields', [...ctx.store.fields.values()].sort((a, b) => a.position - b.position), (f) => f.id, (f) =>
      fieldOut(f, ctx.base)),
  })],
  ['GET', /^\/ticket_fields\/(\d+)$/, (ctx, m) => {
    const f = ctx.store.fields.get(idParam(m));
    if (!f) throw errors.notFound();
    return { body: { ticket_field: fieldOut(f, ctx.base) } };
  }],

  // Job statuses
  ['GET', /^\/job_statuses$/, (ctx) => ({
    body: { job_statuses: [...ctx.store.jobs.values()].slice(-100).reverse().map((j) => jobOut(j, ctx.base)), next_page: null, previous_page: null, count: Math.min(100, ctx.store.jobs.size) },
  })],
  ['GET', /^\/job_statuses\/show_many$/, (ctx) => {
    const ids = (ctx.url.searchParams.get('ids') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (ids.length > MAX_MANY) throw errors.badRequest('TooManyValues', `Too many values in ids: at most ${MAX_MANY} are allowed`);
    const found = ids.filter((id) => ctx.store.jobs.has(id)).map((id) => ctx.store.pollJob(id));
    return { body: { job_statuses: found.map((j) => jobOut(j, ctx.base)) } };
  }],
  ['GET', /^\/job_statuses\/([\w-]+)$/, (ctx, m) => ({ body: { job_status: jobOut(ctx.store.pollJob(m[1]!), ctx.base) } })],

  // Audit logs (admins only), newest first by default
  ['GET', /^\/audit_logs$/, (ctx) => {
    requireAdmin(ctx);
    const q = ctx.url.searchParams;
    const type = q.get('filter[source_type]');
    const source = q.get('filter[source_id]');
    const actor = q.get('filter[actor_id]');
    const action = q.get('filter[action]');
    const ip = q.get('filter[ip_address]');
    const [from, to] = createdAtRange(q);
    let list = [...ctx.store.auditLogs.values()].filter(
      (a) =>
        (type === null || a.source_type === type) &&
        (source === null || a.source_id === Number(source)) &&
        (actor === null || a.actor_id === Number(actor)) &&
        (action === null || a.action === action) &&
        (ip === null || a.ip_address === ip) &&
        (from === null || Date.parse(a.created_at) >= from) &&
        (to === null || Date.parse(a.created_at) <= to),
    );
    const asc = q.get('sort') === 'created_at' || q.get('sort_order') === 'asc';
    list = list.sort(asc ? byId : (a, b) => b.id - a.id);
    return { body: paginate(ctx, 'audit_logs', list, (a) => a.id, (a) => auditLogOut(a, ctx.base), { order: asc ? 'asc' : 'desc' }) };
  }],

  // Search count (a small subset of the query language)
  ['GET', /^\/search\/count$/, (ctx) => {
    const query = ctx.url.searchParams.get('query');
    if (!query) throw errors.badRequest('InvalidParameter', 'query is required');
    return { body: { count: searchCount(ctx.store, query) } };
  }],
];

/** Dispatches `sub` (the path under /api/v2 without `.json`). Unknown routes answer 404. */
export function dispatch(ctx: RouteContext, sub: string): RouteResult {
  let pathMatched = false;
  for (const [method, re, handler] of routes) {
    const m = sub.match(re);
    if (!m) continue;
    pathMatched = true;
    if (method === ctx.method || (method === 'GET' && ctx.method === 'HEAD')) return handler(ctx, m);
  }
  if (pathMatched) throw new ZendeskError(405, { error: 'MethodNotAllowed', description: `${ctx.method} is not allowed here` });
  throw new ZendeskError(404, { error: 'InvalidEndpoint', description: 'Not found' });
}
