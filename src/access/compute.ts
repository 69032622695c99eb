/**
 * Effective access (docs/access.md), computed purely from bulk reads.
 *
 * The rules, (docs/access.md "The rules it applies"):
 * - An organization with shared_tickets lets every member see all of its tickets;
 *   shared_comments (only with shared_tickets) also lets every member comment on them.
 * - A user with `ticket_restriction: organization` sees every ticket of the
 *   organizations they belong to even when those are private: the more permissive of the
 *   organization and user settings wins. A user grant does not let them comment on
 *   tickets that are not theirs; only shared_comments does.
 * - Users may belong to several organizations (one default). A professional partner's
 *   email domain added to an associated organization's domain_names makes the partner's
 *   users members of that organization too: they then see what any member sees.
 * - CC'd users always see (and may comment on) the tickets they are CC'd on, whatever
 *   these settings: that is per ticket and is not listed, only noted.
 * - Agents and admins see tickets through their role and are not listed. Suspended
 *   users cannot sign in and are not counted.
 */
import type { ObservedMembership, ObservedOrg, ObservedUser } from '../model/observed.js';
import { sharingFromFlags } from '../model/sharing.js';
import { emailDomain } from '../plan/exposure.js';
import type { AccessReason, AccessReport, AccessUser, MembershipVia, OrgAccess } from './types.js';

/** A membership as computeAccess needs it (ObservedMembership fits). */
export type MembershipLike = Pick<ObservedMembership, 'userId' | 'organizationId' | 'default'>;

export interface AccessOptions {
  generatedAt: string;
  account: { subdomain: string | null; baseUrl: string };
  /**
   * Active end-user members left out of `users` by organization: they belong to one
   * organization, which is private, and have no grant, so they see only their own
   * tickets. Counted as members, never listed (src/access/observe.ts keeps memory flat).
   */
  unlistedMembers?: Map<number, number>;
}

export const CC_NOTE =
  "CC'd users always see (and may comment on) the tickets they are CC'd on, whatever these settings; that is per ticket and not listed here.";
export const AGENT_NOTE = 'Agents and admins see tickets through their role and are not listed; suspended users are not counted.';


/** Memberships by organization id, including each user's default organization. */
function membersByOrg(users: Map<number, ObservedUser>, memberships: MembershipLike[]): Map<number, Map<number, MembershipLike>> {
  const byOrg = new Map<number, Map<number, MembershipLike>>();
  const add = (m: MembershipLike) => {
    let set = byOrg.get(m.organizationId);
    if (!set) byOrg.set(m.organizationId, (set = new Map()));
    if (!set.has(m.userId)) set.set(m.userId, m);
  };
  for (const m of memberships) add(m);
  for (const u of users.values()) {
    if (u.organizationId !== null) add({ userId: u.id, organizationId: u.organizationId, default: true });
  }
  return byOrg;
}

function orgsOfUser(byOrg: Map<number, Map<number, MembershipLike>>): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const [orgId, members] of byOrg) {
    for (const userId of members.keys()) {
      const list = out.get(userId) ?? [];
      list.push(orgId);
      out.set(userId, list);
    }
  }
  for (const list of out.values()) list.sort((a, b) => a - b);
  return out;
}

function viaOf(user: ObservedUser, org: ObservedOrg, m: MembershipLike): MembershipVia {
  if (user.organizationId === org.id || (user.organizationId === null && m.default === true)) return 'default';
  const domain = emailDomain(user.email);
  if (domain && org.domainNames.some((d) => d.toLowerCase() === domain)) return 'partner_domain';
  return 'additional';
}

export function computeAccess(
  orgs: ObservedOrg[],
  users: ObservedUser[],
  memberships: MembershipLike[],
  counts: Map<number, number>,
  opts: AccessOptions,
): AccessReport {
  const userById = new Map<number, ObservedUser>();
  for (const u of users) userById.set(u.id, u);
  const byOrg = membersByOrg(userById, memberships);
  const userOrgs = orgsOfUser(byOrg);

  const seeing = new Set<number>();
  const grantOnly = new Set<number>();
  let ticketsExposed = 0;

  const report: OrgAccess[] = [...orgs]
    .sort((a, b) => a.id - b.id)
    .map((org) => {
      const sharing = sharingFromFlags({ shared_tickets: org.sharedTickets, shared_comments: org.sharedComments });
      const canComment = sharing === 'read_write';
      const seeAll: AccessUser[] = [];
      const crossOrg: AccessUser[] = [];
      const partnerDomains = new Set<string>();
      let members = 0;
      let grants = 0;
      const memberList = [...(byOrg.get(org.id)?.values() ?? [])].sort((a, b) => a.userId - b.userId);
      for (const m of memberList) {
        const user = userById.get(m.userId);
        if (!user || user.role !== 'end-user' || user.suspended) continue;
        members += 1;
        const reasons: AccessReason[] = [];
        if (sharing !== 'private') reasons.push('org_shared');
        if (user.ticketRestriction === 'organization') reasons.push('user_grant');
        const via = viaOf(user, org, m);
        const entry: AccessUser = {
          userId: user.id,
          email: user.email,
          name: user.name,
          via,
          defaultOrgId: user.organizationId,
          otherOrgIds: (userOrgs.get(user.id) ?? []).filter((id) => id !== org.id),
          reasons,
          canComment: canComment && reasons.length > 0,
        };
        if (via === 'partner_domain') partnerDomains.add(emailDomain(user.email)!);
        if (via !== 'default' || entry.otherOrgIds.length > 0) crossOrg.push(entry);
        if (reasons.length > 0) {
          seeAll.push(entry);
          seeing.add(user.id);
          if (reasons.length === 1 && reasons[0] === 'user_grant') {
            grants += 1;
            grantOnly.add(user.id);
          }
        }
      }
      members += opts.unlistedMembers?.get(org.id) ?? 0;
      const ticketCount = counts.has(org.id) ? counts.get(org.id)! : null;
      if (seeAll.length > 0 && ticketCount !== null) ticketsExposed += ticketCount;
      return {
        orgId: org.id,
        orgName: org.name,
        sharing,
        ticketCount,
        members,
        seeAll,
        commenters: seeAll.filter((u) => u.canComment).length,
        crossOrg,
        partnerDomains: [...partnerDomains].sort(),
        notes: orgNotes(sharing, members, grants, crossOrg),
      };
    });

  return {
    formatVersion: 1,
    generatedAt: opts.generatedAt,
    account: opts.account,
    orgs: report,
    totals: {
      organizations: report.length,
      usersSeeingAll: seeing.size,
      userGrants: grantOnly.size,
      ticketsExposed,
    },
    notes: [CC_NOTE, AGENT_NOTE],
  };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function orgNotes(sharing: OrgAccess['sharing'], members: number, grants: number, crossOrg: AccessUser[]): string[] {
  const notes: string[] = [];
  switch (sharing) {
    case 'private':
      notes.push(
        grants > 0
          ? `Private, but ${plural(grants, 'user')} see${grants === 1 ? 's' : ''} every ticket through a user-level grant (the more permissive setting wins).`
          : 'Private: each member sees only their own tickets and those they are CC’d on.',
      );
      break;
    case 'read_only':
      notes.push(`Shared (read only): all ${plural(members, 'member')} see every ticket but comment only on their own and CC’d ones.`);
      break;
    case 'read_write':
      notes.push(`Shared (read+write): all ${plural(members, 'member')} see and comment on every ticket.`);
      break;
    default: {
      const never: never = sharing;
      throw new Error(`unknown sharing ${String(never)}`);
    }
  }
  const partners = crossOrg.filter((u) => u.via === 'partner_domain');
  if (partners.length > 0) {
    notes.push(
      `${plural(partners.length, 'member')} belong${partners.length === 1 ? 's' : ''} through a partner domain and ${
        sharing === 'private'
          ? `see${partners.length === 1 ? 's' : ''} only their own tickets unless granted`
          : `see${partners.length === 1 ? 's' : ''} what every member sees`
      }.`,
    );
  }
  return notes;
}
