/**
 * The effective-access report (docs/access.md): for each organization, who can see all of its
 * tickets, who can comment on them, and why. Built purely by `computeAccess`
 * (src/access/compute.ts) from bulk reads, rendered by src/access/render.ts.
 */
import type { Sharing } from '../model/sharing.js';

/**
 * Why a user sees every ticket of an organization.
 * - `org_shared`: the organization's "Can view all org tickets" (shared_tickets) applies to
 *   every member.
 * - `user_grant`: the user's own `ticket_restriction: organization` ("Can view tickets from
 *   the user's organization"); the more permissive of the two settings wins (docs/access.md), so
 *   this works even while the organization is private.
 */
export type AccessReason = 'org_shared' | 'user_grant';

/** How the user came to be a member of the organization. */
export type MembershipVia =
  /** The organization is the user's default organization. */
  | 'default'
  /** A further membership of a user whose default organization is another one. */
  | 'additional'
  /**
   * A further membership whose email domain is listed in this organization's domain_names:
   * a professional partner (docs/access.md) whose domain was added to the associated organization.
   */
  | 'partner_domain';

export interface AccessUser {
  userId: number;
  email: string | null;
  name: string;
  via: MembershipVia;
  /** The user's default organization (may be another organization). */
  defaultOrgId: number | null;
  /** Other organizations the user belongs to (only those read). */
  otherOrgIds: number[];
  reasons: AccessReason[];
  /** Can comment on every ticket of the organization (shared_comments). */
  canComment: boolean;
}

export interface OrgAccess {
  orgId: number;
  orgName: string;
  sharing: Sharing;
  /** Tickets of the organization (count endpoint); null when not counted. */
  ticketCount: number | null;
  /** End-user members. Agents and admins see tickets by role and are left out. */
  members: number;
  /** Members who see every ticket of the organization, with reasons. */
  seeAll: AccessUser[];
  /** How many of `seeAll` may also comment on every ticket. */
  commenters: number;
  /** Members in the organization through a partner domain or as a further organization. */
  crossOrg: AccessUser[];
  /** Entries of domain_names that bring in users whose default organization is elsewhere. */
  partnerDomains: string[];
  notes: string[];
}

export interface AccessReport {
  formatVersion: 1;
  generatedAt: string;
  account: { subdomain: string | null; baseUrl: string };
  orgs: OrgAccess[];
  totals: {
    organizations: number;
    /** Distinct end-users who see every ticket of at least one organization. */
    usersSeeingAll: number;
    /** Distinct end-users seeing all tickets through a user-level grant only. */
    userGrants: number;
    /** Tickets in organizations where somebody other than the requester sees them all. */
    ticketsExposed: number;
  };
  /** Account-wide notes (CCs, agents). */
  notes: string[];
}
