/**
 * What an audit-log entry changed, read from its change_description (one line per
 * attribute, e.g. `Shared tickets changed from false to true`). Only what orgshare
 * manages: sharing flags, a user's ticket restriction, an organization's domains.
 * The wording is matched loosely (the new value is the last word of the line) so that
 * small differences in Zendesk's phrasing do not hide a change.
 */
import type { AuditChange, AuditEntry } from '../model/audit.js';
import type { Sharing } from '../model/sharing.js';

const BOOL = /\b(true|false)\b[^\w]*$/i;

function lineAbout(description: string, re: RegExp): string | null {
  return description.split(/\r?\n/).find((l) => re.test(l)) ?? null;
}

function newBool(line: string | null): boolean | null | undefined {
  if (line === null) return undefined;
  const m = BOOL.exec(line);
  return m ? m[1]!.toLowerCase() === 'true' : null;
}

/** Sharing after the change, from the flags it names (null: named, value unreadable). */
function sharingAfter(tickets: boolean | null | undefined, comments: boolean | null | undefined): Sharing | null {
  if (tickets === false) return 'private';
  if (tickets === null || comments === null) return null;
  if (tickets === true) return comments === true ? 'read_write' : 'read_only';
  // Only comments changed: Zendesk allows shared comments only with shared tickets.
  return comments ? 'read_write' : 'read_only';
}

function domainList(text: string): string[] {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((d): d is string => typeof d === 'string').map((d) => d.toLowerCase()) : [];
  } catch {
    return [];
  }
}

export function auditChange(entry: AuditEntry): AuditChange {
  const out: AuditChange = {};
  const d = entry.description;
  if (entry.sourceType === 'organization') {
    const tickets = newBool(lineAbout(d, /\bshared[ _]tickets\b/i));
    const comments = newBool(lineAbout(d, /\bshared[ _]comments\b/i));
    if (tickets !== undefined || comments !== undefined) out.sharing = { to: sharingAfter(tickets, comments) };
    const domains = lineAbout(d, /\bdomain[ _]names\b/i);
    if (domains !== null) {
      const m = /from\s+(\[.*?\])\s+to\s+(\[.*?\])/i.exec(domains);
      const before = m ? domainList(m[1]!) : [];
      const after = m ? domainList(m[2]!) : [];
      out.domains = { added: after.filter((x) => !before.includes(x)), removed: before.filter((x) => !after.includes(x)) };
    }
  } else if (entry.sourceType === 'user') {
    const line = lineAbout(d, /\bticket[ _]restriction\b/i);
    if (line !== null) {
      const m = /"?(organization|requested|groups|assigned)"?[^\w]*$/i.exec(line);
      out.ticketRestriction = { to: m ? m[1]!.toLowerCase() : null };
    }
  }
  return out;
}

/** True when the entry changes something orgshare manages. */
export function isManagedChange(c: AuditChange): boolean {
  return c.sharing !== undefined || c.ticketRestriction !== undefined || (c.domains !== undefined && (c.domains.added.length > 0 || c.domains.removed.length > 0));
}
