/**
 * Live Zendesk state as orgshare sees it, after mapping (src/remote/mapping.ts).
 * Field names follow the model (camelCase); Zendesk's names live only in remote/.
 */

export interface ObservedOrg {
  id: number;
  name: string;
  sharedTickets: boolean;
  sharedComments: boolean;
  details: string | null;
  notes: string | null;
  domainNames: string[];
  updatedAt: string;
}

export type UserRole = 'end-user' | 'agent' | 'admin';
export type TicketRestriction = 'organization' | 'groups' | 'assigned' | 'requested' | null;

export interface ObservedUser {
  id: number;
  email: string | null;
  name: string;
  role: UserRole;
  /** Default organization. */
  organizationId: number | null;
  ticketRestriction: TicketRestriction;
  notes: string | null;
  details: string | null;
  suspended: boolean;
  updatedAt: string;
}

export interface ObservedMembership {
  id: number;
  userId: number;
  organizationId: number;
  default: boolean | null;
}

export type TicketStatus = 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';

export interface ObservedTicket {
  id: number;
  organizationId: number | null;
  requesterId: number;
  status: TicketStatus;
  updatedAt: string;
  customFields: { id: number; value: unknown }[];
}

export interface ObservedComment {
  id: number;
  authorId: number;
  body: string;
  public: boolean;
  createdAt: string;
}

export interface TicketField {
  id: number;
  title: string;
  type: string;
  options: { name: string; value: string }[];
}

/** Everything read from the ticket side to verify a change's evidence. */
export interface TicketEvidence {
  ticket: ObservedTicket | null;
  comments: ObservedComment[];
}

/**
 * The observed world a plan is computed against. Maps are keyed by id (or lowercased
 * email). Only what the changed organizations need is present: a missing key means
 * "not read", a null value means "read and not found".
 */
export interface Observed {
  account: { subdomain: string | null; baseUrl: string; currentUserId: number | null };
  orgs: Map<number, ObservedOrg | null>;
  users: Map<number, ObservedUser>;
  usersByEmail: Map<string, ObservedUser | null>;
  /** userId → memberships. */
  memberships: Map<number, ObservedMembership[]>;
  tickets: Map<number, TicketEvidence>;
  ticketFields: TicketField[];
  /** Member user ids of the organizations whose members were listed (users are in `users`). */
  orgMembers?: Map<number, number[]>;
  /** Ticket counts of the organizations whose exposure was read. */
  ticketCounts?: Map<number, number>;
}

export function emptyObserved(baseUrl = '', subdomain: string | null = null): Observed {
  return {
    account: { subdomain, baseUrl, currentUserId: null },
    orgs: new Map(),
    users: new Map(),
    usersByEmail: new Map(),
    memberships: new Map(),
    tickets: new Map(),
    ticketFields: [],
  };
}
