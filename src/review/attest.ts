/**
 * Periodic re-attestation (docs/history-and-review.md): which grants exist in a managed
 * file, which approval attests each, and whether it is due. Pure; shared by
 * `orgshare review` and `orgshare drift` (kind `overdue_attestation`).
 */
import type { DesiredOrg, RiskApproval, TicketRef } from '../model/desired.js';
import type { Observed } from '../model/observed.js';
import { checkApproverMember, checkRiskApproved, checkRiskMessageSent } from '../policy/evidence.js';
import type { DriftItem } from '../model/reports.js';
import type { AttestationStatus, GrantKind } from '../model/review.js';

const DAY_MS = 86_400_000;
/** A grant is `due` this many days before it is overdue (at most; a tenth for short periods). */
export const DUE_WINDOW_DAYS = 30;

export interface DeclaredGrant {
  kind: GrantKind;
  subject: string;
  /** Where the approval is in the file, for messages ("request.risk_approval"). */
  label: string;
  ticket: TicketRef;
  requester: string | null;
  approval: RiskApproval | null;
}

/** The grants a file declares: its sharing (unless private), user grants, partner domains. */
export function declaredGrants(d: DesiredOrg): DeclaredGrant[] {
  const out: DeclaredGrant[] = [];
  // A baseline file (no request) declares a private organization and nothing to attest.
  const request = d.request;
  if (!request) return out;
  const requester = request.requester ?? null;
  const requestApproval = request.legacy ? null : (request.riskApproval ?? null);
  if (d.sharing !== 'private') {
    out.push({ kind: 'shared_organization', subject: d.sharing, label: 'request.risk_approval', ticket: request.ticket, requester, approval: requestApproval });
  }
  d.userAccess.forEach((g, i) => {
    if (g.access !== 'organization') return;
    // A grant without its own approval is approved by the request's, on the same ticket.
    const own = g.riskApproval ?? null;
    const approval = own ?? (g.ticket.id === request.ticket.id ? requestApproval : null);
    const label = own ? `user_access[${i}].risk_approval` : 'request.risk_approval';
    out.push({ kind: 'user_grant', subject: g.email, label, ticket: g.ticket, requester, approval });
  });
  d.partners.forEach((p, i) => {
    out.push({ kind: 'partner_domain', subject: p.domain.toLowerCase(), label: `partners[${i}].consent`, ticket: p.ticket, requester, approval: p.consent ?? null });
  });
  return out;
}

/** Tickets whose comments date the approvals of these files. */
export function attestationTickets(orgs: DesiredOrg[]): number[] {
  const ids = new Set<number>();
  for (const d of orgs) for (const g of declaredGrants(d)) if (g.approval) ids.add(g.ticket.id);
  return [...ids];
}

export interface Attestation {
  /** When the verified approval was written (the comment's created_at), or null. */
  at: string | null;
  /** Why the approval does not attest the grant (a failed evidence check), or null. */
  problem: string | null;
}

/**
 * The attestation of a grant: its approval passes the evidence checks of a widening
 * change (`risk_message_sent`, `risk_approved`, `approver_member`, src/policy/evidence.ts)
 * against what was read, and is dated by its comment. A file edited to cite a newer
 * comment that is not a valid approval does not reset the date.
 */
export function attest(grant: DeclaredGrant, d: DesiredOrg, observed: Observed, riskMessage: string): Attestation {
  if (!grant.approval) {
    return { at: null, problem: d.request?.legacy && grant.kind === 'shared_organization' ? 'legacy record: no approval on file' : `${grant.label} is missing` };
  }
  const evidence = observed.tickets.get(grant.ticket.id);
  const risk = checkRiskMessageSent(grant.ticket.id, evidence, observed, riskMessage);
  const approved = checkRiskApproved(grant.label, grant.approval, grant.ticket.id, evidence, risk.comment, observed, riskMessage);
  const member = checkApproverMember(grant.label, grant.approval, d.id, d.name, d.authorizedRequesters, observed);
  const failed = [risk.result, approved.result, member].find((c) => c.status !== 'pass');
  if (failed) return { at: null, problem: `${failed.id}: ${failed.message}` };
  const comment = evidence?.comments.find((c) => c.id === grant.approval!.commentId);
  return { at: comment ? comment.createdAt : null, problem: comment ? null : `${grant.label}: comment ${grant.approval.commentId} not found` };
}

export function attestationStatus(
  lastAttested: string | null,
  reattestAfter: number | null,
  now: Date,
): { status: AttestationStatus; ageDays: number | null } {
  if (lastAttested === null || Number.isNaN(Date.parse(lastAttested))) return { status: 'no_evidence', ageDays: null };
  // Exact instants, not whole days: an approval 365 days and one hour old is older than 365 days.
  const age = now.getTime() - Date.parse(lastAttested);
  const ageDays = Math.floor(age / DAY_MS);
  if (reattestAfter === null) return { status: 'ok', ageDays };
  if (age > reattestAfter * DAY_MS) return { status: 'overdue', ageDays };
  const window = Math.min(DUE_WINDOW_DAYS, Math.ceil(reattestAfter / 10));
  return { status: age > (reattestAfter - window) * DAY_MS ? 'due' : 'ok', ageDays };
}

/**
 * Drift items for grants whose newest verified approval is older than `reattestAfter`
 * days, or that no verified approval attests at all.
 */
export function overdueAttestations(
  orgs: DesiredOrg[],
  observed: Observed,
  riskMessage: string,
  reattestAfter: number,
  now: Date,
): Extract<DriftItem, { kind: 'overdue_attestation' }>[] {
  const out: Extract<DriftItem, { kind: 'overdue_attestation' }>[] = [];
  for (const d of orgs) {
    for (const g of declaredGrants(d)) {
      const { at, problem } = attest(g, d, observed, riskMessage);
      const { status, ageDays } = attestationStatus(at, reattestAfter, now);
      // With re-attestation on, a grant no verified approval attests is overdue too.
      if (status !== 'overdue' && status !== 'no_evidence') continue;
      out.push({
        kind: 'overdue_attestation',
        orgId: d.id,
        orgName: d.name,
        file: d.file,
        grant: g.kind,
        subject: g.subject,
        lastAttested: at === null ? null : new Date(Date.parse(at)).toISOString(),
        ageDays,
        reattestAfter,
        ...(problem ? { problem } : {}),
      });
    }
  }
  return out;
}
