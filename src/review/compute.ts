/**
 * The access review (docs/history-and-review.md), pure: every grant of the managed files
 * with its type, since when (the line recording it in Zendesk), requester, approver,
 * ticket, who and how many tickets it exposes, and its attestation status.
 */
import type { DesiredOrg } from '../model/desired.js';
import type { Observed, ObservedOrg, ObservedUser } from '../model/observed.js';
import type { ReviewGrant, ReviewReport } from '../model/review.js';
import { sharingFromFlags } from '../model/sharing.js';
import { parseAccessHistory, parseHistory, parsePartnerHistory } from '../records/details.js';
import { attest, attestationStatus, declaredGrants } from './attest.js';

export interface ReviewInput {
  generatedAt: string;
  account: { subdomain: string | null; baseUrl: string };
  now: Date;
  reattestAfter: number | null;
  desired: DesiredOrg[];
  /** Live organizations by id (absent: not read or not found). */
  orgs: Map<number, ObservedOrg>;
  /** Members per organization id (absent: not read). */
  members: Map<number, ObservedUser[]>;
  /** Ticket counts per organization id (absent: not read). */
  counts: Map<number, number>;
  /** Approval tickets, comments, authors and approvers' memberships (src/review/collect.ts). */
  evidence: Observed;
  /** The handbook risk message of the policy (the evidence checks look for it). */
  riskMessage: string;
}

/** The date of the newest sharing line that records the current level. */
function sharingSince(details: string | null, sharing: string): string | null {
  const hit = parseHistory(details).filter((e) => e.action === 'enabled' && e.type === sharing).at(-1);
  return hit?.date ?? null;
}

function domainOf(email: string | null): string | null {
  const at = email?.lastIndexOf('@') ?? -1;
  return email && at > 0 ? email.slice(at + 1).toLowerCase() : null;
}

const KIND_ORDER = { shared_organization: 0, user_grant: 1, partner_domain: 2 } as const;

export function computeReview(input: ReviewInput): ReviewReport {
  const grants: ReviewGrant[] = [];
  for (const d of input.desired) {
    const live = input.orgs.get(d.id) ?? null;
    const members = input.members.get(d.id);
    const count = input.counts.get(d.id);
    for (const g of declaredGrants(d)) {
      let since: string | null = null;
      let people: number | null = null;
      let inEffect: boolean | null = null;
      if (g.kind === 'shared_organization') {
        since = sharingSince(live?.details ?? null, g.subject);
        people = members ? members.length : null;
        if (live) inEffect = sharingFromFlags({ shared_tickets: live.sharedTickets, shared_comments: live.sharedComments }) === g.subject;
      } else if (g.kind === 'user_grant') {
        const user = members?.find((u) => u.email?.toLowerCase() === g.subject.toLowerCase());
        since = parseAccessHistory(user?.notes ?? null).filter((e) => e.access === 'organization').at(-1)?.date ?? null;
        people = members ? 1 : null;
        if (members) inEffect = user?.ticketRestriction === 'organization';
      } else {
        since = parsePartnerHistory(live?.details ?? null).filter((e) => e.domain === g.subject).at(-1)?.date ?? null;
        people = members ? members.filter((u) => domainOf(u.email) === g.subject).length : null;
        if (live) inEffect = live.domainNames.some((d) => d.toLowerCase() === g.subject);
      }
      const { at: lastAttested, problem } = attest(g, d, input.evidence, input.riskMessage);
      const { status, ageDays } = attestationStatus(lastAttested, input.reattestAfter, input.now);
      grants.push({
        orgId: d.id,
        orgName: live?.name ?? d.name,
        file: d.file,
        kind: g.kind,
        subject: g.subject,
        ...(g.kind === 'shared_organization' ? { sharing: g.subject as 'read_only' | 'read_write' } : {}),
        inEffect,
        since,
        requester: g.requester,
        approver: g.approval?.approvedBy ?? null,
        ticket: g.ticket.canonical,
        members: people,
        ticketsExposed: count ?? null,
        lastAttested: lastAttested === null ? null : new Date(Date.parse(lastAttested)).toISOString(),
        ageDays,
        status,
        evidenceProblem: problem,
      });
    }
  }
  grants.sort((a, b) => a.orgId - b.orgId || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.subject.localeCompare(b.subject));
  return { formatVersion: 1, generatedAt: input.generatedAt, account: input.account, reattestAfter: input.reattestAfter, grants };
}
