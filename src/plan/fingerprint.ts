/**
 * What a plan saw: every organization, ticket and user it depends on. Apply with a saved
 * plan recomputes this from fresh reads and refuses when any entry moved.
 */
import { createHash } from 'node:crypto';
import type { DesiredState } from '../model/desired.js';
import type { Observed, ObservedUser } from '../model/observed.js';
import type { ObservedFingerprint } from '../model/plan.js';
import { userByEmail } from '../policy/lookup.js';

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function fingerprint(desired: DesiredState, observed: Observed): ObservedFingerprint {
  const orgs = new Map<number, ObservedFingerprint['orgs'][number]>();
  const tickets = new Map<number, ObservedFingerprint['tickets'][number]>();
  const users = new Map<number, ObservedFingerprint['users'][number]>();

  const addTicket = (id: number) => {
    const ev = observed.tickets.get(id);
    if (ev === undefined || tickets.has(id)) return;
    tickets.set(id, { id, status: ev.ticket?.status ?? null, updatedAt: ev.ticket?.updatedAt ?? null });
  };
  const addUser = (u: ObservedUser | null | undefined) => {
    if (u) users.set(u.id, { id: u.id, updatedAt: u.updatedAt, ticketRestriction: u.ticketRestriction });
  };
  const addEmail = (email: string | undefined) => {
    if (email) addUser(userByEmail(observed, email));
  };

  for (const org of desired.orgs) {
    const live = observed.orgs.get(org.id);
    if (live) {
      orgs.set(org.id, {
        id: live.id,
        updatedAt: live.updatedAt,
        sharedTickets: live.sharedTickets,
        sharedComments: live.sharedComments,
        detailsSha256: sha256(live.details ?? ''),
      });
    }
    if (org.request) {
      addTicket(org.request.ticket.id);
      addEmail(org.request.riskApproval?.approvedBy);
    }
    for (const g of org.userAccess) {
      addTicket(g.ticket.id);
      addEmail(g.email);
      addEmail(g.riskApproval?.approvedBy);
    }
    for (const p of org.partners) {
      addTicket(p.ticket.id);
      addEmail(p.consent?.approvedBy);
    }
  }
  const byId = <T extends { id: number }>(m: Map<number, T>) => [...m.values()].sort((a, b) => a.id - b.id);
  return { orgs: byId(orgs), tickets: byId(tickets), users: byId(users) };
}
