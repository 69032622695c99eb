/**
 * The public confirmation comment (handbook: "Add a public comment on the ticket
 * confirming it has been enabled/disabled"). Organization templates come from the policy;
 * user grants and partners have built-in templates.
 * Placeholders: {type} "Read only"/"Read+write", {org} organization name, {date}
 * YYYY-MM-DD, {ticket} canonical ticket URL, {scope} what members can now do,
 * {email} the user (grants), {domain} the partner domain.
 */
import type { UserAccess } from '../model/desired.js';
import type { ObservedComment, TicketEvidence } from '../model/observed.js';
import type { Policy } from '../model/policy.js';
import type { Sharing } from '../model/sharing.js';
import { sharingLabel } from '../model/sharing.js';
import { containsNormalized } from './normalize.js';

/**
 * True when `existing` is (or contains) the comment `body`: the one test, for the planner
 * and the executor alike, of "this confirmation was already posted". Containment, not
 * equality: apply joins the confirmations of changes sharing a ticket into one comment.
 * Compared like evidence: case-, whitespace- and quote-insensitively.
 */
export function sameComment(existing: string, body: string): boolean {
  return containsNormalized(existing, body);
}

/**
 * A public comment by the API user (when known) that is or contains the body: the
 * confirmation was already posted by an earlier run.
 */
export function findConfirmation(
  evidence: TicketEvidence | undefined,
  currentUserId: number | null,
  body: string,
): ObservedComment | undefined {
  if (!evidence) return undefined;
  return evidence.comments.find((c) => c.public && (currentUserId === null || c.authorId === currentUserId) && sameComment(c.body, body));
}

export const GRANT_COMMENTS: Record<UserAccess, string> = {
  organization:
    'Hello,\n\n{email} can now see all tickets of {org}, as requested.\n\nThis ticket will now be marked as solved.',
  requested:
    'Hello,\n\n{email} now sees only their own tickets of {org}, as requested.\n\nThis ticket will now be marked as solved.',
};

export const PARTNER_COMMENT =
  'Hello,\n\nUsers with email addresses at {domain} are now associated with {org}, as requested.\n\nThis ticket will now be marked as solved.';

const SCOPE: Record<Exclude<Sharing, 'private'>, string> = {
  read_only: '(but not comment on) all of your organization’s',
  read_write: 'and comment on all of your organization’s',
};

export interface CommentVars {
  org: string;
  date: string;
  ticket: string;
  type?: Exclude<Sharing, 'private'>;
  email?: string;
  domain?: string;
}

export function fillTemplate(template: string, vars: CommentVars): string {
  const values: Record<string, string | undefined> = {
    org: vars.org,
    date: vars.date,
    ticket: vars.ticket,
    type: vars.type ? sharingLabel(vars.type) : undefined,
    scope: vars.type ? SCOPE[vars.type] : undefined,
    email: vars.email,
    domain: vars.domain,
  };
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

export function sharingComment(policy: Policy, to: Sharing, vars: Omit<CommentVars, 'type'>): string {
  return to === 'private'
    ? fillTemplate(policy.comments.disabled, vars)
    : fillTemplate(policy.comments.enabled, { ...vars, type: to });
}
