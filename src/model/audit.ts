/**
 * Zendesk audit-log entries as orgshare reads them (docs/history-and-review.md): who
 * changed what and when. Zendesk's audit log does not say through which channel a change
 * came; orgshare infers it from the actor (docs/history-and-review.md, "Through what").
 */
import type { Sharing } from './sharing.js';

export interface AuditEntry {
  id: number;
  action: string;
  actorId: number | null;
  actorName: string | null;
  /** The change_description as Zendesk wrote it (one line per attribute). */
  description: string;
  /** ISO timestamp. */
  at: string;
  sourceType: string;
  sourceId: number;
  sourceLabel: string | null;
  ipAddress: string | null;
}

/** What one audit entry changed, as far as orgshare manages it. */
export interface AuditChange {
  /** Sharing flags after the change (null: the description names the flags without values). */
  sharing?: { to: Sharing | null };
  /** A user's ticket restriction after the change. */
  ticketRestriction?: { to: string | null };
  /** The organization's email domains changed (partner domains live there). */
  domains?: { added: string[]; removed: string[] };
}
