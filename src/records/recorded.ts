/**
 * Text rules the executor relies on to stay level-based: recognising a Details (or user
 * notes) line that is already there. Line formats and parsing belong to ./details.ts;
 * this module only compares.
 */
import { parseAccessHistory, parseHistory, parsePartnerHistory } from './details.js';

function lines(text: string | null): string[] {
  return text === null ? [] : text.split(/\r?\n|\r/).map((l) => l.trim());
}

/** How many lines of `text` are exactly `line` (surrounding whitespace ignored). */
export function countLine(text: string | null, line: string): number {
  const want = line.trim();
  return lines(text).filter((l) => l === want).length;
}

/**
 * True when the Details already record this change: the line itself is present, or the
 * most recent history line is the same transition on the same ticket with another date
 * (an earlier apply interrupted on another day; for a partner line: the last line for
 * that domain names the same ticket). Appending again would give the organization two
 * records of one request.
 */
export function detailsRecord(details: string | null, line: string): boolean {
  if (countLine(details, line) > 0) return true;
  const partner = parsePartnerHistory(line)[0];
  if (partner) {
    // A partner line: the last line for that domain names the same ticket.
    const lastForDomain = parsePartnerHistory(details).filter((e) => e.domain === partner.domain).at(-1);
    return lastForDomain !== undefined && lastForDomain.ticketId !== null && lastForDomain.ticketId === partner.ticketId && lastForDomain.host === partner.host;
  }
  const want = parseHistory(line)[0];
  const last = parseHistory(details).at(-1);
  if (!want || !last) return false;
  return (
    last.action === want.action &&
    last.type === want.type &&
    last.ticketId !== null &&
    last.ticketId === want.ticketId &&
    last.host === want.host
  );
}

/** Same rule for the access line in a user's notes. */
export function notesRecord(notes: string | null, line: string): boolean {
  if (countLine(notes, line) > 0) return true;
  const want = parseAccessHistory(line)[0];
  const last = parseAccessHistory(notes).at(-1);
  if (!want || !last) return false;
  return last.access === want.access && last.ticketId !== null && last.ticketId === want.ticketId && last.host === want.host;
}
