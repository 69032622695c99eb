/**
 * A read set: what `observe` must read, beyond its fixed first pass, for `plan()` to run
 * once on complete data. Computed purely by src/plan/reads.ts from the planner's own
 * comparisons; executed by src/remote/observe.ts, which decides nothing.
 */

/** One ticket to read. */
export interface TicketRead {
  /** Its comments are evidence of a widening change: read them even when the ticket is solved or closed. */
  evidence: boolean;
  /** The ticket of an organization's sharing change: its metadata step needs the ticket fields while it is open. */
  fields: boolean;
}

/** People one organization's changes check. */
export interface PeopleRead {
  orgId: number;
  /** Lowercased emails to find (approvers, requesters, granted users). */
  emails: string[];
  /** Of those, the ones whose organization memberships are checked (approvers and grantees of widening changes). */
  memberEmails: string[];
}

export interface ReadSet {
  /** Tickets by id; only tickets on this account (the ticket-host rule). */
  tickets: Map<number, TicketRead>;
  people: PeopleRead[];
  /**
   * Request tickets of widening sharing changes whose requester's memberships are checked
   * (the requester may confirm the type), with the organization they must belong to.
   */
  requesters: { ticketId: number; orgId: number }[];
  /** Organizations whose members and ticket count are read for the exposure of a widening change. */
  exposure: number[];
}
