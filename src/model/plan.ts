/**
 * The plan model: the single contract between planning, rendering and applying.
 * `plan()` (src/plan) builds it purely; renderers (src/render) print it; apply
 * (src/apply) executes its steps in order. Changes are a discriminated union on `kind`.
 */
import type { SourceRef, TicketRef, UserAccess } from './desired.js';
import type { TicketRestriction, TicketStatus } from './observed.js';
import type { Sharing, SharingFlags } from './sharing.js';

/** Stable pre-check ids (docs/prechecks.md), shown in every output format. */
export const CHECK_IDS = [
  'schema',
  'name_match',
  'ticket_url',
  'ticket_org',
  'requester_match',
  'confirmed_type',
  'risk_message_sent',
  'risk_approved',
  'approver_member',
  'deny_note',
  'hipaa',
  'blast_radius',
  'baseline',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/**
 * `skip`: the check did not run, and `message` says why ("not checked: ticket_org failed")
 * or why it does not apply; it never passes or blocks a change by itself.
 */
export interface CheckResult {
  id: CheckId;
  status: 'pass' | 'fail' | 'skip';
  message: string;
  hint?: string;
  source?: SourceRef;
}

/** One write, in handbook order. `skip` explains why a step will not run. */
export type Step =
  | {
      kind: 'ticket_metadata';
      ticketId: number;
      fields: { id: number; title: string; value: string | boolean }[];
      skip?: string;
    }
  | {
      kind: 'org_update';
      orgId: number;
      flags?: SharingFlags;
      /** The Details line appended (absent when Details is left alone). */
      detailsLine?: string;
      detailsBefore: string | null;
      detailsAfter: string | null;
      /** Full replacement list when partner domains change. */
      domainNames?: string[];
      skip?: string;
    }
  | {
      kind: 'user_update';
      userId: number;
      ticketRestriction: 'organization' | 'requested';
      notesLine: string;
      notesBefore: string | null;
      notesAfter: string;
      skip?: string;
    }
  | {
      kind: 'ticket_comment';
      ticketId: number;
      body: string;
      /** Set status solved in the same request. */
      solve: boolean;
      skip?: string;
    };
export type StepKind = Step['kind'];

/** Who would gain what (docs/access.md "Exposure of a planned change"); computed from bulk reads, optional. */
export interface Exposure {
  usersGaining: number;
  ticketsVisible: number;
  commentersGaining: number;
  note?: string;
}

/**
 * The ticket evidence a widening change rests on, copied into the plan so reviewers can
 * judge it (the Markdown plan quotes the approving comment). Absent for narrowing changes.
 */
export interface ChangeEvidence {
  /** The first public agent comment containing the risk message. */
  riskMessageCommentId?: number;
  /** The requester's words in the file (`risk_approval.quote`, `consent.quote`). */
  approvalQuote?: string;
  /**
   * Where the requester named the type (organization sharing changes): the comment of
   * `request.type_confirmation`, or of the risk approval when the file has none (`via`).
   */
  typeConfirmation?: {
    via: 'type_confirmation' | 'risk_approval';
    commentId: number;
    /** The comment's author as read, like `approvalComment.author`; absent when not on the ticket. */
    author?: string;
    createdAt?: string;
    quote: string;
  };
  /** The ticket's requester as read from Zendesk (organization sharing changes). */
  requester?: { id: number; email: string | null; name: string };
  /** The comment named by `comment_id` (risk approval or partner consent), as read. */
  approvalComment?: {
    id: number;
    authorId: number;
    /** Author's email when known, else their name, else "user {id}". */
    author: string;
    body: string;
    createdAt: string;
    public: boolean;
  };
}

interface ChangeBase {
  /** Stable key, unique in a plan: "org:ID", "user:ID@org:ID", "partner:DOMAIN@org:ID". */
  key: string;
  orgId: number;
  orgName: string;
  file: string;
  ticket: TicketRef;
  /** Widening changes need every pre-check; narrowing needs ticket_url and ticket_org. */
  widening: boolean;
  checks: CheckResult[];
  /** True when any check failed. */
  blocked: boolean;
  steps: Step[];
  exposure?: Exposure;
  evidence?: ChangeEvidence;
}

export interface OrgSharingChange extends ChangeBase {
  /**
   * enable: private → shared; change_type: read_only ↔ read_write; disable: → private;
   * finish: live flags already match but the ticket steps of that change are not done
   * (a crash between steps); only the remaining ticket steps run.
   */
  kind: 'enable' | 'change_type' | 'disable' | 'finish';
  /** Live level; `private` (with `orgMissing`) when the organization does not exist. */
  from: Sharing;
  to: Sharing;
  /** The organization id does not exist in Zendesk: nothing can be written (blocked). */
  orgMissing?: boolean;
}

export interface UserGrantChange extends ChangeBase {
  /**
   * user_grant: ticket_restriction → organization; user_revoke: organization → requested;
   * grant_finish: live already equals the file and the last access line of the user's
   * notes records this entry (access and ticket), but the ticket is open without our
   * confirmation (an apply stopped after the user write): only the comment (and solve)
   * runs. `to` says which confirmation (grant or revoke) is finished.
   */
  kind: 'user_grant' | 'user_revoke' | 'grant_finish';
  userId: number | null;
  email: string;
  from: TicketRestriction;
  to: UserAccess;
}

export interface PartnerChange extends ChangeBase {
  /**
   * partner_add: the domain joins domain_names (and a dated Details line records it);
   * partner_finish: the domain is live and the last Details partner line for it names this
   * entry's ticket, but the ticket is open without our confirmation: only the comment (and
   * solve) runs.
   */
  kind: 'partner_add' | 'partner_remove' | 'partner_finish';
  domain: string;
}

export type Change = OrgSharingChange | UserGrantChange | PartnerChange;
export type ChangeKind = Change['kind'];

/**
 * The kinds that only finish the ticket steps of a change already live (an interrupted
 * apply): narrowing, ticket checks only, no exposure, not counted by the blast radius.
 */
export const FINISH_KINDS: ReadonlySet<ChangeKind> = new Set<ChangeKind>(['finish', 'grant_finish', 'partner_finish']);

export function isFinish(c: Pick<Change, 'kind'>): boolean {
  return FINISH_KINDS.has(c.kind);
}

/** What the plan saw; apply with a saved plan refuses when any of it moved. */
export interface ObservedFingerprint {
  orgs: { id: number; updatedAt: string; sharedTickets: boolean; sharedComments: boolean; detailsSha256: string }[];
  tickets: { id: number; status: TicketStatus | null; updatedAt: string | null }[];
  users: { id: number; updatedAt: string; ticketRestriction: TicketRestriction }[];
}

export interface Plan {
  formatVersion: 1;
  generatedAt: string;
  /** UTC date (YYYY-MM-DD) written in Details lines. */
  date: string;
  account: { subdomain: string | null; baseUrl: string };
  desiredHash: string;
  /** Number of managed organizations considered. */
  managed: number;
  changes: Change[];
  /** Plan-wide checks (blast_radius). */
  planChecks: CheckResult[];
  fingerprint: ObservedFingerprint;
  warnings: string[];
}

export interface PlanSummary {
  changes: number;
  widening: number;
  narrowing: number;
  blocked: number;
  byKind: Partial<Record<ChangeKind, number>>;
}

export function summarize(plan: Plan): PlanSummary {
  const byKind: Partial<Record<ChangeKind, number>> = {};
  for (const c of plan.changes) byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
  return {
    changes: plan.changes.length,
    widening: plan.changes.filter((c) => c.widening).length,
    narrowing: plan.changes.filter((c) => !c.widening).length,
    blocked: plan.changes.filter((c) => c.blocked).length + (plan.planChecks.some((c) => c.status === 'fail') ? 1 : 0),
    byKind,
  };
}

/** A plan may be applied only when no change and no plan-wide check is blocked. */
export function isBlocked(plan: Plan): boolean {
  return plan.changes.some((c) => c.blocked) || plan.planChecks.some((c) => c.status === 'fail');
}
