/**
 * The contract's pre-check rules restated from a scenario's recipe (arbitraries.ts), as
 * an independent oracle for the planner: which changes a scenario must plan, and which of
 * them must be blocked. CONTRACT.md "Pre-checks": narrowing needs only ticket_url and
 * ticket_org; every widening change needs all checks.
 */
import type { Change, CheckId } from '../../src/model/plan.js';
import { isWidening } from '../../src/model/sharing.js';
import { ids, isGlobalBreakage, isTicketBreakage, isTypeBreakage, type Scenario } from './arbitraries.js';

/** The checks every widening change runs (organization sharing changes add confirmed_type). */
export const WIDENING_CHECKS: CheckId[] = ['name_match', 'ticket_url', 'ticket_org', 'risk_message_sent', 'risk_approved', 'approver_member', 'deny_note', 'hipaa'];
/** The only checks a narrowing change runs (for a live, non-legacy organization). */
export const NARROWING_CHECKS: CheckId[] = ['ticket_url', 'ticket_org'];

export interface Expected {
  key: string;
  kind: Change['kind'];
  widening: boolean;
  blocked: boolean;
}

/** Every change the planner must produce for the scenario, by key. */
export function expectedChanges(s: Scenario): Map<string, Expected> {
  const out = new Map<string, Expected>();
  s.orgs.forEach((spec, i) => {
    const orgId = ids.org(i);
    const b = spec.breakage;
    const global = isGlobalBreakage(b);

    if (spec.live !== spec.want) {
      const widening = isWidening(spec.live, spec.want);
      out.set(`org:${orgId}`, {
        key: `org:${orgId}`,
        kind: spec.want === 'private' ? 'disable' : spec.live === 'private' ? 'enable' : 'change_type',
        widening,
        blocked: widening ? b !== 'none' : isTicketBreakage(b),
      });
    } else {
      // An earlier apply recorded this request in Details but left the ticket open.
      const finish =
        spec.detailsKind === 'recorded_same_ticket' &&
        b !== 'ticket_missing' &&
        b !== 'ticket_unread' &&
        spec.ticketStatus !== 'solved' &&
        spec.ticketStatus !== 'closed';
      if (finish) out.set(`org:${orgId}`, { key: `org:${orgId}`, kind: 'finish', widening: false, blocked: isTicketBreakage(b) });
    }

    const g = spec.grant;
    if (g) {
      const key = `user:${ids.grantee(i)}@org:${orgId}`;
      const ticketBroken = g.ownTicket ? g.breakage === 'ticket_other_org' || g.breakage === 'ticket_missing' : isTicketBreakage(b);
      if (g.want === 'organization' && g.live !== 'organization') {
        const evidenceBroken = g.ownTicket ? g.breakage !== 'none' : b !== 'none' && !isTypeBreakage(b);
        out.set(key, { key, kind: 'user_grant', widening: true, blocked: global || g.granteeOutside || evidenceBroken });
      } else if (g.want === 'requested' && g.live === 'organization') {
        out.set(key, { key, kind: 'user_revoke', widening: false, blocked: ticketBroken });
      }
    }

    const p = spec.partner;
    if (p && !p.present) {
      const key = `partner:${ids.partnerDomain(i)}@org:${orgId}`;
      out.set(key, { key, kind: 'partner_add', widening: true, blocked: global || p.breakage !== 'none' });
    }
  });
  return out;
}

/** Organization indexes with at least one blocked change (apply refuses the whole plan). */
export function blockedOrgIds(changes: Change[]): Set<number> {
  return new Set(changes.filter((c) => c.blocked).map((c) => c.orgId));
}
