/**
 * Import, pure part: from one live organization (and what was read around it) to the
 * record written as `orgs/<slug>.yaml`, or a reason it cannot be imported.
 *
 * docs/drift-and-import.md: sharing comes from the live flags; the ticket
 * and its date from the LAST sharing line of Details (current and older lowercase forms,
 * parsed by src/records/details.ts); `request.legacy: true` marks the evidence as predating
 * orgshare. A private organization without such a line was never shared: it gets a
 * baseline file (no request; it asserts that the organization stays private). A shared
 * organization without such a line is not guessed at: it is skipped and the user is told
 * to write the file by hand with the request ticket.
 */
import type { ObservedOrg, ObservedUser } from '../model/observed.js';
import type { Sharing } from '../model/sharing.js';
import { sharingFromFlags } from '../model/sharing.js';
import { lastHistoryEntry, parseAccessHistory, type HistoryEntry } from '../records/details.js';
import { ticketOnAccount } from '../records/tickets.js';

export interface ImportGrant {
  email: string;
  ticket: string;
  /** Where the ticket came from: the user's own notes line, or the organization's line. */
  ticketFrom: 'user_notes' | 'organization';
}

export interface ImportRecord {
  orgId: number;
  orgName: string;
  sharing: Sharing;
  /** Canonical agent URL of the ticket in the last Details line; null for a baseline file. */
  ticket: string | null;
  requester?: string;
  /** The last Details sharing line; null for a baseline file (never shared). */
  history: HistoryEntry | null;
  grants: ImportGrant[];
  /** Things a reviewer should know (e.g. history and live state disagree); also in the file. */
  warnings: string[];
  /** Information for the command's output only. */
  notes: string[];
}

export type BuildResult = { ok: true; record: ImportRecord } | { ok: false; reason: string };

export interface BuildInput {
  org: ObservedOrg;
  /** Email of the last line's ticket requester, when that ticket could be read. */
  requesterEmail?: string | null;
  /** The organization's members, when read; grants are imported only from these. */
  members?: ObservedUser[];
  /** Account subdomain, to warn about tickets on another host. */
  subdomain?: string | null;
  /** `ticket_hosts` of the account policy: no warning for tickets there. */
  ticketHosts?: readonly string[];
  /**
   * Grants declared elsewhere, by lowercased email → file or organization that holds it.
   * A user's ticket access is one Zendesk setting for all their organizations, so each
   * grant lives in exactly one file (config rule `duplicate_user_grant`).
   */
  grantsElsewhere?: Map<string, string>;
}

/** `https://{host}/agent/tickets/{id}` for any agent or help-center ticket URL. */
export function canonicalTicketUrl(entry: Pick<HistoryEntry, 'host' | 'ticketId'>): string | null {
  if (entry.host === null || entry.ticketId === null) return null;
  return `https://${entry.host}/agent/tickets/${entry.ticketId}`;
}

function describe(entry: HistoryEntry): Sharing {
  return entry.action === 'disabled' ? 'private' : (entry.type ?? 'private');
}

export function buildImport(input: BuildInput): BuildResult {
  const { org } = input;
  const entry = lastHistoryEntry(org.details);
  if (!entry) {
    if (!org.sharedTickets) {
      // Never shared: a baseline file. Its members' grants are not read (no ticket to name).
      return { ok: true, record: { orgId: org.id, orgName: org.name, sharing: 'private', ticket: null, history: null, grants: [], warnings: [], notes: [] } };
    }
    return {
      ok: false,
      reason:
        'shared, but no "Shared organization … as per <ticket>" line in Details: write the file by hand with the ticket that requested the current setting',
    };
  }
  const ticket = canonicalTicketUrl(entry);
  if (!ticket) {
    return {
      ok: false,
      reason: `the last Details line (line ${entry.line}) has no ticket URL ("${entry.ticketUrl}"): write the file by hand with the request ticket`,
    };
  }
  const sharing = sharingFromFlags({ shared_tickets: org.sharedTickets, shared_comments: org.sharedComments });
  const warnings: string[] = [];
  const recorded = describe(entry);
  if (recorded !== sharing) {
    warnings.push(
      `live sharing is ${sharing} but the last Details line (${entry.date}) records ${recorded}: the setting was changed without a Details line; check the ticket`,
    );
  }
  if (input.subdomain && ticketOnAccount(entry.host, { subdomain: input.subdomain, ticketHosts: input.ticketHosts ?? [] }) === false) {
    warnings.push(`the ticket is on ${entry.host}, not ${input.subdomain}.zendesk.com: add it to ticket_hosts or fix the URL`);
  }

  const grants: ImportGrant[] = [];
  const notes: string[] = [];
  for (const user of input.members ?? []) {
    if (user.role !== 'end-user' || user.ticketRestriction !== 'organization') continue;
    if (!user.email) {
      warnings.push(`user ${user.id} (${user.name}) sees all organization tickets but has no email: not imported`);
      continue;
    }
    const elsewhere = input.grantsElsewhere?.get(user.email.toLowerCase());
    if (elsewhere) {
      notes.push(`${user.email.toLowerCase()}'s grant is declared in ${elsewhere} (one file per user)`);
      continue;
    }
    const own = parseAccessHistory(user.notes)
      .filter((a) => a.access === 'organization')
      .map((a) => canonicalTicketUrl(a))
      .filter((u): u is string => u !== null)
      .at(-1);
    grants.push({ email: user.email.toLowerCase(), ticket: own ?? ticket, ticketFrom: own ? 'user_notes' : 'organization' });
  }
  grants.sort((a, b) => a.email.localeCompare(b.email));

  const record: ImportRecord = { orgId: org.id, orgName: org.name, sharing, ticket, history: entry, grants, warnings, notes };
  if (input.requesterEmail) record.requester = input.requesterEmail.toLowerCase();
  return { ok: true, record };
}

/** A file name for an organization: lowercase ASCII words joined by "-", or `org-<id>`. */
export function slugify(name: string, id: number): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
  return slug || `org-${id}`;
}
