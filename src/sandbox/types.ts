/**
 * Shapes of the sandbox: the seed format (what `--seed FILE` and `generateAccount` produce),
 * the records kept in the store (Zendesk's own snake_case field names, without `url`,
 * which depends on the host a request came in on), the request log and the fault API.
 */

// ---------------------------------------------------------------------------------------
// Seed data: Zendesk field names; everything optional except ids and the few fields that
// identify a record. Timestamps left out are taken from the sandbox's logical clock.
// ---------------------------------------------------------------------------------------

export interface SeedAccount {
  subdomain?: string;
  /** Credentials accepted by the sandbox (demo values, not secrets). */
  email?: string;
  api_token?: string;
  oauth_token?: string;
  /** Start of the logical clock (ISO 8601). Every write moves it forward by one second. */
  clock_start?: string;
}

export interface SeedOrganization {
  id: number;
  name: string;
  shared_tickets?: boolean;
  shared_comments?: boolean;
  external_id?: string | null;
  domain_names?: string[];
  details?: string | null;
  notes?: string | null;
  group_id?: number | null;
  tags?: string[];
  organization_fields?: Record<string, unknown>;
  created_at?: string;
  updated_at?: string;
}

export type SeedRole = 'end-user' | 'agent' | 'admin';
export type SeedTicketRestriction = 'organization' | 'groups' | 'assigned' | 'requested' | null;

export interface SeedUser {
  id: number;
  email: string | null;
  name?: string;
  role?: SeedRole;
  /** Default organization. A membership is created for it unless one is listed. */
  organization_id?: number | null;
  ticket_restriction?: SeedTicketRestriction;
  notes?: string | null;
  details?: string | null;
  suspended?: boolean;
  tags?: string[];
  created_at?: string;
  updated_at?: string;
}

export interface SeedMembership {
  id?: number;
  user_id: number;
  organization_id: number;
  default?: boolean | null;
}

export interface SeedComment {
  id: number;
  author_id: number;
  body: string;
  public?: boolean;
  created_at?: string;
}

export type SeedTicketStatus = 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';

export interface SeedTicket {
  id: number;
  subject?: string;
  status?: SeedTicketStatus;
  organization_id?: number | null;
  requester_id: number;
  submitter_id?: number;
  assignee_id?: number | null;
  collaborator_ids?: number[];
  tags?: string[];
  custom_fields?: { id: number; value: unknown }[];
  comments?: SeedComment[];
  created_at?: string;
  updated_at?: string;
}

export interface SeedTicketField {
  id: number;
  title: string;
  /** tagger (dropdown), checkbox, text, … */
  type: string;
  custom_field_options?: { id?: number; name: string; value: string }[];
  active?: boolean;
}

export interface SeedData {
  account?: SeedAccount;
  organizations: SeedOrganization[];
  users: SeedUser[];
  /** Extra memberships (users' default organizations get one automatically). */
  memberships?: SeedMembership[];
  tickets?: SeedTicket[];
  ticket_fields?: SeedTicketField[];
}

// ---------------------------------------------------------------------------------------
// Store records: what a Zendesk response carries, minus `url`.
// ---------------------------------------------------------------------------------------

export interface OrgRecord {
  id: number;
  name: string;
  shared_tickets: boolean;
  shared_comments: boolean;
  external_id: string | null;
  created_at: string;
  updated_at: string;
  domain_names: string[];
  details: string | null;
  notes: string | null;
  group_id: number | null;
  tags: string[];
  organization_fields: Record<string, unknown>;
}

export interface UserRecord {
  id: number;
  name: string;
  email: string | null;
  created_at: string;
  updated_at: string;
  time_zone: string;
  iana_time_zone: string;
  phone: string | null;
  shared_phone_number: boolean | null;
  photo: null;
  locale_id: number;
  locale: string;
  organization_id: number | null;
  role: SeedRole;
  verified: boolean;
  external_id: string | null;
  tags: string[];
  alias: string | null;
  active: boolean;
  shared: boolean;
  shared_agent: boolean;
  last_login_at: string | null;
  two_factor_auth_enabled: boolean | null;
  signature: string | null;
  details: string | null;
  notes: string | null;
  role_type: number | null;
  custom_role_id: number | null;
  moderator: boolean;
  ticket_restriction: SeedTicketRestriction;
  only_private_comments: boolean;
  restricted_agent: boolean;
  suspended: boolean;
  default_group_id: number | null;
  report_csv: boolean;
  user_fields: Record<string, unknown>;
}

export interface MembershipRecord {
  id: number;
  user_id: number;
  organization_id: number;
  default: boolean | null;
  created_at: string;
  updated_at: string;
}

export interface TicketRecord {
  id: number;
  external_id: string | null;
  via: { channel: string; source: { from: Record<string, unknown>; to: Record<string, unknown>; rel: string | null } };
  created_at: string;
  updated_at: string;
  generated_timestamp: number;
  type: string | null;
  subject: string;
  raw_subject: string;
  description: string;
  priority: string | null;
  status: SeedTicketStatus;
  recipient: string | null;
  requester_id: number;
  submitter_id: number;
  assignee_id: number | null;
  organization_id: number | null;
  group_id: number | null;
  collaborator_ids: number[];
  follower_ids: number[];
  email_cc_ids: number[];
  forum_topic_id: number | null;
  problem_id: number | null;
  has_incidents: boolean;
  is_public: boolean;
  due_at: string | null;
  tags: string[];
  custom_fields: { id: number; value: unknown }[];
  satisfaction_rating: null;
  sharing_agreement_ids: number[];
  custom_status_id: number | null;
  followup_ids: number[];
  ticket_form_id: number | null;
  brand_id: number | null;
  allow_channelback: boolean;
  allow_attachments: boolean;
  from_messaging_channel: boolean;
}

export interface CommentRecord {
  id: number;
  ticket_id: number;
  type: 'Comment';
  author_id: number;
  body: string;
  html_body: string;
  plain_body: string;
  public: boolean;
  attachments: unknown[];
  audit_id: number;
  via: { channel: string; source: { from: Record<string, unknown>; to: Record<string, unknown>; rel: string | null } };
  created_at: string;
  metadata: { system: Record<string, unknown>; custom: Record<string, unknown> };
}

export interface TicketFieldRecord {
  id: number;
  type: string;
  title: string;
  raw_title: string;
  description: string;
  raw_description: string;
  position: number;
  active: boolean;
  required: boolean;
  collapsed_for_agents: boolean;
  regexp_for_validation: string | null;
  title_in_portal: string;
  raw_title_in_portal: string;
  visible_in_portal: boolean;
  editable_in_portal: boolean;
  required_in_portal: boolean;
  tag: string | null;
  created_at: string;
  updated_at: string;
  removable: boolean;
  key: string | null;
  agent_description: string | null;
  custom_field_options?: { id: number; name: string; raw_name: string; value: string; default: boolean }[];
}

export type JobItemResult =
  | { id: number; action: string; status: string; success: true }
  | { id: number; action: string; success: false; error: string; details: string };

export interface JobRecord {
  id: string;
  job_type: string;
  status: 'queued' | 'working' | 'completed' | 'failed' | 'killed';
  total: number;
  progress: number | null;
  message: string | null;
  results: JobItemResult[] | null;
  /** Sandbox bookkeeping (not serialized). */
  polls: number;
  createdMs: number;
  kind: 'organizations' | 'users';
  actorId: number;
  items: Record<string, unknown>[];
  /** Item ids that fail by fault injection, decided when the job is created. */
  failIds: Map<number, { error: string; details: string }>;
}

export interface AuditLogRecord {
  id: number;
  action: 'update' | 'create' | 'destroy';
  action_label: string;
  actor_id: number;
  actor_name: string;
  change_description: string;
  created_at: string;
  ip_address: string;
  source_id: number;
  source_label: string;
  source_type: string;
}

// ---------------------------------------------------------------------------------------
// Request log and faults.
// ---------------------------------------------------------------------------------------

export interface RequestLogEntry {
  method: string;
  /** Full path as sent, including `/api/v2` and any `.json` suffix, without the query. */
  path: string;
  query: Record<string, string | string[]>;
  /** 0 when no response was sent (dropped connection, hang until the client gave up). */
  status: number;
  ms: number;
  /** Parsed JSON body of writes (non-GET/HEAD), when there was one. */
  body?: unknown;
  /** Wall-clock arrival time (ms since epoch). */
  at: number;
  /** The fault that answered this request, if any (e.g. "status:503", "drop", "rate_limit"). */
  fault?: string;
}

export interface FaultMatch {
  /** HTTP method, case-insensitive. */
  method?: string;
  /** Matched against the full path as sent (e.g. /api/v2/tickets/4821.json); a string matches as a substring. */
  path?: RegExp | string;
  /** true: only non-GET/HEAD requests; false: only GET/HEAD. */
  write?: boolean;
}

export type FaultAction =
  /** Answer with this status (and Zendesk-like body unless given); the request is not processed. */
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** 429 (or `status`) with `Retry-After: seconds`; not processed. */
  | { kind: 'retryAfter'; seconds: number; status?: number }
  /**
   * Destroy the socket mid-response. `applied: false` (default): the request is not
   * processed. `applied: true`: it is processed (the write happens) and the answer is lost.
   */
  | { kind: 'drop'; applied?: boolean }
  /** Never answer; the client's timeout ends it. */
  | { kind: 'hang' }
  /** Answer normally after `ms`. */
  | { kind: 'delay'; ms: number }
  /**
   * For bulk update requests (update_many): the listed item ids (all items when absent)
   * fail inside the job; the request itself succeeds.
   */
  | { kind: 'jobFail'; ids?: number[]; error?: string; details?: string };

/** A probabilistic fault: on each matching /api/v2 request, fires with `probability`. */
export interface FaultRule {
  probability: number;
  match?: FaultMatch;
  /** For `jobFail`, `probability` applies per bulk item instead of per request. */
  fault: FaultAction;
}

/** An exact fault: the matching requests number skip+1 … skip+times get `fault`. */
export interface ScriptedFault {
  match?: FaultMatch;
  /** Let this many matching requests through first ("fail the 3rd write": skip 2). */
  skip?: number;
  /** How many matching requests get the fault (default 1; Infinity allowed). */
  times?: number;
  fault: FaultAction;
}
