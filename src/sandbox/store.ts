/**
 * The sandbox's state: plain Maps keyed by id, holding Zendesk-shaped records. All writes
 * (through HTTP or through the helper methods tests use) go through the methods here, so
 * they behave the same: validation like Zendesk (422 RecordInvalid with details), the
 * logical clock moves `updated_at`, and organization/user updates leave an audit log entry.
 */
import { createHash } from 'node:crypto';
import { LogicalClock } from './clock.js';
import type {
  AuditLogRecord,
  CommentRecord,
  JobItemResult,
  JobRecord,
  MembershipRecord,
  OrgRecord,
  SeedData,
  SeedTicketRestriction,
  SeedTicketStatus,
  TicketFieldRecord,
  TicketRecord,
  UserRecord,
} from './types.js';

export const DEFAULT_CLOCK_START = '2024-06-03T09:00:00Z';

/** An error answered the way Zendesk answers it. */
export class ZendeskError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === 'object' && body && 'error' in body ? String((body as { error: unknown }).error) : `HTTP ${status}`);
  }
}

export type FieldErrors = Record<string, { description: string; error: string }[]>;

export const errors = {
  notFound: () => new ZendeskError(404, { error: 'RecordNotFound', description: 'Not found' }),
  invalid: (details: FieldErrors) =>
    new ZendeskError(422, { error: 'RecordInvalid', description: 'Record validation errors', details }),
  badRequest: (error: string, description: string) => new ZendeskError(400, { error, description }),
};

const TICKET_STATUSES: SeedTicketStatus[] = ['new', 'open', 'pending', 'hold', 'solved', 'closed'];
const RESTRICTIONS = ['organization', 'groups', 'assigned', 'requested'] as const;
const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const VIA_API = { channel: 'api', source: { from: {}, to: {}, rel: null } };

/** The address UI changes are recorded from (a documentation range, RFC 5737). */
export const UI_IP_ADDRESS = '198.51.100.23';

export interface ChangeOptions {
  /** The acting user; default: another agent than the API user. */
  actorId?: number;
  /** Through the API (default) or "in the UI" (the scripting hook). */
  via?: 'api' | 'ui';
}

/** A change made "in the Zendesk UI": an organization or user patch with its id. */
export type UiChange =
  | { organization: { id: number } & Record<string, unknown>; actor?: string }
  | { user: { id: number } & Record<string, unknown>; actor?: string };

export interface StoreAccount {
  subdomain: string;
  email: string;
  apiToken: string;
  oauthToken: string;
}

export interface JobOptions {
  /** Polls answered "working" before a job completes (0: completed when created). */
  pollsToComplete: number;
}

export class SandboxStore {
  readonly orgs = new Map<number, OrgRecord>();
  readonly users = new Map<number, UserRecord>();
  readonly memberships = new Map<number, MembershipRecord>();
  readonly tickets = new Map<number, TicketRecord>();
  /** Comments by ticket id, in creation order. */
  readonly comments = new Map<number, CommentRecord[]>();
  readonly fields = new Map<number, TicketFieldRecord>();
  readonly jobs = new Map<string, JobRecord>();
  readonly auditLogs = new Map<number, AuditLogRecord>();
  account: StoreAccount = { subdomain: 'acme', email: '', apiToken: '', oauthToken: '' };
  clock = new LogicalClock(DEFAULT_CLOCK_START);
  /** The API user (from account.email). */
  currentUserId = 0;
  jobOptions: JobOptions = { pollsToComplete: 1 };

  private seq = { comment: 0, audit: 0, auditLog: 0, membership: 0, job: 0, event: 0 };
  /** Bumped by load(): invalidates the caches below. */
  private version = 0;
  private sortCache = new Map<Map<number, { id: number }>, { version: number; size: number; list: { id: number }[] }>();
  private msCache: { version: number; size: number; byUser: Map<number, MembershipRecord[]>; byOrg: Map<number, MembershipRecord[]> } | null = null;

  constructor(seed?: SeedData) {
    if (seed) this.load(seed);
  }

  // -------------------------------------------------------------------------------------
  // Seeding
  // -------------------------------------------------------------------------------------

  /** Replaces all state with `seed`. Deterministic: same seed, same records and timestamps. */
  load(seed: SeedData): void {
    this.version++;
    for (const m of [this.orgs, this.users, this.memberships, this.tickets, this.comments, this.fields, this.jobs, this.auditLogs]) m.clear();
    const acc = seed.account ?? {};
    this.account = {
      subdomain: acc.subdomain ?? 'acme',
      email: acc.email ?? 'admin@acme.example',
      apiToken: acc.api_token ?? 'sandbox-token',
      oauthToken: acc.oauth_token ?? 'sandbox-oauth-token',
    };
    const clock = (this.clock = new LogicalClock(acc.clock_start ?? DEFAULT_CLOCK_START));
    const stamp = (given?: string) => {
      if (given) {
        clock.observe(given);
        return given;
      }
      return clock.next();
    };

    let position = 0;
    for (const f of [...(seed.ticket_fields ?? [])].sort((a, b) => a.id - b.id)) {
      const t = stamp();
      let optionId = f.id * 1000;
      this.fields.set(f.id, {
        id: f.id,
        type: f.type,
        title: f.title,
        raw_title: f.title,
        description: '',
        raw_description: '',
        position: ++position,
        active: f.active ?? true,
        required: false,
        collapsed_for_agents: false,
        regexp_for_validation: null,
        title_in_portal: f.title,
        raw_title_in_portal: f.title,
        visible_in_portal: false,
        editable_in_portal: false,
        required_in_portal: false,
        tag: f.type === 'checkbox' ? f.title.toLowerCase().replace(/[^a-z0-9]+/g, '_') : null,
        created_at: t,
        updated_at: t,
        removable: true,
        key: null,
        agent_description: null,
        ...(f.type === 'tagger' || f.type === 'multiselect'
          ? {
              custom_field_options: (f.custom_field_options ?? []).map((o) => ({
                id: o.id ?? ++optionId,
                name: o.name,
                raw_name: o.name,
                value: o.value,
                default: false,
              })),
            }
          : {}),
      });
    }

    for (const o of [...seed.organizations].sort((a, b) => a.id - b.id)) {
      const created = stamp(o.created_at);
      this.orgs.set(o.id, {
        id: o.id,
        name: o.name,
        shared_tickets: o.shared_tickets ?? false,
        shared_comments: o.shared_comments ?? false,
        external_id: o.external_id ?? null,
        created_at: created,
        updated_at: o.updated_at ? stamp(o.updated_at) : created,
        domain_names: [...(o.domain_names ?? [])],
        details: o.details ?? null,
        notes: o.notes ?? null,
        group_id: o.group_id ?? null,
        tags: [...(o.tags ?? [])],
        organization_fields: { ...(o.organization_fields ?? {}) },
      });
    }

    for (const u of [...seed.users].sort((a, b) => a.id - b.id)) {
      const created = stamp(u.created_at);
      const role = u.role ?? 'end-user';
      const restriction: SeedTicketRestriction =
        u.ticket_restriction === undefined ? (role === 'end-user' ? 'requested' : null) : u.ticket_restriction;
      this.users.set(u.id, {
        id: u.id,
        name: u.name ?? nameFromEmail(u.email, u.id),
        email: u.email,
        created_at: created,
        updated_at: u.updated_at ? stamp(u.updated_at) : created,
        time_zone: 'UTC',
        iana_time_zone: 'Etc/UTC',
        phone: null,
        shared_phone_number: null,
        photo: null,
        locale_id: 1,
        locale: 'en-US',
        organization_id: u.organization_id ?? null,
        role,
        verified: true,
        external_id: null,
        tags: [...(u.tags ?? [])],
        alias: null,
        active: true,
        shared: false,
        shared_agent: false,
        last_login_at: null,
        two_factor_auth_enabled: null,
        signature: null,
        details: u.details ?? null,
        notes: u.notes ?? null,
        role_type: role === 'admin' ? 4 : null,
        custom_role_id: null,
        moderator: role !== 'end-user',
        ticket_restriction: restrictionFor(role, restriction),
        only_private_comments: false,
        restricted_agent: role === 'end-user',
        suspended: u.suspended ?? false,
        default_group_id: null,
        report_csv: false,
        user_fields: {},
      });
    }
    const me = [...this.users.values()].find((u) => u.email?.toLowerCase() === this.account.email.toLowerCase());
    this.currentUserId = me?.id ?? 0;

    // Memberships: listed ones first, then one per user default organization not listed.
    const explicit = seed.memberships ?? [];
    this.seq.membership = explicit.reduce((max, m) => Math.max(max, m.id ?? 0), 0); // no spread: 100,000s of items
    const listed = new Set(explicit.map((m) => `${m.user_id}:${m.organization_id}`));
    const all = [
      ...explicit.map((m) => ({ ...m })),
      ...[...this.users.values()]
        .filter((u) => u.organization_id !== null && !listed.has(`${u.id}:${u.organization_id}`))
        .map((u) => ({ id: undefined as number | undefined, user_id: u.id, organization_id: u.organization_id!, default: true as boolean | null })),
    ];
    if (this.seq.membership === 0) this.seq.membership = 900000000;
    for (const m of all) {
      const t = stamp();
      const id = m.id ?? ++this.seq.membership;
      const user = this.users.get(m.user_id);
      this.memberships.set(id, {
        id,
        user_id: m.user_id,
        organization_id: m.organization_id,
        default: m.default ?? (user?.organization_id === m.organization_id ? true : false),
        created_at: t,
        updated_at: t,
      });
    }

    const tickets = [...(seed.tickets ?? [])].sort((a, b) => a.id - b.id);
    for (const s of tickets) {
      const created = stamp(s.created_at);
      const firstComment = [...(s.comments ?? [])].sort((a, b) => a.id - b.id)[0];
      const subject = s.subject ?? `Ticket ${s.id}`;
      this.tickets.set(s.id, {
        id: s.id,
        external_id: null,
        via: { channel: 'web', source: { from: {}, to: {}, rel: null } },
        created_at: created,
        updated_at: created,
        generated_timestamp: Math.floor(Date.parse(created) / 1000),
        type: null,
        subject,
        raw_subject: subject,
        description: firstComment?.body ?? '',
        priority: null,
        status: s.status ?? 'open',
        recipient: null,
        requester_id: s.requester_id,
        submitter_id: s.submitter_id ?? s.requester_id,
        assignee_id: s.assignee_id ?? null,
        organization_id: s.organization_id ?? this.users.get(s.requester_id)?.organization_id ?? null,
        group_id: null,
        collaborator_ids: [...(s.collaborator_ids ?? [])],
        follower_ids: [],
        email_cc_ids: [],
        forum_topic_id: null,
        problem_id: null,
        has_incidents: false,
        is_public: true,
        due_at: null,
        tags: [...(s.tags ?? [])],
        custom_fields: this.normalizeCustomFields(s.custom_fields ?? []),
        satisfaction_rating: null,
        sharing_agreement_ids: [],
        custom_status_id: null,
        followup_ids: [],
        ticket_form_id: null,
        brand_id: null,
        allow_channelback: false,
        allow_attachments: true,
        from_messaging_channel: false,
      });
      this.comments.set(s.id, []);
    }
    // Comments in global id order, so created_at strictly increases with the comment id.
    const allComments = tickets.flatMap((t) => (t.comments ?? []).map((c) => ({ ticketId: t.id, c })));
    allComments.sort((a, b) => a.c.id - b.c.id);
    for (const { ticketId, c } of allComments) {
      const t = stamp(c.created_at);
      const ticket = this.tickets.get(ticketId)!;
      this.comments.get(ticketId)!.push(makeComment(c.id, ticketId, c.author_id, c.body, c.public ?? true, t, ++this.seq.audit + 1_000_000_000, { channel: 'web', source: { from: {}, to: {}, rel: null } }));
      if (t > ticket.updated_at) ticket.updated_at = t;
    }
    for (const s of tickets) if (s.updated_at) this.tickets.get(s.id)!.updated_at = stamp(s.updated_at);
    this.seq.comment = allComments.reduce((max, x) => Math.max(max, x.c.id), 0);
  }

  /** Ticket custom_fields carry an entry for every active field, like Zendesk. */
  private normalizeCustomFields(given: { id: number; value: unknown }[]): { id: number; value: unknown }[] {
    const byId = new Map(given.map((f) => [f.id, f.value]));
    const out = [...this.fields.values()].map((f) => ({ id: f.id, value: byId.has(f.id) ? byId.get(f.id) : f.type === 'checkbox' ? false : null }));
    for (const [id, value] of byId) if (!this.fields.has(id)) out.push({ id, value });
    return out;
  }

  // -------------------------------------------------------------------------------------
  // Lookups
  // -------------------------------------------------------------------------------------

  org(id: number): OrgRecord {
    const o = this.orgs.get(id);
    if (!o) throw errors.notFound();
    return o;
  }
  user(id: number): UserRecord {
    const u = this.users.get(id);
    if (!u) throw errors.notFound();
    return u;
  }
  ticket(id: number): TicketRecord {
    const t = this.tickets.get(id);
    if (!t) throw errors.notFound();
    return t;
  }
  userByEmail(email: string): UserRecord | undefined {
    const e = email.toLowerCase();
    for (const u of this.users.values()) if (u.email?.toLowerCase() === e) return u;
    return undefined;
  }
  /** Some agent other than the API user: the actor of "someone else's" writes. */
  otherActorId(): number {
    for (const u of [...this.users.values()].sort((a, b) => a.id - b.id)) {
      if (u.role !== 'end-user' && u.id !== this.currentUserId) return u.id;
    }
    return this.currentUserId;
  }
  membershipsOfUser(userId: number): MembershipRecord[] {
    return [...(this.membershipIndex().byUser.get(userId) ?? [])];
  }
  membershipsOfOrg(orgId: number): MembershipRecord[] {
    return [...(this.membershipIndex().byOrg.get(orgId) ?? [])];
  }

  /** Records of a map sorted by id; cached until the map's size changes or a reload. */
  sorted<T extends { id: number }>(map: Map<number, T>): T[] {
    const hit = this.sortCache.get(map);
    if (hit && hit.version === this.version && hit.size === map.size) return hit.list as T[];
    const list = [...map.values()].sort((a, b) => a.id - b.id);
    this.sortCache.set(map, { version: this.version, size: map.size, list });
    return list;
  }

  /**
   * Memberships by user and by organization, sorted by id. Rebuilt when memberships are
   * added or removed (through the store or the Map); editing a record's user_id or
   * organization_id in place is not noticed.
   */
  private membershipIndex(): { byUser: Map<number, MembershipRecord[]>; byOrg: Map<number, MembershipRecord[]> } {
    const c = this.msCache;
    if (c && c.version === this.version && c.size === this.memberships.size) return c;
    const byUser = new Map<number, MembershipRecord[]>();
    const byOrg = new Map<number, MembershipRecord[]>();
    for (const m of this.sorted(this.memberships)) {
      (byUser.get(m.user_id) ?? byUser.set(m.user_id, []).get(m.user_id)!).push(m);
      (byOrg.get(m.organization_id) ?? byOrg.set(m.organization_id, []).get(m.organization_id)!).push(m);
    }
    this.msCache = { version: this.version, size: this.memberships.size, byUser, byOrg };
    return this.msCache;
  }
  usersOfOrg(orgId: number): UserRecord[] {
    const ids = new Set(this.membershipsOfOrg(orgId).map((m) => m.user_id));
    return [...ids].sort((a, b) => a - b).map((id) => this.users.get(id)!).filter(Boolean);
  }

  // -------------------------------------------------------------------------------------
  // Writes
  // -------------------------------------------------------------------------------------

  /**
   * Updates an organization like `PUT /organizations/{id}`: validates, moves updated_at
   * and records an audit log entry. Without `actorId` it is a change made by someone else
   * (another agent), which is what tests use to simulate concurrent edits. `via: 'ui'`
   * marks a change "made in the Zendesk UI" (see `uiChange`): its audit entry carries the
   * agent's browser address instead of the API caller's.
   */
  updateOrganization(id: number, patch: Record<string, unknown>, opts: ChangeOptions = {}): OrgRecord {
    const org = this.org(id);
    const next = applyOrgPatch(org, patch);
    const changes: string[] = [];
    for (const key of Object.keys(next) as (keyof OrgRecord)[]) {
      if (JSON.stringify(next[key]) !== JSON.stringify(org[key])) changes.push(describeChange(key, org[key], next[key]));
    }
    Object.assign(org, next, { updated_at: this.clock.next() });
    this.audit('organization', org.id, org.name, opts.actorId ?? this.otherActorId(), changes, org.updated_at, opts.via);
    return org;
  }

  /** Updates a user like `PUT /users/{id}` (see updateOrganization for `actorId`). */
  updateUser(id: number, patch: Record<string, unknown>, opts: ChangeOptions = {}): UserRecord {
    const user = this.user(id);
    const details: FieldErrors = {};
    const next: Partial<UserRecord> = {};
    for (const [key, value] of Object.entries(patch)) {
      switch (key) {
        case 'name':
          if (typeof value !== 'string' || !value.trim()) details.name = [{ description: 'Name: cannot be blank', error: 'BlankValue' }];
          else next.name = value;
          break;
        case 'notes':
        case 'details':
          if (value !== null && typeof value !== 'string') details[key] = [{ description: `${cap(key)}: is invalid`, error: 'InvalidValue' }];
          else next[key] = value;
          break;
        case 'suspended':
          if (typeof value !== 'boolean') details.suspended = [{ description: 'Suspended: is invalid', error: 'InvalidValue' }];
          else next.suspended = value;
          break;
        case 'tags':
          if (!Array.isArray(value) || value.some((t) => typeof t !== 'string')) details.tags = [{ description: 'Tags: is invalid', error: 'InvalidValue' }];
          else next.tags = value as string[];
          break;
        case 'ticket_restriction':
          if (value !== null && !(RESTRICTIONS as readonly unknown[]).includes(value)) {
            details.ticket_restriction = [{ description: 'Ticket restriction: is not included in the list', error: 'InvalidValue' }];
          } else next.ticket_restriction = restrictionFor(user.role, value as SeedTicketRestriction);
          break;
        case 'organization_id':
          if (value !== null && (typeof value !== 'number' || !this.orgs.has(value))) {
            details.organization_id = [{ description: 'Organization: is invalid', error: 'InvalidValue' }];
          } else next.organization_id = value as number | null;
          break;
        default:
          break; // Zendesk ignores attributes it does not know or that are read-only here
      }
    }
    if (Object.keys(details).length) throw errors.invalid(details);
    const changes: string[] = [];
    for (const key of Object.keys(next) as (keyof UserRecord)[]) {
      if (JSON.stringify(next[key]) !== JSON.stringify(user[key])) changes.push(describeChange(key, user[key], next[key]));
    }
    Object.assign(user, next, { updated_at: this.clock.next() });
    if (next.organization_id !== undefined && next.organization_id !== null) this.makeDefaultMembership(user.id, next.organization_id, user.updated_at);
    this.audit('user', user.id, user.name, opts.actorId ?? this.otherActorId(), changes, user.updated_at, opts.via);
    return user;
  }

  private makeDefaultMembership(userId: number, orgId: number, at: string): void {
    let found = false;
    for (const m of this.membershipsOfUser(userId)) {
      const isDefault = m.organization_id === orgId;
      found ||= isDefault;
      if (m.default !== isDefault) Object.assign(m, { default: isDefault, updated_at: at });
    }
    if (!found) {
      const id = ++this.seq.membership;
      this.memberships.set(id, { id, user_id: userId, organization_id: orgId, default: true, created_at: at, updated_at: at });
    }
  }

  /**
   * `PUT /tickets/{id}` with `{ticket: {custom_fields, comment, status, …}}`: returns the
   * ticket and the audit Zendesk answers with. The comment's author is `actorId`.
   */
  updateTicket(id: number, patch: Record<string, unknown>, opts: { actorId?: number } = {}): { ticket: TicketRecord; audit: Record<string, unknown> } {
    const ticket = this.ticket(id);
    const actorId = opts.actorId ?? this.otherActorId();
    if (ticket.status === 'closed') {
      throw errors.invalid({ status: [{ description: 'Status: closed prevents ticket update', error: 'ClosedTicket' }] });
    }
    if (patch.safe_update === true && typeof patch.updated_stamp === 'string' && patch.updated_stamp !== ticket.updated_at) {
      throw new ZendeskError(409, {
        error: 'UpdateConflict',
        description: 'Safe Update prevented the update due to outdated ticket data. Please fetch the latest ticket data and try again.',
      });
    }
    const details: FieldErrors = {};
    const events: Record<string, unknown>[] = [];
    let status: SeedTicketStatus | undefined;
    if (patch.status !== undefined) {
      if (!TICKET_STATUSES.includes(patch.status as SeedTicketStatus)) {
        details.status = [{ description: 'Status: is not included in the list', error: 'InvalidValue' }];
      } else status = patch.status as SeedTicketStatus;
    }
    const fieldUpdates = new Map<number, unknown>();
    if (patch.custom_fields !== undefined) {
      if (!Array.isArray(patch.custom_fields)) {
        details.custom_fields = [{ description: 'Custom fields: is invalid', error: 'InvalidValue' }];
      } else {
        for (const raw of patch.custom_fields as unknown[]) {
          const f = raw as { id?: unknown; value?: unknown };
          if (typeof f?.id !== 'number') continue;
          const field = this.fields.get(f.id);
          if (!field) continue; // Zendesk ignores unknown field ids
          const problem = checkFieldValue(field, f.value);
          if (problem) (details.base ??= []).push({ description: `${field.title}: ${problem}`, error: 'InvalidValue' });
          else fieldUpdates.set(f.id, field.type === 'checkbox' ? Boolean(f.value) : f.value);
        }
      }
    }
    let comment: { body: string; public: boolean } | undefined;
    if (patch.comment !== undefined) {
      const c = patch.comment as { body?: unknown; html_body?: unknown; public?: unknown };
      const body = typeof c?.body === 'string' ? c.body : typeof c?.html_body === 'string' ? c.html_body : '';
      if (!body.trim()) details.comment = [{ description: 'Comment: cannot be blank', error: 'BlankValue' }];
      else comment = { body, public: c.public === undefined ? true : Boolean(c.public) };
    }
    if (Object.keys(details).length) throw errors.invalid(details);

    const at = this.clock.next();
    const auditId = ++this.seq.audit + 1_000_000_000;
    if (comment) {
      const commentId = ++this.seq.comment;
      const record = makeComment(commentId, id, actorId, comment.body, comment.public, at, auditId, VIA_API);
      this.comments.get(id)?.push(record) ?? this.comments.set(id, [record]);
      events.push({ id: ++this.seq.event, type: 'Comment', author_id: actorId, body: record.body, html_body: record.html_body, plain_body: record.plain_body, public: record.public, attachments: [], audit_id: auditId });
    }
    for (const [fieldId, value] of fieldUpdates) {
      const entry = ticket.custom_fields.find((f) => f.id === fieldId);
      const previous = entry ? entry.value : null;
      if (JSON.stringify(previous) === JSON.stringify(value)) continue;
      if (entry) entry.value = value;
      else ticket.custom_fields.push({ id: fieldId, value });
      events.push({ id: ++this.seq.event, type: 'Change', value, field_name: String(fieldId), previous_value: previous });
    }
    if (status && status !== ticket.status) {
      events.push({ id: ++this.seq.event, type: 'Change', value: status, field_name: 'status', previous_value: ticket.status });
      ticket.status = status;
      if (status === 'solved' && ticket.assignee_id === null && this.users.get(actorId)?.role !== 'end-user') {
        events.push({ id: ++this.seq.event, type: 'Change', value: String(actorId), field_name: 'assignee_id', previous_value: null });
        ticket.assignee_id = actorId;
      }
    }
    ticket.updated_at = at;
    ticket.generated_timestamp = Math.floor(Date.parse(at) / 1000);
    const audit = { id: auditId, ticket_id: id, created_at: at, author_id: actorId, metadata: { system: {}, custom: {} }, events, via: VIA_API };
    return { ticket, audit };
  }

  // -------------------------------------------------------------------------------------
  // Background jobs (update_many)
  // -------------------------------------------------------------------------------------

  createJob(kind: JobRecord['kind'], items: Record<string, unknown>[], actorId: number, failIds: JobRecord['failIds'], nowMs: number): JobRecord {
    const n = ++this.seq.job;
    const job: JobRecord = {
      id: `V3-${createHash('md5').update(`orgshare-sandbox-job-${n}`).digest('hex')}`,
      job_type: kind === 'organizations' ? 'Bulk Update Organizations' : 'Bulk Update Users',
      status: 'queued',
      total: items.length,
      progress: null,
      message: null,
      results: null,
      polls: 0,
      createdMs: nowMs,
      kind,
      actorId,
      items,
      failIds,
    };
    this.jobs.set(job.id, job);
    if (this.jobOptions.pollsToComplete <= 0) this.completeJob(job);
    return job;
  }

  /** Queued or working jobs (the bulk-job limit counts these). */
  pendingJobs(): number {
    let n = 0;
    for (const j of this.jobs.values()) if (j.status === 'queued' || j.status === 'working') n++;
    return n;
  }

  /** One `GET /job_statuses/{id}`: the first `pollsToComplete` polls say working, then completed. */
  pollJob(id: string): JobRecord {
    const job = this.jobs.get(id);
    if (!job) throw errors.notFound();
    if (job.status === 'queued' || job.status === 'working') {
      job.polls++;
      if (job.polls > this.jobOptions.pollsToComplete) this.completeJob(job);
      else job.status = 'working';
    }
    return job;
  }

  /** Runs a job's items now (in order), recording per-item results. */
  completeJob(job: JobRecord): void {
    if (job.status === 'completed' || job.status === 'failed' || job.status === 'killed') return;
    const results: JobItemResult[] = [];
    for (const item of job.items) {
      const id = typeof item.id === 'number' ? item.id : Number(item.id);
      const injected = job.failIds.get(id);
      if (injected) {
        results.push({ id, action: 'update', success: false, error: injected.error, details: injected.details });
        continue;
      }
      const { id: _ignored, ...patch } = item;
      try {
        if (job.kind === 'organizations') this.updateOrganization(id, patch, { actorId: job.actorId });
        else this.updateUser(id, patch, { actorId: job.actorId });
        results.push({ id, action: 'update', status: 'Updated', success: true });
      } catch (err) {
        if (!(err instanceof ZendeskError)) throw err;
        const body = err.body as { error?: string; description?: string; details?: FieldErrors };
        const detail = body.details ? Object.values(body.details).flat().map((d) => d.description).join('; ') : (body.description ?? '');
        results.push({ id, action: 'update', success: false, error: body.error ?? 'Error', details: detail });
      }
    }
    job.status = 'completed';
    job.progress = job.total;
    job.results = results;
    job.message = `Completed at ${this.clock.now().replace('T', ' ').replace('Z', ' +0000')}`;
  }

  // -------------------------------------------------------------------------------------
  // Audit log
  // -------------------------------------------------------------------------------------

  /**
   * A change "made in the Zendesk UI" by an agent (the sandbox's scripting hook for
   * changes behind orgshare's back): the same validation and audit entry as an API
   * change, with the acting agent (by email; default: the first agent who is not the API
   * user) and a browser address. Returns the updated record.
   */
  uiChange(change: UiChange): OrgRecord | UserRecord {
    let actorId: number | undefined;
    if (change.actor !== undefined) {
      const actor = this.userByEmail(change.actor);
      if (!actor || actor.role === 'end-user') throw new Error(`ui change: no agent ${change.actor}`);
      actorId = actor.id;
    }
    const opts: ChangeOptions = { via: 'ui', ...(actorId !== undefined ? { actorId } : {}) };
    if ('organization' in change) {
      const { id, ...patch } = change.organization;
      return this.updateOrganization(id, patch, opts);
    }
    const { id, ...patch } = change.user;
    return this.updateUser(id, patch, opts);
  }

  private audit(sourceType: string, sourceId: number, label: string, actorId: number, changes: string[], at: string, via: 'api' | 'ui' = 'api'): void {
    const id = ++this.seq.auditLog;
    this.auditLogs.set(id, {
      id,
      action: 'update',
      action_label: 'Updated',
      actor_id: actorId,
      actor_name: this.users.get(actorId)?.name ?? 'Unknown',
      change_description: changes.length ? changes.join('\n') : 'No attribute changed',
      created_at: at,
      ip_address: via === 'ui' ? UI_IP_ADDRESS : '127.0.0.1',
      source_id: sourceId,
      source_label: label,
      source_type: sourceType,
    });
  }
}

/** Validates an organization patch and returns the updated fields (no side effects). */
function applyOrgPatch(org: OrgRecord, patch: Record<string, unknown>): Partial<OrgRecord> {
  const details: FieldErrors = {};
  const next: Partial<OrgRecord> = {};
  const bad = (key: string, description: string, error = 'InvalidValue') => (details[key] ??= []).push({ description, error });
  for (const [key, value] of Object.entries(patch)) {
    switch (key) {
      case 'name':
        if (typeof value !== 'string' || !value.trim()) bad('name', 'Name: cannot be blank', 'BlankValue');
        else next.name = value;
        break;
      case 'shared_tickets':
      case 'shared_comments':
        if (typeof value !== 'boolean') bad(key, `${cap(key)}: is invalid`);
        else next[key] = value;
        break;
      case 'details':
      case 'notes':
      case 'external_id':
        if (value !== null && typeof value !== 'string') bad(key, `${cap(key)}: is invalid`);
        else next[key] = value;
        break;
      case 'group_id':
        if (value !== null && typeof value !== 'number') bad(key, 'Group: is invalid');
        else next.group_id = value;
        break;
      case 'domain_names':
        if (!Array.isArray(value) || value.some((d) => typeof d !== 'string')) bad(key, 'Domain names: is invalid');
        else {
          const invalid = (value as string[]).filter((d) => !DOMAIN_RE.test(d));
          if (invalid.length) bad(key, `Domain names: ${invalid.join(', ')} is not a valid domain`);
          else next.domain_names = [...(value as string[])];
        }
        break;
      case 'tags':
        if (!Array.isArray(value) || value.some((t) => typeof t !== 'string')) bad(key, 'Tags: is invalid');
        else next.tags = [...(value as string[])];
        break;
      case 'organization_fields':
        if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(key, 'Organization fields: is invalid');
        else next.organization_fields = { ...org.organization_fields, ...(value as Record<string, unknown>) };
        break;
      default:
        break; // unknown and read-only attributes are ignored, as Zendesk does
    }
  }
  // Comments can only be shared when tickets are: turning tickets off turns comments off.
  const tickets = next.shared_tickets ?? org.shared_tickets;
  if (!tickets) {
    if (next.shared_comments === true) bad('shared_comments', 'Shared comments: requires shared tickets');
    else if (org.shared_comments) next.shared_comments = false;
  }
  if (Object.keys(details).length) throw errors.invalid(details);
  return next;
}

function checkFieldValue(field: TicketFieldRecord, value: unknown): string | null {
  if (value === null || value === '') return null;
  switch (field.type) {
    case 'tagger':
      if (typeof value !== 'string' || !field.custom_field_options?.some((o) => o.value === value)) return `${JSON.stringify(value)} is not a valid option value`;
      return null;
    case 'multiselect':
      if (!Array.isArray(value) || value.some((v) => !field.custom_field_options?.some((o) => o.value === v))) return 'is not a valid option list';
      return null;
    case 'checkbox':
      return typeof value === 'boolean' || value === 'true' || value === 'false' ? null : 'is not a boolean';
    default:
      return null;
  }
}

/** Zendesk turns agent-only restrictions on an end-user into "requested". */
function restrictionFor(role: string, value: SeedTicketRestriction): SeedTicketRestriction {
  if (role === 'end-user' && (value === 'groups' || value === 'assigned' || value === null)) return 'requested';
  return value;
}

function makeComment(
  id: number,
  ticketId: number,
  authorId: number,
  body: string,
  isPublic: boolean,
  at: string,
  auditId: number,
  via: CommentRecord['via'],
): CommentRecord {
  const escaped = body.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return {
    id,
    ticket_id: ticketId,
    type: 'Comment',
    author_id: authorId,
    body,
    html_body: `<div class="zd-comment" dir="auto">${escaped.split('\n').join('<br>')}</div>`,
    plain_body: body,
    public: isPublic,
    attachments: [],
    audit_id: auditId,
    via,
    created_at: at,
    metadata: { system: {}, custom: {} },
  };
}

function describeChange(key: string, from: unknown, to: unknown): string {
  const show = (v: unknown) => (v === null || v === undefined ? 'empty' : typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v));
  return `${cap(key)} changed from ${show(from)} to ${show(to)}`;
}

function cap(key: string): string {
  const s = key.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function nameFromEmail(email: string | null, id: number): string {
  if (!email) return `User ${id}`;
  const local = email.split('@')[0] ?? String(id);
  return local.charAt(0).toUpperCase() + local.slice(1);
}
