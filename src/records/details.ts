/**
 * orgshare's records in Zendesk: the organization Details history (both handbook forms,
 * docs/apply.md), the partner-domain lines in Details, and the user-notes access history:
 * generating the one line a change appends, and reading old lines back.
 *
 * Written form (current handbook):
 *   Shared organization (Read only) enabled 2026-11-23 as per https://acme.zendesk.com/agent/tickets/4821
 *   Shared organization (Read+write) enabled 2026-11-23 as per …
 *   Shared organization disabled 2026-11-23 as per …
 * Read forms: the above and the older lowercase types (`(read only)`, `(read+write)`),
 * anywhere in a line (bullets or trailing text around them are tolerated), LF or CRLF.
 */
import type { TicketRef, UserAccess } from '../model/desired.js';
import type { Sharing } from '../model/sharing.js';
import { sharingLabel } from '../model/sharing.js';
import { citedTicket } from './ticket-url.js';

export type SharingAction = 'enabled' | 'disabled';

/** UTC date, YYYY-MM-DD: the DATE of Details and notes lines (and of a plan). */
export function utcDate(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export interface HistoryEntry {
  action: SharingAction;
  /** null for `disabled` lines. */
  type: Exclude<Sharing, 'private'> | null;
  /** YYYY-MM-DD as written. */
  date: string;
  /** The URL as written (trailing punctuation removed). */
  ticketUrl: string;
  /** Ticket id parsed from the URL, or null when the URL is not a ticket URL. */
  ticketId: number | null;
  /** Lowercased host of the URL, or null when it does not parse. */
  host: string | null;
  /** 1-based line number in the text. */
  line: number;
  /** The matched text, exactly as written. */
  text: string;
}

/** The Details line for a sharing change, with the ticket's canonical agent URL. */
export function detailsLine(to: Sharing, date: string, ticket: TicketRef | string): string {
  const url = typeof ticket === 'string' ? ticket : ticket.canonical;
  return to === 'private'
    ? `Shared organization disabled ${date} as per ${url}`
    : `Shared organization (${sharingLabel(to)}) enabled ${date} as per ${url}`;
}

/**
 * Appends one line to a free-text field, keeping the existing text byte for byte.
 * A "\n" separator is added only when the existing text is non-empty and does not
 * already end with a newline.
 */
export function appendLine(text: string | null, line: string): string {
  if (text === null || text === '') return line;
  return text.endsWith('\n') ? text + line : `${text}\n${line}`;
}

const SHARING_RE =
  /Shared organization\s+(?:\((read only|read\+write)\)\s+(enabled)|(disabled))\s+(\d{4}-\d{2}-\d{2})\s+as per\s+(\S+)/gi;

/** Where a dated "… as per URL" line cites its ticket, and on which line it stands. */
interface Citation {
  date: string;
  ticketUrl: string;
  ticketId: number | null;
  host: string | null;
  line: number;
}

/**
 * Every match of `re` (global; its `dateGroup` and `urlGroup` hold the date and the ticket
 * URL) in a free-text field, line by line, in order; `build` adds what the line records.
 */
function scanLines<T>(
  text: string | null,
  re: RegExp,
  groups: { date: number; url: number },
  build: (m: RegExpMatchArray, cite: Citation) => T,
): T[] {
  if (!text) return [];
  const out: T[] = [];
  text.split(/\r?\n|\r/).forEach((lineText, i) => {
    for (const m of lineText.matchAll(re)) {
      const url = trimUrl(m[groups.url] ?? '');
      const parsed = citedTicket(url);
      out.push(build(m, { date: m[groups.date] ?? '', ticketUrl: url, ticketId: parsed?.id ?? null, host: parsed?.host ?? hostOf(url), line: i + 1 }));
    }
  });
  return out;
}

/** Every sharing line in `details`, in order of appearance. */
export function parseHistory(details: string | null): HistoryEntry[] {
  return scanLines(details, SHARING_RE, { date: 4, url: 5 }, (m, cite) => {
    const [text, typeText, , disabled, , rawUrl] = m;
    return {
      action: disabled ? 'disabled' : 'enabled',
      type: disabled ? null : typeText?.toLowerCase() === 'read only' ? 'read_only' : 'read_write',
      ...cite,
      text: text.slice(0, text.length - (rawUrl ?? '').length) + cite.ticketUrl,
    };
  });
}

/** The last sharing line, or null. */
export function lastHistoryEntry(details: string | null): HistoryEntry | null {
  return parseHistory(details).at(-1) ?? null;
}

/** True when `entry` records exactly the change to `to` made for `ticket`. */
export function entryRecords(entry: HistoryEntry | null, to: Sharing, ticket: TicketRef): boolean {
  if (!entry || entry.ticketId !== ticket.id) return false;
  if (entry.host !== null && entry.host !== ticket.host && entry.host !== hostOf(ticket.canonical)) return false;
  if (to === 'private') return entry.action === 'disabled';
  return entry.action === 'enabled' && entry.type === to;
}

// ---- user notes: user-level grants --------------------------------------------------

const ACCESS_LABEL: Record<UserAccess, string> = {
  organization: 'All organization tickets',
  requested: 'Own tickets only',
};

/** The line appended to a user's notes when their ticket access is changed. */
export function accessLine(access: UserAccess, date: string, ticket: TicketRef | string): string {
  const url = typeof ticket === 'string' ? ticket : ticket.canonical;
  const verb = access === 'organization' ? 'granted' : 'set';
  return `Ticket access (${ACCESS_LABEL[access]}) ${verb} ${date} as per ${url}`;
}

export interface AccessEntry {
  access: UserAccess;
  date: string;
  ticketUrl: string;
  ticketId: number | null;
  host: string | null;
  line: number;
}

const ACCESS_RE = /Ticket access\s+\((all organization tickets|own tickets only)\)\s+(?:granted|set)\s+(\d{4}-\d{2}-\d{2})\s+as per\s+(\S+)/gi;

/** Every access line in a user's notes, in order. */
export function parseAccessHistory(notes: string | null): AccessEntry[] {
  return scanLines(notes, ACCESS_RE, { date: 2, url: 3 }, (m, cite) => ({
    access: m[1]?.toLowerCase() === 'own tickets only' ? 'requested' : 'organization',
    ...cite,
  }));
}

/** True when the last access line of `notes` records `access` for `ticket`. */
export function accessRecorded(notes: string | null, access: UserAccess, ticket: TicketRef): boolean {
  const last = parseAccessHistory(notes).at(-1);
  return last !== undefined && last.access === access && sameTicket(last, ticket);
}

// ---- Details: partner domains ---------------------------------------------------------

/**
 * The Details line appended when a partner domain is added, in the style of the handbook's
 * sharing lines: `Partner domain partnerco.example added 2026-11-23 as per URL`. It is the
 * organization's record of the change (and of its ticket), read back to finish an apply
 * interrupted before the confirmation comment. Sharing history ignores it.
 */
export function partnerLine(domain: string, date: string, ticket: TicketRef | string): string {
  const url = typeof ticket === 'string' ? ticket : ticket.canonical;
  return `Partner domain ${domain.toLowerCase()} added ${date} as per ${url}`;
}

export interface PartnerEntry {
  /** Lowercased domain. */
  domain: string;
  date: string;
  ticketUrl: string;
  ticketId: number | null;
  host: string | null;
  line: number;
}

const PARTNER_RE = /Partner domain\s+(\S+)\s+added\s+(\d{4}-\d{2}-\d{2})\s+as per\s+(\S+)/gi;

/** Every partner line in `details`, in order. */
export function parsePartnerHistory(details: string | null): PartnerEntry[] {
  return scanLines(details, PARTNER_RE, { date: 2, url: 3 }, (m, cite) => ({ domain: (m[1] ?? '').toLowerCase(), ...cite }));
}

/** The last partner line for `domain` (case-insensitive), or null. */
export function lastPartnerEntry(details: string | null, domain: string): PartnerEntry | null {
  const want = domain.toLowerCase();
  return parsePartnerHistory(details).filter((e) => e.domain === want).at(-1) ?? null;
}

/** True when the last partner line for `domain` names `ticket`. */
export function partnerRecorded(details: string | null, domain: string, ticket: TicketRef): boolean {
  const last = lastPartnerEntry(details, domain);
  return last !== null && sameTicket(last, ticket);
}

// ---- helpers ----------------------------------------------------------------------

/** A parsed history URL names `ticket`: same id, and same host when the URL has one. */
function sameTicket(entry: { ticketId: number | null; host: string | null }, ticket: TicketRef): boolean {
  return (
    entry.ticketId === ticket.id && (entry.host === null || entry.host === ticket.host || entry.host === hostOf(ticket.canonical))
  );
}

/** Drops punctuation that ends a sentence rather than the URL ("…/4821." or "…/4821)"). */
function trimUrl(url: string): string {
  return url.replace(/[.,;:!?)\]}>'"’”]+$/u, '');
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return null;
  }
}
