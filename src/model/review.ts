/**
 * `orgshare review`: the access-review report an auditor signs (docs/history-and-review.md).
 * One row per grant: a shared organization, a user-level grant, a partner domain.
 */
import type { Sharing } from './sharing.js';

/**
 * ok: attested recently enough (or no `reattest_after`); due: re-attestation falls due
 * within the warning window; overdue: the newest approval is older than `reattest_after`
 * days; no_evidence: the file carries no approval orgshare could date (legacy record,
 * deleted comment).
 */
export type AttestationStatus = 'ok' | 'due' | 'overdue' | 'no_evidence';

export type GrantKind = 'shared_organization' | 'user_grant' | 'partner_domain';

export interface ReviewGrant {
  orgId: number;
  orgName: string;
  file: string;
  kind: GrantKind;
  /** The organization's sharing level, the grantee's email, or the partner domain. */
  subject: string;
  /** For shared organizations: the level. */
  sharing?: Exclude<Sharing, 'private'>;
  /** Whether Zendesk has the grant now (false: declared but not applied, or changed behind orgshare's back); null when not read. */
  inEffect: boolean | null;
  /** YYYY-MM-DD of the line recording the grant in Zendesk (Details or user notes), or null. */
  since: string | null;
  requester: string | null;
  approver: string | null;
  ticket: string;
  /** People who see through this grant (members, the grantee, the partner's users), null when not read. */
  members: number | null;
  /** Tickets of the organization they see, null when not read. */
  ticketsExposed: number | null;
  /** ISO timestamp of the newest approval evidence, or null. */
  lastAttested: string | null;
  /** Whole days since lastAttested. */
  ageDays: number | null;
  status: AttestationStatus;
  /** Why the approval on file does not attest the grant (a failed evidence check), or null. */
  evidenceProblem: string | null;
}

export interface ReviewReport {
  formatVersion: 1;
  generatedAt: string;
  account: { subdomain: string | null; baseUrl: string };
  /** Days, or null when re-attestation is off. */
  reattestAfter: number | null;
  grants: ReviewGrant[];
}
