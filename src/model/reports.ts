/** Drift and apply reports: rendered by src/render like the plan. */
import type { StepKind } from './plan.js';
import type { TicketRestriction } from './observed.js';
import type { GrantKind } from './review.js';
import type { Sharing } from './sharing.js';

/** Who changed something last, from Zendesk's audit log when available. */
export interface AuditInfo {
  actorId: number | null;
  actorName: string | null;
  at: string;
}

export type DriftItem =
  | {
      kind: 'managed_differs';
      orgId: number;
      orgName: string;
      file: string;
      declared: Sharing;
      live: Sharing | null;
      lastChange?: AuditInfo;
    }
  | { kind: 'managed_missing'; orgId: number; orgName: string; file: string }
  | {
      /** A declared partner domain the live domain_names lack (or the reverse). */
      kind: 'partner_differs';
      orgId: number;
      orgName: string;
      file: string;
      domain: string;
      declared: 'present' | 'absent';
      live: 'present' | 'absent';
    }
  | { kind: 'unmanaged_shared'; orgId: number; orgName: string; live: Sharing; lastChange?: AuditInfo }
  | {
      kind: 'grant_differs';
      userId: number;
      email: string | null;
      orgId: number | null;
      file: string;
      declared: TicketRestriction;
      live: TicketRestriction;
    }
  | {
      /** A grant whose newest approval is older than `reattest_after` days (docs/history-and-review.md). */
      kind: 'overdue_attestation';
      orgId: number;
      orgName: string;
      file: string;
      grant: GrantKind;
      /** The sharing level, the grantee's email, or the partner domain. */
      subject: string;
      /** ISO timestamp of the newest verified approval; null when none passes the evidence checks. */
      lastAttested: string | null;
      ageDays: number | null;
      reattestAfter: number;
      /** Why no approval attests it (when lastAttested is null). */
      problem?: string;
    }
  | {
      kind: 'undeclared_grant';
      userId: number;
      email: string | null;
      orgId: number | null;
      orgName: string | null;
      lastChange?: AuditInfo;
    };

/** An apply holding the apply lock while drift ran (src/apply/lock.ts), as its line says. */
export interface ApplyInProgress {
  /** "another apply (host runner-7, pid 2412, since …, until …)". */
  holder: string;
  /** The organizations it changes; null when its lock line does not say (any of them). */
  orgIds: number[] | null;
}

export interface DriftReport {
  formatVersion: 1;
  generatedAt: string;
  account: { subdomain: string | null; baseUrl: string };
  managed: number;
  scanned: { organizations: number; users: number };
  items: DriftItem[];
  /**
   * Present when an apply held the lock during the scan: the differences it may be
   * causing are listed here, not in `items`, and are not drift (docs/drift-and-import.md).
   */
  applyInProgress?: { applies: ApplyInProgress[]; deferred: DriftItem[] };
}

/**
 * A hidden line in the drift Markdown while an apply held the lock: the GitHub helper then
 * leaves an open drift issue as it is instead of closing it on a clean exit 0 (the
 * deferred differences are neither drift nor proven gone). docs/workflows.md.
 */
export const APPLY_IN_PROGRESS_MARKER = '<!-- orgshare-apply-in-progress -->';

export type StepStatus = 'done' | 'skipped' | 'failed' | 'not_run' | 'already_done';

export interface ApplyResult {
  key: string;
  orgId: number;
  orgName: string;
  kind: string;
  status: 'done' | 'failed' | 'skipped';
  steps: { kind: StepKind; status: StepStatus; message?: string }[];
  error?: string;
}

export interface ApplyReport {
  formatVersion: 1;
  generatedAt: string;
  date: string;
  account: { subdomain: string | null; baseUrl: string };
  results: ApplyResult[];
  /** After writing, apply re-reads what it changed; false when live state disagrees. */
  verified: boolean;
  verification: string[];
  requests: { reads: number; writes: number };
}
