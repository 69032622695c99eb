/**
 * The planner's comparisons, shared by `plan()` and the read set (./reads.ts) so that what
 * is read and what is planned can never disagree: each says, from the file and the live
 * organization or user alone (no evidence), which change the planner will consider.
 */
import type { DesiredOrg, DesiredPartner, DesiredUserGrant, RiskApproval } from '../model/desired.js';
import type { ObservedOrg, ObservedUser } from '../model/observed.js';
import type { Sharing } from '../model/sharing.js';
import { isWidening, sharingFromFlags } from '../model/sharing.js';
import { accessRecorded, entryRecords, lastHistoryEntry, partnerRecorded } from '../records/details.js';

/** The organization-level comparison: a sharing change, a finish candidate, or nothing. */
export type SharingDiff =
  | { kind: 'change'; from: Sharing; to: Sharing; widening: boolean }
  /** Live equals the file and the last Details line records this file's change: the confirmation may be due. */
  | { kind: 'finish'; date: string }
  | null;

export function sharingDiff(org: DesiredOrg, live: ObservedOrg): SharingDiff {
  // A baseline file (no request) is compared by the `baseline` plan check, not changed.
  if (!org.request) return null;
  const to = org.sharing;
  const from = sharingFromFlags({ shared_tickets: live.sharedTickets, shared_comments: live.sharedComments });
  if (from !== to) return { kind: 'change', from, to, widening: isWidening(from, to) };
  // Legacy records are never finished (their change was not made by orgshare).
  if (org.request.legacy) return null;
  const last = lastHistoryEntry(live.details);
  if (!last || !entryRecords(last, to, org.request.ticket)) return null;
  return { kind: 'finish', date: last.date };
}

/**
 * A widening entry (grant, partner) of a `request.legacy` file that carries no evidence of
 * its own (risk_approval, consent) is grandfathered like the request: it describes live
 * access orgshare did not grant (e.g. written by `import`), so its ticket is never
 * commented on or solved. Revokes need no evidence and are always orgshare's own.
 */
export function grandfathered(org: DesiredOrg, ownEvidence: RiskApproval | undefined): boolean {
  return org.request?.legacy === true && ownEvidence === undefined;
}

/**
 * A partner entry: `add` when its domain is not live; `finish` when it is live and the
 * last Details partner line for it names this entry's ticket (the confirmation may be
 * due); null otherwise.
 */
export function partnerDiff(org: DesiredOrg, live: ObservedOrg | null | undefined, p: DesiredPartner): 'add' | 'finish' | null {
  const domain = p.domain.toLowerCase();
  if (!(live?.domainNames ?? []).some((d) => d.toLowerCase() === domain)) return 'add';
  if (!live || grandfathered(org, p.consent) || !partnerRecorded(live.details, p.domain, p.ticket)) return null;
  return 'finish';
}

/**
 * A user grant: `grant` (widening: access to all organization tickets not live, or the
 * user not found), `revoke` (the file says own tickets only and the user sees all),
 * `finish` (live equals the file and the user's notes record this entry: the confirmation
 * may be due), or null. `user`: undefined when not read, null when no user has the email.
 */
export function grantDiff(
  org: DesiredOrg,
  live: ObservedOrg | null | undefined,
  grant: DesiredUserGrant,
  user: ObservedUser | null | undefined,
): 'grant' | 'revoke' | 'finish' | null {
  if (user && user.ticketRestriction === grant.access) {
    // A missing organization already has a blocked change; nothing is finished on it.
    if (!live) return null;
    if (grant.access === 'organization' && grandfathered(org, grant.riskApproval)) return null;
    return accessRecorded(user.notes, grant.access, grant.ticket) ? 'finish' : null;
  }
  if (grant.access === 'organization') return 'grant';
  return user && user.ticketRestriction === 'organization' ? 'revoke' : null;
}

/**
 * The approval a grant is checked against: its own, or the organization request's when
 * the grant names the same ticket (and the request is not legacy).
 */
export function grantApproval(org: DesiredOrg, grant: DesiredUserGrant, i: number): { approval?: RiskApproval; label: string; pointer: string } {
  if (grant.riskApproval) return { approval: grant.riskApproval, label: `user_access[${i}].risk_approval`, pointer: `/user_access/${i}/risk_approval` };
  const request = org.request;
  const sameTicket = request !== null && grant.ticket.id === request.ticket.id && grant.ticket.host === request.ticket.host;
  if (sameTicket && !request.legacy && request.riskApproval) {
    return { approval: request.riskApproval, label: 'request.risk_approval', pointer: '/request/risk_approval' };
  }
  return { label: `user_access[${i}].risk_approval`, pointer: `/user_access/${i}/risk_approval` };
}
