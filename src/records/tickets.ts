/**
 * Two rules about the tickets orgshare's records cite, each with one home:
 * - the ticket-host rule: which hosts are this account's (`{subdomain}.zendesk.com` plus
 *   `ticket_hosts`, docs/config-format.md), and
 * - "the ticket is done": solved or closed tickets are left alone (no metadata, comment
 *   or solve; docs/apply.md).
 */
import type { TicketStatus } from '../model/observed.js';

/** The account a ticket must belong to: its subdomain (null or empty while unknown) and `ticket_hosts`. */
export interface TicketAccount {
  subdomain: string | null;
  ticketHosts: readonly string[];
}

/** Hosts a ticket URL may use, lowercased: `{subdomain}.zendesk.com` (when known), then `ticket_hosts`. */
export function accountTicketHosts(account: TicketAccount): string[] {
  const hosts = account.subdomain ? [`${account.subdomain.toLowerCase()}.zendesk.com`] : [];
  for (const h of account.ticketHosts) {
    const host = h.toLowerCase();
    if (!hosts.includes(host)) hosts.push(host);
  }
  return hosts;
}

/**
 * The ticket-host rule: true when `host` is one of the account's, false when it is not,
 * null when that cannot be told (the subdomain is unknown and the host is not listed).
 */
export function ticketOnAccount(host: string | null, account: TicketAccount): boolean | null {
  if (host !== null && accountTicketHosts(account).includes(host.toLowerCase())) return true;
  return account.subdomain ? false : null;
}

/** Solved or closed: ticket steps are skipped and the ticket is not touched. */
export function ticketDone(status: TicketStatus | string): boolean {
  return status === 'solved' || status === 'closed';
}
