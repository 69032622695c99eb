/**
 * The contract's pre-check rules restated from a scenario's recipe (arbitraries.ts), as
 * an independent oracle for the planner: which changes a scenario must plan, and which of
 * them must be blocked. CONTRACT.md "Pre-checks": narrowing needs only ticket_url and
 * ticket_org; every widening change needs all checks.
 */
import type { TicketStatus } from '../../src/model/observed.js';
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
      const finish = spec.detailsKind === 'recorded_same_ticket' && b !== 'ticket_missing' && b !== 'ticket_unread' && open(spec.ticketStatus);
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
      } else if ((g.live ?? 'requested') === g.want && g.recorded) {
        // (World.user gives an end-user with a null restriction 'requested'.)
        // An earlier apply wrote the user and its notes line but not the confirmation.
        const readable = g.ownTicket ? g.breakage !== 'ticket_missing' : b !== 'ticket_missing' && b !== 'ticket_unread';
        if (readable && open(g.ownTicket ? g.ticketStatus : spec.ticketStatus)) {
          out.set(key, { key, kind: 'grant_finish', widening: false, blocked: ticketBroken });
        }
      }
    }

    const p = spec.partner;
    const partnerKey = `partner:${ids.partnerDomain(i)}@org:${orgId}`;
    if (p && !p.present) {
      out.set(partnerKey, { key: partnerKey, kind: 'partner_add', widening: true, blocked: global || p.breakage !== 'none' });
    } else if (p && p.recorded && open(p.ticketStatus)) {
      // The domain and its Details line are there, the confirmation is not.
      out.set(partnerKey, { key: partnerKey, kind: 'partner_finish', widening: false, blocked: p.breakage === 'ticket_other_org' });
    }
  });
  return out;
}

/** Ticket steps still run on the ticket (the contract skips them on solved/closed ones). */
function open(status: TicketStatus): boolean {
  return status !== 'solved' && status !== 'closed';
}

/** Organization indexes with at least one blocked change (apply refuses the whole plan). */
export function blockedOrgIds(changes: Change[]): Set<number> {
  return new Set(changes.filter((c) => c.blocked).map((c) => c.orgId));
}
