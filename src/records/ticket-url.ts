/**
 * Ticket URLs: the strict parser for organization files (docs/file-format.md) and the
 * reader of the URLs orgshare's own records cite (Details and notes lines). Both use one
 * path rule.
 *
 * Accepted, and nothing else:
 *   https://{subdomain}.zendesk.com/agent/tickets/{id}
 *   https://{subdomain}.zendesk.com/hc/requests/{id}
 *   https://{subdomain}.zendesk.com/hc/{locale}/requests/{id}
 *   the same paths on a host listed in the policy's `ticket_hosts`.
 * The URL is parsed by hand, not with WHATWG `URL`, which silently normalises exactly
 * what a reviewer must see: backslashes, percent-encoding, IDN hosts, default ports,
 * trailing dots. A reviewer reading the file and orgshare must agree on the ticket.
 */
import type { TicketRef } from '../model/desired.js';
import type { Policy } from '../model/policy.js';
import { ticketOnAccount } from './tickets.js';

export type TicketUrlCode =
  | 'not_a_string'
  | 'not_https'
  | 'bad_characters'
  | 'userinfo'
  | 'port'
  | 'query'
  | 'fragment'
  | 'encoded_path'
  | 'bad_host'
  | 'lookalike_host'
  | 'unknown_host'
  | 'wrong_subdomain'
  | 'bad_path'
  | 'bad_id';

export type TicketUrlResult =
  | { ok: true; ref: TicketRef }
  | { ok: false; code: TicketUrlCode; message: string; hint: string };

const MAX_URL_LENGTH = 2048;
const ZENDESK_SUFFIX = '.zendesk.com';
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const PATHS = [/^\/agent\/tickets\/([^/]+)$/, /^\/hc\/requests\/([^/]+)$/, /^\/hc\/([a-z]{2,3}(?:-[a-z0-9]{2,8})*)\/requests\/([^/]+)$/i];
const TICKET_ID = /^[1-9][0-9]{0,15}$/;

/** The path rule: the id segment of a ticket path, or undefined when the path is not a ticket's. */
function ticketPathId(path: string): string | undefined {
  for (const re of PATHS) {
    const m = re.exec(path);
    if (m) return m[m.length - 1];
  }
  return undefined;
}

/**
 * Ticket id and host of a URL cited by a record (a Details or notes line), or null when
 * it is not a ticket URL. Lenient where records are: any host (the ticket-host rule is
 * applied by whoever compares), a trailing slash, leading zeros.
 */
export function citedTicket(url: string): { id: number; host: string } | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const idText = ticketPathId(u.pathname.replace(/\/$/, ''));
  if (idText === undefined || !/^\d+$/.test(idText) || !Number.isSafeInteger(Number(idText))) return null;
  return { id: Number(idText), host: u.host.toLowerCase() };
}

/**
 * The canonical agent URL of a ticket on `host` (used in Details lines, comments and
 * links). parseTicketUrl passes the account's own host whenever the subdomain is known.
 */
export function canonicalTicketUrl(host: string, id: number): string {
  return `https://${host}/agent/tickets/${id}`;
}

export function parseTicketUrl(url: unknown, policy: Pick<Policy, 'subdomain' | 'ticketHosts'>): TicketUrlResult {
  const example = `https://${policy.subdomain ?? 'SUBDOMAIN'}.zendesk.com/agent/tickets/4821`;
  const fail = (code: TicketUrlCode, message: string, hint = `write the ticket URL like ${example}`): TicketUrlResult => ({
    ok: false,
    code,
    message,
    hint,
  });

  if (typeof url !== 'string') return fail('not_a_string', 'ticket URL must be a string');
  if (url.length > MAX_URL_LENGTH) return fail('bad_characters', `ticket URL is longer than ${MAX_URL_LENGTH} characters`);
  // Whitespace, controls, backslashes and non-ASCII (IDN lookalikes) are never needed.
  if (/[^\x21-\x7e]|\\/.test(url)) {
    return fail('bad_characters', 'ticket URL contains spaces, backslashes, control or non-ASCII characters');
  }
  if (!url.startsWith('https://')) {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
    if (scheme?.toLowerCase() === 'https') return fail('not_https', 'ticket URL must start with "https://" (lowercase, two slashes)');
    return fail('not_https', scheme ? `ticket URL must use https, not ${scheme}:` : 'ticket URL must start with https://');
  }
  const rest = url.slice('https://'.length);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  const tail = authorityEnd < 0 ? '' : rest.slice(authorityEnd);

  if (authority.includes('@')) {
    return fail('userinfo', 'ticket URL must not contain a user name or password (user@host)', `the real host is the part after "@"; write ${example}`);
  }
  if (authority.includes(':') || authority.startsWith('[')) return fail('port', 'ticket URL must not contain a port (host:port)');
  const queryAt = tail.indexOf('?');
  const fragmentAt = tail.indexOf('#');
  if (queryAt >= 0 && (fragmentAt < 0 || queryAt < fragmentAt)) {
    return fail('query', 'ticket URL must not contain a query string (?…)', `remove everything from "?"; write ${example}`);
  }
  if (fragmentAt >= 0) return fail('fragment', 'ticket URL must not contain a fragment (#…)', `remove everything from "#"; write ${example}`);
  if (tail.includes('%')) return fail('encoded_path', 'ticket URL must not contain percent-encoded characters');

  const host = authority.toLowerCase();
  const hostProblem = checkHost(host, policy, example);
  if (hostProblem) return hostProblem;

  const idText = ticketPathId(tail);
  if (idText === undefined) {
    return fail('bad_path', `ticket URL path ${JSON.stringify(tail || '/')} is not a ticket (/agent/tickets/{id}, /hc/requests/{id} or /hc/{locale}/requests/{id})`);
  }
  if (!TICKET_ID.test(idText) || !Number.isSafeInteger(Number(idText))) {
    return fail('bad_id', `ticket id ${JSON.stringify(idText)} is not a positive whole number`);
  }
  const id = Number(idText);
  const subdomain = host.endsWith(ZENDESK_SUFFIX) ? host.slice(0, -ZENDESK_SUFFIX.length) : null;
  // Details lines always use the canonical agent URL (docs/file-format.md). The ticket is read by id
  // from this account whatever host the file names, so the record cites the account's
  // own host, never a ticket_hosts entry (a reviewed config line must not make every
  // Details line point at a host someone else may control). Only while the account is
  // unknown does the canonical URL keep the host as written (a zendesk.com subdomain).
  const canonicalHost = policy.subdomain ? `${policy.subdomain}${ZENDESK_SUFFIX}` : host;
  return { ok: true, ref: { url, id, host, subdomain, canonical: canonicalTicketUrl(canonicalHost, id) } };
}

function checkHost(host: string, policy: Pick<Policy, 'subdomain' | 'ticketHosts'>, example: string): TicketUrlResult | null {
  const fail = (code: TicketUrlCode, message: string, hint = `write the ticket URL like ${example}`): TicketUrlResult => ({
    ok: false,
    code,
    message,
    hint,
  });
  const labels = host.split('.');
  if (host === '' || !labels.every((l) => LABEL.test(l)) || IPV4.test(host)) {
    return fail('bad_host', `ticket URL host ${JSON.stringify(host)} is not a valid host name`);
  }
  if (labels.some((l) => l.startsWith('xn--'))) {
    return fail('lookalike_host', `ticket URL host ${JSON.stringify(host)} uses punycode (xn--), which can imitate another host`);
  }
  if (policy.ticketHosts.includes(host)) return null;
  if (host.endsWith(ZENDESK_SUFFIX) && labels.length === 3) {
    const sub = labels[0]!;
    if (ticketOnAccount(host, policy) === false) {
      return fail(
        'wrong_subdomain',
        `ticket is on ${sub}.zendesk.com, not on this account (${policy.subdomain}.zendesk.com)`,
        `use the request's ticket on ${policy.subdomain}.zendesk.com, or check subdomain in orgshare.config.yaml and ZENDESK_SUBDOMAIN`,
      );
    }
    return null;
  }
  if (host.includes('zendesk')) {
    return fail('lookalike_host', `ticket URL host ${JSON.stringify(host)} looks like a Zendesk host but is not {subdomain}.zendesk.com`);
  }
  return fail(
    'unknown_host',
    `ticket URL host ${JSON.stringify(host)} is not {subdomain}.zendesk.com`,
    'use the Zendesk URL of the ticket, or list this host under ticket_hosts in orgshare.config.yaml',
  );
}
