/**
 * The remote adapter's surface: typed reads and writes over Zendesk. Implemented by
 * `ZendeskAdapter` (src/remote/adapter.ts) around node-zendesk with our own transport
 * (src/remote/transport.ts: rate budget, retries, read-only guard, redaction).
 * Everything returned is already mapped to the model (src/remote/mapping.ts).
 */
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

export interface AuditLogFilter {
  sourceType: 'organization' | 'user';
  /** ISO timestamps, inclusive. */
  from: string;
  to: string;
}

export interface RemoteOptions {
  /** e.g. https://acme.zendesk.com/api/v2 or http://127.0.0.1:4010/api/v2 */
  baseUrl: string;
  subdomain: string | null;
  auth: { kind: 'token'; email: string; token: string } | { kind: 'oauth'; token: string };
  /** When true, any non-GET request fails in the transport before a byte is sent. */
  readOnly: boolean;
  /** Client-side request budget, requests per minute (default 400). */
  rpm?: number;
  /** Per-request timeout in ms (default 30 000). */
  timeoutMs?: number;
  /** Max retries for retryable failures (default 5). */
  maxRetries?: number;
  /** Called for each response (for progress and request counting). */
  onRequest?: (event: RequestEvent) => void;
  /** First retry backoff step in ms; doubles per retry, half jittered (default 250). */
  retryBaseMs?: number;
  /** Batched reads (show_many) in flight at once (default 4); the rpm budget still applies. */
  concurrency?: number;
  /** Bulk job polling: first wait, longest wait, give-up time (default 100 ms, 2 s, 10 min). */
  jobPoll?: { initialMs?: number; maxMs?: number; timeoutMs?: number };
  /** Time for pacing and retry waits (default the system clock; tests inject a virtual one). */
  clock?: { now(): number; sleep(ms: number): Promise<void> };
}

export interface RequestEvent {
  method: string;
  /** Path under the API base, without query, e.g. "/organizations/show_many.json". */
  path: string;
  status: number | null;
  ms: number;
  attempt: number;
}

export interface OrgUpdate {
  id: number;
  sharedTickets?: boolean;
  sharedComments?: boolean;
  details?: string;
  domainNames?: string[];
}

export interface UserUpdate {
  id: number;
  ticketRestriction?: 'organization' | 'requested';
  notes?: string;
}

export interface TicketUpdate {
  customFields?: { id: number; value: unknown }[];
  comment?: { body: string; public: boolean };
  status?: 'solved';
}

/** Per-item outcome of a bulk job (update_many + job_statuses polling). */
export interface BulkItemResult {
  id: number;
  success: boolean;
  error?: string;
}

export interface Adapter {
  /** API base URL and account subdomain this adapter talks to (for reports). */
  readonly baseUrl?: string;
  readonly subdomain?: string | null;

  /** GET /users/me: the authenticated user (author of confirmation comments). */
  me(): Promise<ObservedUser>;

  /** Whole-account scan, cursor pages of 100; yields each page as it arrives. */
  organizationPages(): AsyncIterable<ObservedOrg[]>;
  /** show_many in batches of 100; ids not found are absent from the result. */
  showOrganizations(ids: number[]): Promise<ObservedOrg[]>;

  /** Whole-account user scan, cursor pages of 100. */
  userPages(): AsyncIterable<ObservedUser[]>;
  showUsers(ids: number[]): Promise<ObservedUser[]>;
  /** Members of one organization (cursor pages of 100). */
  organizationUsers(orgId: number): Promise<ObservedUser[]>;
  /** Users by email (search); one request per email: use only where no bulk path exists. */
  findUserByEmail(email: string): Promise<ObservedUser | null>;
  /** Whole-account membership scan, cursor pages of 100. */
  membershipPages(): AsyncIterable<ObservedMembership[]>;
  organizationMemberships(orgId: number): Promise<ObservedMembership[]>;
  userMemberships(userId: number): Promise<ObservedMembership[]>;

  /** tickets/show_many in batches of 100. */
  showTickets(ids: number[]): Promise<ObservedTicket[]>;
  ticketComments(ticketId: number): Promise<ObservedComment[]>;
  ticketFields(): Promise<TicketField[]>;
  /** Ticket count of an organization (count endpoint). */
  countOrganizationTickets(orgId: number): Promise<number>;
  /** Last change to an organization's sharing from the audit log, when available. */
  lastOrganizationChange(orgId: number): Promise<AuditInfo | null>;
  /**
   * The account's audit log for one source type, oldest first, in cursor pages of 100,
   * filtered by time on the server (`filter[created_at][]` start and end). Audit logs are
   * an Enterprise feature: a 403/404 is thrown as RemoteError for the caller to handle.
   */
  auditLogPages(filter: AuditLogFilter): AsyncIterable<AuditEntry[]>;

  /** update_many in batches of 100, then polls each job to completion. */
  updateOrganizations(updates: OrgUpdate[]): Promise<BulkItemResult[]>;
  updateUsers(updates: UserUpdate[]): Promise<BulkItemResult[]>;
  /** One synchronous PUT /users/{id} (no job): for the apply lock, where latency matters. */
  updateUser(id: number, update: Omit<UserUpdate, 'id'>): Promise<ObservedUser>;
  /** One PUT /tickets/{id}: custom fields, comment and status together. */
  updateTicket(id: number, update: TicketUpdate): Promise<ObservedTicket>;

  /** Requests sent so far (after retries), by method. */
  readonly stats: { reads: number; writes: number; retries: number };
}
