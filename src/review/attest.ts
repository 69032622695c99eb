/**
 * Periodic re-attestation (docs/history-and-review.md): which grants exist in a managed
 * file, which approval attests each, and whether it is due. Pure; shared by
 * `orgshare review` and `orgshare drift` (kind `overdue_attestation`).
 */
import type { DesiredOrg, RiskApproval, TicketRef } from '../model/desired.js';
import type { ObservedComment } from '../model/observed.js';
import type { DriftItem } from '../model/reports.js';
import type { AttestationStatus, GrantKind } from '../model/review.js';

const DAY_MS = 86_400_000;
/** A grant is `due` this many days before it is overdue (at most; a tenth for short periods). */
export const DUE_WINDOW_DAYS = 30;

export interface DeclaredGrant {
  kind: GrantKind;
  subject: string;
  ticket: TicketRef;
  requester: string | null;
  approval: RiskApproval | null;
}

/** The grants a file declares: its sharing (unless private), user grants, partner domains. */
export function declaredGrants(d: DesiredOrg): DeclaredGrant[] {
  const out: DeclaredGrant[] = [];
  const requestApproval = d.request.legacy ? null : (d.request.riskApproval ?? null);
  if (d.sharing !== 'private') {
    out.push({ kind: 'shared_organization', subject: d.sharing, ticket: d.request.ticket, requester: d.request.requester ?? null, approval: requestApproval });
  }
  for (const g of d.userAccess) {
    if (g.access !== 'organization') continue;
    // A grant without its own approval is approved by the request's, on the same ticket.
    const approval = g.riskApproval ?? (g.ticket.id === d.request.ticket.id ? requestApproval : null);
    out.push({ kind: 'user_grant', subject: g.email, ticket: g.ticket, requester: d.request.requester ?? null, approval });
  }
  for (const p of d.partners) {
    out.push({ kind: 'partner_domain', subject: p.domain.toLowerCase(), ticket: p.ticket, requester: d.request.requester ?? null, approval: p.consent ?? null });
  }
  return out;
}

/** Tickets whose comments date the approvals of these files. */
export function attestationTickets(orgs: DesiredOrg[]): number[] {
  const ids = new Set<number>();
  for (const d of orgs) for (const g of declaredGrants(d)) if (g.approval) ids.add(g.ticket.id);
  return [...ids];
}

/** When the approval was written: the approving comment's created_at, or null. */
export function approvalDate(grant: DeclaredGrant, comments: Map<number, ObservedComment[]>): string | null {
  if (!grant.approval) return null;
  const c = comments.get(grant.ticket.id)?.find((x) => x.id === grant.approval!.commentId);
  return c ? c.createdAt : null;
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

/** Drift items for grants whose newest approval is older than `reattestAfter` days. */
export function overdueAttestations(
  orgs: DesiredOrg[],
  comments: Map<number, ObservedComment[]>,
  reattestAfter: number,
  now: Date,
): Extract<DriftItem, { kind: 'overdue_attestation' }>[] {
  const out: Extract<DriftItem, { kind: 'overdue_attestation' }>[] = [];
  for (const d of orgs) {
    for (const g of declaredGrants(d)) {
      const at = approvalDate(g, comments);
      const { status, ageDays } = attestationStatus(at, reattestAfter, now);
      if (status !== 'overdue' || at === null || ageDays === null) continue;
      out.push({
        kind: 'overdue_attestation',
        orgId: d.id,
        orgName: d.name,
        file: d.file,
        grant: g.kind,
        subject: g.subject,
        lastAttested: new Date(Date.parse(at)).toISOString(),
        ageDays,
        reattestAfter,
      });
    }
  }
  return out;
}
