/**
 * Zendesk JSON ↔ model, pure. Zendesk's snake_case names live only here (and in the
 * request paths of adapter.ts). Readers are strict about what the model relies on (ids,
 * flags, enums) and throw `RemoteError('unexpected_response')` rather than guess; fields
 * the model treats as optional text are read leniently (absent → null).
 */
import { RemoteError, redact } from '../errors.js';
import type {
  ObservedComment,
  ObservedMembership,
  ObservedOrg,
  ObservedTicket,
  ObservedUser,
  TicketField,
  TicketRestriction,
  TicketStatus,
  UserRole,
} from '../model/observed.js';
import type { AuditEntry } from '../model/audit.js';
import type { AuditInfo } from '../model/reports.js';
import type { BulkItemResult, OrgUpdate, TicketUpdate, UserUpdate } from './types.js';

type Json = Record<string, unknown>;

/**
 * A response of the wrong shape. The offending value is shown only as a short, redacted
 * excerpt: a proxy that echoes request headers must not put the token into the error.
 */
function bad(what: string, detail: string): RemoteError {
  const message = redact(`unexpected ${what} from Zendesk: ${detail}`);
  return new RemoteError('unexpected_response', message.length > 200 ? `${message.slice(0, 199)}…` : message, null, false);
}

function obj(value: unknown, what: string): Json {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw bad(what, 'not an object');
  return value as Json;
}

function id(value: unknown, what: string, field = 'id'): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  // Large ids are sometimes serialized as strings by proxies; accept canonical digits only.
  if (typeof value === 'string' && /^[1-9]\d{0,15}$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
  throw bad(what, `${field} is ${JSON.stringify(value)}`);
}

function optId(value: unknown, what: string, field: string): number | null {
  return value === null || value === undefined ? null : id(value, what, field);
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function bool(value: unknown, what: string, field: string): boolean {
  if (typeof value === 'boolean') return value;
  throw bad(what, `${field} is ${JSON.stringify(value)}`);
}

function stamp(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function orgFromZendesk(json: unknown): ObservedOrg {
  const o = obj(json, 'organization');
  const what = `organization ${String(o.id)}`;
  return {
    id: id(o.id, 'organization'),
    name: typeof o.name === 'string' ? o.name : '',
    sharedTickets: bool(o.shared_tickets, what, 'shared_tickets'),
    // Older responses omit shared_comments when shared_tickets is off.
    sharedComments: o.shared_comments === undefined || o.shared_comments === null ? false : bool(o.shared_comments, what, 'shared_comments'),
    details: text(o.details),
    notes: text(o.notes),
    domainNames: Array.isArray(o.domain_names) ? o.domain_names.filter((d): d is string => typeof d === 'string') : [],
    updatedAt: stamp(o.updated_at),
  };
}

const ROLES: readonly UserRole[] = ['end-user', 'agent', 'admin'];
const RESTRICTIONS: readonly Exclude<TicketRestriction, null>[] = ['organization', 'groups', 'assigned', 'requested'];

export function userFromZendesk(json: unknown): ObservedUser {
  const u = obj(json, 'user');
  const what = `user ${String(u.id)}`;
  if (!ROLES.includes(u.role as UserRole)) throw bad(what, `role is ${JSON.stringify(u.role)}`);
  const restriction = u.ticket_restriction ?? null;
  if (restriction !== null && !RESTRICTIONS.includes(restriction as Exclude<TicketRestriction, null>)) {
    throw bad(what, `ticket_restriction is ${JSON.stringify(restriction)}`);
  }
  return {
    id: id(u.id, 'user'),
    email: text(u.email),
    name: typeof u.name === 'string' ? u.name : '',
    role: u.role as UserRole,
    organizationId: optId(u.organization_id, what, 'organization_id'),
    ticketRestriction: restriction as TicketRestriction,
    notes: text(u.notes),
    details: text(u.details),
    suspended: u.suspended === true,
    updatedAt: stamp(u.updated_at),
  };
}

export function membershipFromZendesk(json: unknown): ObservedMembership {
  const m = obj(json, 'organization membership');
  const what = `organization membership ${String(m.id)}`;
  return {
    id: id(m.id, 'organization membership'),
    userId: id(m.user_id, what, 'user_id'),
    organizationId: id(m.organization_id, what, 'organization_id'),
    default: typeof m.default === 'boolean' ? m.default : null,
  };
}

const STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending', 'hold', 'solved', 'closed'];

export function ticketFromZendesk(json: unknown): ObservedTicket {
  const t = obj(json, 'ticket');
  const what = `ticket ${String(t.id)}`;
  if (!STATUSES.includes(t.status as TicketStatus)) throw bad(what, `status is ${JSON.stringify(t.status)}`);
  const fields = Array.isArray(t.custom_fields) ? t.custom_fields : [];
  return {
    id: id(t.id, 'ticket'),
    organizationId: optId(t.organization_id, what, 'organization_id'),
    requesterId: id(t.requester_id, what, 'requester_id'),
    status: t.status as TicketStatus,
    updatedAt: stamp(t.updated_at),
    customFields: fields.map((f) => {
      const field = obj(f, `${what} custom field`);
      return { id: id(field.id, `${what} custom field`), value: field.value ?? null };
    }),
  };
}

export function commentFromZendesk(json: unknown): ObservedComment {
  const c = obj(json, 'comment');
  const what = `comment ${String(c.id)}`;
  // `body` is the plain text form; `plain_body` is what the API offers when body is absent.
  const body = typeof c.body === 'string' ? c.body : typeof c.plain_body === 'string' ? c.plain_body : '';
  return {
    id: id(c.id, 'comment'),
    authorId: id(c.author_id, what, 'author_id'),
    body,
    public: bool(c.public, what, 'public'),
    createdAt: stamp(c.created_at),
  };
}

export function ticketFieldFromZendesk(json: unknown): TicketField {
  const f = obj(json, 'ticket field');
  const options = Array.isArray(f.custom_field_options) ? f.custom_field_options : [];
  return {
    id: id(f.id, 'ticket field'),
    title: typeof f.title === 'string' ? f.title : '',
    type: typeof f.type === 'string' ? f.type : '',
    options: options
      .map((o) => obj(o, `ticket field ${String(f.id)} option`))
      .filter((o) => typeof o.name === 'string' && typeof o.value === 'string')
      .map((o) => ({ name: o.name as string, value: o.value as string })),
  };
}

/** An audit log entry (GET /audit_logs) → who and when. */
export function auditFromZendesk(json: unknown): AuditInfo {
  const a = obj(json, 'audit log');
  return {
    actorId: typeof a.actor_id === 'number' ? a.actor_id : null,
    actorName: text(a.actor_name),
    at: stamp(a.created_at),
  };
}

/** An audit log entry (GET /audit_logs) with what orgshare needs to place it in a timeline. */
export function auditEntryFromZendesk(json: unknown): AuditEntry {
  const a = obj(json, 'audit log');
  return {
    id: id(a.id, 'audit log'),
    action: text(a.action) ?? '',
    actorId: typeof a.actor_id === 'number' ? a.actor_id : null,
    actorName: text(a.actor_name),
    description: text(a.change_description) ?? '',
    at: stamp(a.created_at),
    sourceType: text(a.source_type) ?? '',
    sourceId: id(a.source_id, 'audit log', 'source_id'),
    sourceLabel: text(a.source_label),
    ipAddress: text(a.ip_address),
  };
}

/** True when an audit log entry records a change to an organization's sharing flags. */
export function auditTouchesSharing(json: unknown): boolean {
  const a = obj(json, 'audit log');
  const description = typeof a.change_description === 'string' ? a.change_description : '';
  return /\bshared[ _](tickets|comments)\b|shared organi[sz]ation|can view all org/i.test(description);
}

// ---- model → request bodies ------------------------------------------------------------

export function orgUpdateToZendesk(u: OrgUpdate): Json {
  const body: Json = { id: u.id };
  if (u.sharedTickets !== undefined) body.shared_tickets = u.sharedTickets;
  if (u.sharedComments !== undefined) body.shared_comments = u.sharedComments;
  if (u.details !== undefined) body.details = u.details;
  // Zendesk replaces domain_names as a whole: the caller passes the full list.
  if (u.domainNames !== undefined) body.domain_names = [...u.domainNames];
  return body;
}

export function userUpdateToZendesk(u: UserUpdate): Json {
  const body: Json = { id: u.id };
  if (u.ticketRestriction !== undefined) body.ticket_restriction = u.ticketRestriction;
  if (u.notes !== undefined) body.notes = u.notes;
  return body;
}

/** The body of PUT /tickets/{id}: `{ticket: {custom_fields, comment, status}}`. */
export function ticketUpdateToZendesk(u: TicketUpdate): { ticket: Json } {
  const ticket: Json = {};
  if (u.customFields !== undefined) ticket.custom_fields = u.customFields.map((f) => ({ id: f.id, value: f.value }));
  if (u.comment !== undefined) ticket.comment = { body: u.comment.body, public: u.comment.public };
  if (u.status !== undefined) ticket.status = u.status;
  return { ticket };
}

// ---- bulk jobs ------------------------------------------------------------------------

export type JobState = 'queued' | 'working' | 'completed' | 'failed' | 'killed';

export interface JobStatus {
  id: string;
  status: JobState;
  message: string | null;
  results: unknown[];
}

/** `{job_status: {...}}` (or the inner object) → JobStatus. */
export function jobStatusFromZendesk(json: unknown): JobStatus {
  const outer = obj(json, 'job status');
  const j = obj(outer.job_status ?? outer, 'job status');
  const jobId = typeof j.id === 'string' || typeof j.id === 'number' ? String(j.id) : '';
  if (!jobId) throw bad('job status', 'no id');
  const states: JobState[] = ['queued', 'working', 'completed', 'failed', 'killed'];
  if (!states.includes(j.status as JobState)) throw bad(`job status ${jobId}`, `status is ${JSON.stringify(j.status)}`);
  return {
    id: jobId,
    status: j.status as JobState,
    message: text(j.message),
    results: Array.isArray(j.results) ? j.results : [],
  };
}

/**
 * Per-item outcome of a finished job, in the order of `ids` (the items sent). Results
 * are matched by `id`, else by `index` (Zendesk reports both shapes). An item the job
 * does not report is a failure: the caller re-reads before trusting it.
 */
export function bulkResultsFromJob(job: JobStatus, ids: number[]): BulkItemResult[] {
  const byId = new Map<number, Json>();
  const byIndex = new Map<number, Json>();
  for (const r of job.results) {
    if (!r || typeof r !== 'object') continue;
    const item = r as Json;
    if (typeof item.id === 'number') byId.set(item.id, item);
    else if (typeof item.index === 'number') byIndex.set(item.index, item);
  }
  return ids.map((itemId, index) => {
    const item = byId.get(itemId) ?? byIndex.get(index);
    if (!item) {
      const why = job.status === 'completed' ? 'not reported by the job' : `job ${job.status}${job.message ? `: ${job.message}` : ''}`;
      return { id: itemId, success: false, error: why };
    }
    const failed = item.success === false || (typeof item.error === 'string' && item.error !== '') || /fail|error/i.test(String(item.status ?? ''));
    if (!failed) return { id: itemId, success: true };
    const details = item.details === undefined || item.details === null ? '' : typeof item.details === 'string' ? item.details : JSON.stringify(item.details);
    const error = [typeof item.error === 'string' ? item.error : 'failed', details].filter(Boolean).join(': ');
    return { id: itemId, success: false, error };
  });
}

/** Zendesk's count endpoints answer `{count: {value, refreshed_at}}` (older: `{count: n}`). */
export function countFromZendesk(json: unknown): number {
  const o = obj(json, 'count');
  const c = o.count;
  if (typeof c === 'number') return c;
  if (c && typeof c === 'object' && typeof (c as Json).value === 'number') return (c as Json).value as number;
  throw bad('count', JSON.stringify(c));
}
