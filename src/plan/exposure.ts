/**
 * Exposure of a widening change (docs/access.md): who would gain what, e.g. "this change lets
 * 37 users see 1,204 tickets they cannot see today". Pure; `plan()` attaches the result as
 * `Change.exposure` from what the read set read for widening changes only: the members and
 * the ticket count of each changed organization (plus, for `partner_add`, the users with
 * that email domain when known).
 *
 * Narrowing changes (disable, user_revoke, partner_remove, a read_write → read_only
 * change_type) and the finish kinds (`finish`, `grant_finish`, `partner_finish`: the
 * access is already live, only the confirmation comment is left) expose nothing new:
 * `undefined`.
 */
import type { Change, ChangeKind, Exposure } from '../model/plan.js';
import type { ObservedOrg, ObservedUser } from '../model/observed.js';
import { isWidening, sharingFromFlags } from '../model/sharing.js';

/** The kinds that can widen access, and so have an exposure. */
export const WIDENING_KINDS: ReadonlySet<ChangeKind> = new Set<ChangeKind>(['enable', 'change_type', 'user_grant', 'partner_add']);

/** Lowercased domain of an email address, or null. */
export function emailDomain(email: string | null): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  return at < 0 ? null : email.slice(at + 1).toLowerCase();
}

export interface ExposureContext {
  /** The organization as it is live now. */
  org: ObservedOrg;
  /** Its current members (organizationUsers); agents, admins and suspended users are ignored. */
  members: ObservedUser[];
  /** Its ticket count (count endpoint). */
  ticketCount: number;
  /** For `user_grant`: the user as it is live now (null when not found). */
  user?: ObservedUser | null;
  /** For `partner_add`: known users whose email has the partner domain. */
  domainUsers?: ObservedUser[];
}


function active(users: ObservedUser[]): ObservedUser[] {
  return users.filter((u) => u.role === 'end-user' && !u.suspended);
}

function n(value: number): string {
  return value.toLocaleString('en-US');
}

function users(count: number): string {
  return `${n(count)} user${count === 1 ? '' : 's'}`;
}

function tickets(count: number): string {
  return `${n(count)} ticket${count === 1 ? '' : 's'}`;
}

export function exposureOf(change: Change, ctx: ExposureContext): Exposure | undefined {
  const live = sharingFromFlags({ shared_tickets: ctx.org.sharedTickets, shared_comments: ctx.org.sharedComments });
  const members = active(ctx.members);
  switch (change.kind) {
    case 'enable':
    case 'change_type': {
      if (!isWidening(change.from, change.to)) return undefined;
      // Members who already see everything through a user grant gain no visibility.
      const gainingSight = change.from === 'private' ? members.filter((u) => u.ticketRestriction !== 'organization').length : 0;
      const commenters = change.to === 'read_write' ? members.length : 0;
      const parts: string[] = [];
      if (gainingSight > 0) parts.push(`lets ${users(gainingSight)} see ${tickets(ctx.ticketCount)} they cannot see today`);
      if (commenters > 0) parts.push(`lets ${users(commenters)} comment on ${tickets(ctx.ticketCount)} that are not theirs`);
      return {
        usersGaining: gainingSight,
        ticketsVisible: ctx.ticketCount,
        commentersGaining: commenters,
        note: parts.length > 0 ? `This change ${parts.join(', and ')}.` : 'No member gains access (the organization has no end-user members yet).',
      };
    }
    case 'user_grant': {
      if (change.to !== 'organization') return undefined;
      const user = ctx.user ?? null;
      if (user && user.ticketRestriction === 'organization') {
        return { usersGaining: 0, ticketsVisible: 0, commentersGaining: 0, note: `${change.email} already sees every ticket of the organization.` };
      }
      if (live !== 'private') {
        return {
          usersGaining: 0,
          ticketsVisible: 0,
          commentersGaining: 0,
          note: `${change.email} already sees every ticket as a member of a shared organization; the grant matters once it is made private, and in the user's other organizations.`,
        };
      }
      return {
        usersGaining: 1,
        ticketsVisible: ctx.ticketCount,
        commentersGaining: 0,
        note: `This change lets 1 user (${change.email}) see ${tickets(ctx.ticketCount)} they cannot see today, and every ticket of any other organization they belong to.`,
      };
    }
    case 'partner_add': {
      const domain = change.domain.toLowerCase();
      const memberIds = new Set(ctx.members.map((u) => u.id));
      const joining = active(ctx.domainUsers ?? []).filter((u) => emailDomain(u.email) === domain && !memberIds.has(u.id));
      const existing = ctx.domainUsers === undefined ? 'how many users with that domain exist today was not read' : `${users(joining.length)} with that domain exist today`;
      if (live === 'private') {
        return {
          usersGaining: 0,
          ticketsVisible: 0,
          commentersGaining: 0,
          note: `Users @${domain} may join the organization; while it is private they see only their own tickets.`,
        };
      }
      return {
        usersGaining: joining.length,
        ticketsVisible: ctx.ticketCount,
        commentersGaining: live === 'read_write' ? joining.length : 0,
        note: `Users @${domain} who join the organization (new users join automatically) see ${tickets(ctx.ticketCount)}; ${existing}.`,
      };
    }
    case 'disable':
    case 'finish':
    case 'grant_finish':
    case 'partner_finish':
    case 'user_revoke':
    case 'partner_remove':
      return undefined;
    default: {
      const never: never = change;
      throw new Error(`unknown change ${String((never as Change).kind)}`);
    }
  }
}
