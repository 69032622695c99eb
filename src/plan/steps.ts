/**
 * Step builders. Steps are listed in handbook order (ticket metadata → organization →
 * comment and solve); a step that need not run carries `skip` with the reason, so the plan
 * says what it will not do and why. Re-running is harmless: a Details/notes line already
 * recorded is not written twice and a confirmation already posted is not posted again.
 */
import type { TicketRef } from '../model/desired.js';
import type { ObservedOrg, ObservedUser, TicketEvidence } from '../model/observed.js';
import type { Step } from '../model/plan.js';
import type { Sharing } from '../model/sharing.js';
import { flagsFromSharing } from '../model/sharing.js';
import { findConfirmation } from '../records/comments.js';
import { accessLine, accessRecorded, appendLine, detailsLine, partnerLine, partnerRecorded } from '../records/details.js';
import { ticketDone } from '../records/tickets.js';
import { fieldIsSet, type FieldTarget } from './ticket-fields.js';

/** Why ticket steps cannot or need not run, or undefined when they can. */
export function ticketSkipReason(ticket: TicketRef, evidence: TicketEvidence | undefined): string | undefined {
  if (evidence === undefined) return `ticket ${ticket.id} was not read`;
  if (evidence.ticket === null) return `ticket ${ticket.id} does not exist`;
  const status = evidence.ticket.status;
  if (ticketDone(status)) return `ticket ${ticket.id} is already ${status}`;
  return undefined;
}

export function metadataStep(ticket: TicketRef, evidence: TicketEvidence | undefined, targets: FieldTarget[]): Step {
  const reason = ticketSkipReason(ticket, evidence);
  const pending = targets.filter((t) => !fieldIsSet(evidence, t));
  const step: Step = { kind: 'ticket_metadata', ticketId: ticket.id, fields: pending };
  if (reason) return { ...step, fields: [], skip: `${reason}: ticket fields are left as they are` };
  if (pending.length === 0) return { ...step, skip: 'the ticket fields already have these values' };
  return step;
}

export function commentStep(
  ticket: TicketRef,
  evidence: TicketEvidence | undefined,
  body: string,
  currentUserId: number | null,
): Step {
  const step: Step = { kind: 'ticket_comment', ticketId: ticket.id, body, solve: true };
  const reason = ticketSkipReason(ticket, evidence);
  if (reason) return { ...step, skip: `${reason}: no comment is posted and the status is left as it is` };
  const posted = findConfirmation(evidence, currentUserId, body);
  if (posted) return { ...step, skip: `this confirmation is already on ticket ${ticket.id} (comment ${posted.id})` };
  return step;
}

/**
 * Flags and exactly one new Details line. Always a new line: every change orgshare makes
 * to sharing is recorded, also when an earlier line names the same change and ticket
 * (sharing was changed by hand since, and this corrects it; docs/drift-and-import.md).
 */
export function orgSharingStep(live: ObservedOrg, to: Sharing, ticket: TicketRef, date: string): Step {
  const before = live.details;
  const line = detailsLine(to, date, ticket);
  return {
    kind: 'org_update',
    orgId: live.id,
    flags: flagsFromSharing(to),
    detailsLine: line,
    detailsBefore: before,
    detailsAfter: appendLine(before, line),
  };
}

/**
 * The full domain list (Zendesk replaces it, not merges) and one dated Details line
 * recording the partner and its ticket, unless the last partner line for this domain
 * already names that ticket. `detailsBefore` is the Details as the plan's earlier steps
 * on this organization leave them, so steps applied in order append one line each.
 */
export function orgDomainsStep(
  live: ObservedOrg,
  domainNames: string[],
  partner: { domain: string; ticket: TicketRef },
  date: string,
  detailsBefore: string | null,
): Step {
  const step: Step = { kind: 'org_update', orgId: live.id, domainNames, detailsBefore, detailsAfter: detailsBefore };
  if (partnerRecorded(detailsBefore, partner.domain, partner.ticket)) return step;
  const line = partnerLine(partner.domain, date, partner.ticket);
  return { ...step, detailsLine: line, detailsAfter: appendLine(detailsBefore, line) };
}

/**
 * The restriction and one dated notes line. When the last access line of the notes
 * already records this grant, `notesAfter` equals `notesBefore` (no second line).
 */
export function userStep(user: ObservedUser, access: 'organization' | 'requested', ticket: TicketRef, date: string): Step {
  const line = accessLine(access, date, ticket);
  const recorded = accessRecorded(user.notes, access, ticket);
  return {
    kind: 'user_update',
    userId: user.id,
    ticketRestriction: access,
    notesLine: line,
    notesBefore: user.notes,
    notesAfter: recorded ? (user.notes ?? '') : appendLine(user.notes, line),
  };
}
