/**
 * The read set (docs/architecture.md, docs/zendesk-api.md): from the files and the first
 * pass of live state (the API user, every managed organization, the users named in
 * grants), what else `plan()` needs — and nothing more. Pure, and built from the
 * planner's own comparisons (./predicates.ts), so the reader and the planner cannot
 * disagree about which organization changes:
 *
 * - a sharing change: its request ticket (comments as evidence when it widens, ticket
 *   fields for its metadata step), the requester and approver when it widens;
 * - a finish candidate (sharing, grant or partner recorded by an earlier apply, live
 *   already equal) whose record is recent (FINISH_LOOKBACK_DAYS): its ticket, comments
 *   only while it is open, no people once it is solved;
 * - a partner domain to add: its ticket with comments and the consent's approver;
 * - a grant: its ticket with comments, the grantee and the approver (memberships of both);
 *   a revoke: its ticket and the grantee; the requester of a widening request ticket
 *   (memberships, when it may confirm the type);
 * - exposure (unless turned off): members and ticket count of each live organization
 *   with a widening change.
 * Missing organizations get no reads (no evidence can help a change that cannot be
 * written), and tickets off this account are never read (plan fails `ticket_url`;
 * reading that id here would read an unrelated ticket).
 */
import type { DesiredOrg, RiskApproval, TicketRef } from '../model/desired.js';
import type { Observed } from '../model/observed.js';
import type { Policy } from '../model/policy.js';
import type { PeopleRead, ReadSet, TicketRead } from '../model/reads.js';
import { userByEmail } from '../policy/lookup.js';
import { lastPartnerEntry, parseAccessHistory } from '../records/details.js';
import { ticketOnAccount } from '../records/tickets.js';
import { grantApproval, grantDiff, partnerDiff, sharingDiff } from './predicates.js';

export interface ReadSetOptions {
  /** Read the exposure of widening changes (default true; apply's re-plan under the lock skips it). */
  exposure?: boolean;
  /**
   * The plan's clock. With it, the ticket of a finish candidate is read only when its
   * record is at most FINISH_LOOKBACK_DAYS old; without it, always.
   */
  now?: Date;
}

/**
 * How long after its Details/notes line an interrupted apply is still looked for
 * (docs/apply.md, "Crash recovery"): a converged organization with an older record costs
 * no ticket read, so a plan with no change reads only the organizations.
 */
export const FINISH_LOOKBACK_DAYS = 30;

/** True when a record dated `date` (YYYY-MM-DD) may still have an unfinished ticket. */
export function mayNeedFinish(date: string, now: Date | undefined): boolean {
  if (!now) return true;
  const at = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(at)) return true;
  return at >= now.getTime() - (FINISH_LOOKBACK_DAYS + 1) * 86_400_000;
}

export function readSet(desired: { orgs: DesiredOrg[] }, observed: Observed, policy: Policy, opts: ReadSetOptions = {}): ReadSet {
  const account = { subdomain: policy.subdomain ?? observed.account.subdomain, ticketHosts: policy.ticketHosts };
  const tickets = new Map<number, TicketRead>();
  const people = new Map<number, { emails: Set<string>; memberEmails: Set<string> }>();
  const exposure = new Set<number>();
  const requesters: ReadSet['requesters'] = [];

  const needTicket = (ref: TicketRef, need: TicketRead): void => {
    if (ticketOnAccount(ref.host, account) === false) return;
    const prev = tickets.get(ref.id);
    tickets.set(ref.id, { evidence: need.evidence || !!prev?.evidence, fields: need.fields || !!prev?.fields });
  };
  const peopleOf = (org: DesiredOrg) => {
    let p = people.get(org.id);
    if (!p) people.set(org.id, (p = { emails: new Set(), memberEmails: new Set() }));
    return p;
  };
  const needPerson = (org: DesiredOrg, email: string | undefined, member: boolean): void => {
    if (!email) return;
    const e = email.toLowerCase();
    peopleOf(org).emails.add(e);
    if (member) peopleOf(org).memberEmails.add(e);
  };
  const needApproval = (org: DesiredOrg, approval: RiskApproval | undefined): void => needPerson(org, approval?.approvedBy, true);
  const finish = { evidence: false, fields: false };

  for (const org of desired.orgs) {
    const live = observed.orgs.get(org.id);
    if (!live) continue;
    const sharing = sharingDiff(org, live);
    if (org.request && sharing?.kind === 'change') {
      needTicket(org.request.ticket, { evidence: sharing.widening, fields: true });
      // Narrowing needs only ticket_url and ticket_org: no people to look up.
      if (sharing.widening) {
        // The ticket's requester may confirm the type: their memberships are checked.
        if (ticketOnAccount(org.request.ticket.host, account) !== false) requesters.push({ ticketId: org.request.ticket.id, orgId: org.id });
        needPerson(org, org.request.requester, false);
        needApproval(org, org.request.riskApproval);
        exposure.add(org.id);
      }
    } else if (org.request && sharing?.kind === 'finish' && mayNeedFinish(sharing.date, opts.now)) {
      needTicket(org.request.ticket, finish);
    }
    for (const p of org.partners) {
      const diff = partnerDiff(org, live, p);
      if (diff === 'finish' && mayNeedFinish(lastPartnerEntry(live.details, p.domain)?.date ?? '', opts.now)) needTicket(p.ticket, finish);
      if (diff === 'add') {
        needTicket(p.ticket, { evidence: true, fields: false });
        needApproval(org, p.consent);
        exposure.add(org.id);
      }
    }
    org.userAccess.forEach((grant, i) => {
      const user = userByEmail(observed, grant.email);
      const diff = grantDiff(org, live, grant, user);
      if (diff === 'finish' && mayNeedFinish(parseAccessHistory(user?.notes ?? null).at(-1)?.date ?? '', opts.now)) needTicket(grant.ticket, finish);
      if (diff === 'revoke') {
        needTicket(grant.ticket, { evidence: false, fields: false });
        needPerson(org, grant.email, false);
      }
      if (diff === 'grant') {
        needTicket(grant.ticket, { evidence: true, fields: false });
        needPerson(org, grant.email, true);
        needApproval(org, grantApproval(org, grant, i).approval);
        exposure.add(org.id);
      }
    });
  }

  const peopleList: PeopleRead[] = [...people].map(([orgId, p]) => ({ orgId, emails: [...p.emails], memberEmails: [...p.memberEmails] }));
  return { tickets, people: peopleList, requesters, exposure: opts.exposure === false ? [] : [...exposure] };
}
