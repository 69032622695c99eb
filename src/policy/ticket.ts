/**
 * `ticket_url` and `ticket_org`: the request ticket is on this account and belongs to the
 * organization being changed. The only checks a narrowing change needs.
 */
import type { SourceRef, TicketRef } from '../model/desired.js';
import type { Observed, TicketEvidence } from '../model/observed.js';
import type { CheckResult } from '../model/plan.js';
import type { Policy } from '../model/policy.js';
import { accountTicketHosts } from '../records/tickets.js';
import { orgLabel } from './lookup.js';
import { fail, pass } from './result.js';

/**
 * Hosts a ticket URL may use: `{subdomain}.zendesk.com` of the account being talked to
 * (falling back to the configured subdomain) plus `ticket_hosts`. Lowercased.
 */
export function allowedTicketHosts(policy: Policy, account: Observed['account']): string[] {
  return accountTicketHosts({ subdomain: account.subdomain ?? policy.subdomain, ticketHosts: policy.ticketHosts });
}

export function checkTicketUrl(ticket: TicketRef, allowedHosts: string[], source?: SourceRef): CheckResult {
  if (allowedHosts.length === 0) {
    return fail(
      'ticket_url',
      `cannot verify ${ticket.url}: the account’s subdomain is unknown`,
      'set ZENDESK_SUBDOMAIN (or subdomain in orgshare.config.yaml)',
      source,
    );
  }
  if (!allowedHosts.includes(ticket.host.toLowerCase())) {
    return fail(
      'ticket_url',
      `ticket URL ${ticket.url} is on ${ticket.host}, not on this account (${allowedHosts.join(', ')})`,
      `use the request ticket of this account, e.g. https://${allowedHosts[0]}/agent/tickets/ID, or list the host in ticket_hosts`,
      source,
    );
  }
  return pass('ticket_url', `ticket ${ticket.id} is on ${ticket.host}`, source);
}

export function checkTicketOrg(
  ticket: TicketRef,
  evidence: TicketEvidence | undefined,
  orgId: number,
  orgName: string,
  observed: Observed,
  source?: SourceRef,
): CheckResult {
  if (evidence === undefined) {
    return fail('ticket_org', `ticket ${ticket.id} was not read from Zendesk`, 'run plan again; if it persists, report a bug', source);
  }
  const t = evidence.ticket;
  if (t === null) {
    return fail(
      'ticket_org',
      `ticket ${ticket.id} does not exist in Zendesk (or is not visible to the API user)`,
      'check request.ticket: it must be the ticket in which the organization asked for this change',
      source,
    );
  }
  if (t.organizationId !== orgId) {
    const actual = t.organizationId === null ? 'no organization' : `organization ${orgLabel(observed, t.organizationId)}`;
    return fail(
      'ticket_org',
      `ticket ${ticket.id} belongs to ${actual}, not to ${orgName} (${orgId})`,
      'use a ticket requested by this organization; if the ticket’s organization is wrong, correct it in Zendesk first',
      source,
    );
  }
  return pass('ticket_org', `ticket ${ticket.id} belongs to ${orgName} (${orgId})`, source);
}
