/**
 * The evidence rules of the handbook's pre-checks: the ticket's requester is the file's
 * (`requester_match`), the requester confirmed the type (`confirmed_type`), an agent sent the risk message (`risk_message_sent`), the approver
 * answered it with a clear approval (`risk_approved`), and the approver may speak for the
 * organization (`approver_member`). Comment text is compared with `normalizeText`.
 */
import type { RiskApproval, SourceRef, TypeConfirmation } from '../model/desired.js';
import type { Observed, ObservedComment, ObservedUser, TicketEvidence } from '../model/observed.js';
import type { ChangeEvidence, CheckResult } from '../model/plan.js';
import type { TypeWords } from '../model/policy.js';
import type { Sharing } from '../model/sharing.js';
import { memberOf, orgLabel, roleLabel, userByEmail, userById, userLabel } from './lookup.js';
import { containsNormalized, excerpt, normalizeText } from '../records/normalize.js';
import { fail, pass, skip } from './result.js';
import { describeTypeWords, typesNamed } from './type-words.js';

export interface TypeConfirmationInput {
  /** request.confirmed_type */
  confirmed: Sharing | undefined;
  /** The level the file asks for. */
  sharing: Sharing;
  /** request.type_confirmation; without it the risk approval's comment and quote are used. */
  confirmation: TypeConfirmation | undefined;
  approval: RiskApproval | undefined;
  ticketId: number;
  /** The request ticket as read (ticket_org passed). */
  evidence: TicketEvidence;
  orgId: number;
  orgName: string;
  authorizedRequesters: string[] | undefined;
  typeWords: TypeWords;
  riskMessage: string;
  /** Where each part is in the file. */
  sources: { confirmedType?: SourceRef; comment?: SourceRef; quote?: SourceRef };
}

export interface TypeConfirmationOutcome {
  result: CheckResult;
  confirmation?: NonNullable<ChangeEvidence['typeConfirmation']>;
}

/**
 * `confirmed_type` (docs/prechecks.md): the requester named the type on the ticket. The
 * comment of `type_confirmation` (else of the risk approval) is on the ticket, public,
 * written by the ticket's requester or by the approver — an active end-user member of the
 * organization, in authorized_requesters when that list exists — contains the quote in
 * the author's own words, and the quote names exactly one type: `confirmed_type`, which
 * equals `sharing`.
 */
export function checkConfirmedType(input: TypeConfirmationInput, observed: Observed): TypeConfirmationOutcome {
  const { confirmed, sharing, sources } = input;
  if (confirmed === undefined) {
    return {
      result: fail(
        'confirmed_type',
        `request.confirmed_type is missing; the file asks for ${sharing}`,
        'ask the requester which type they want (Read only or Read+write) and record their answer in request.confirmed_type and request.type_confirmation',
        sources.confirmedType,
      ),
    };
  }
  if (confirmed !== sharing) {
    return {
      result: fail(
        'confirmed_type',
        `the requester confirmed ${confirmed}, but the file asks for ${sharing}`,
        'make sharing equal what the requester confirmed, or ask them to confirm the other type on the ticket',
        sources.confirmedType,
      ),
    };
  }
  const via = input.confirmation ? 'type_confirmation' : 'risk_approval';
  const label = via === 'type_confirmation' ? 'request.type_confirmation' : 'request.risk_approval';
  const ref = input.confirmation ?? (input.approval ? { commentId: input.approval.commentId, quote: input.approval.quote } : undefined);
  const words = describeTypeWords(input.typeWords, sharing);
  if (!ref) {
    return {
      result: fail(
        'confirmed_type',
        'no ticket comment is named in which the requester confirmed the type',
        `add request.type_confirmation (comment_id and quote) for the comment in which the requester named the type (${words})`,
        sources.confirmedType,
      ),
    };
  }
  const confirmation: NonNullable<TypeConfirmationOutcome['confirmation']> = { via, commentId: ref.commentId, quote: ref.quote };
  const comment = input.evidence.comments.find((c) => c.id === ref.commentId);
  if (!comment) {
    return {
      result: fail(
        'confirmed_type',
        `comment ${ref.commentId} (${label}) is not on ticket ${input.ticketId}`,
        'set comment_id to the comment on this ticket in which the requester named the type',
        sources.comment,
      ),
      confirmation,
    };
  }
  const author = userById(observed, comment.authorId);
  confirmation.author = userLabel(author, comment.authorId);
  confirmation.createdAt = comment.createdAt;

  const problems: string[] = [];
  const hints: string[] = [];
  if (!comment.public) {
    problems.push(`comment ${comment.id} is an internal note, not a public comment`);
    hints.push('the type must be confirmed in the requester’s own public reply');
  }
  const authorProblem = confirmationAuthorProblem(input, author, comment.authorId, observed);
  if (authorProblem) {
    problems.push(`comment ${comment.id} ${authorProblem.problem}`);
    hints.push(authorProblem.hint);
  }
  if (!containsNormalized(ownWords(comment.body, input.riskMessage), ref.quote)) {
    problems.push(`comment ${comment.id} does not contain the quote "${excerpt(ref.quote)}"`);
    hints.push('quote the words exactly as written in the comment (not a quoted "> " line)');
  }
  const named = typesNamed(ref.quote, input.typeWords);
  if (named.length === 0) {
    problems.push(`the quote "${excerpt(ref.quote)}" (${label}) names no sharing type`);
    hints.push(
      via === 'risk_approval'
        ? `quote the requester’s words that name the type (${words}), or add request.type_confirmation for the comment in which they named it`
        : `quote the requester’s words that name the type (${words}); if they never named it, ask them to confirm the type on the ticket`,
    );
  } else if (named.length > 1) {
    problems.push(`the quote "${excerpt(ref.quote)}" (${label}) names both sharing types`);
    hints.push(`quote only the words that name the type the requester chose (${words}); if their choice is not clear, ask them to confirm`);
  } else if (named[0] !== confirmed) {
    problems.push(`the quote "${excerpt(ref.quote)}" (${label}) names ${named[0]}, but request.confirmed_type and sharing say ${confirmed}`);
    hints.push('the file must ask for the type the requester named: fix sharing and confirmed_type, or ask them to confirm the other type');
  }
  if (problems.length) {
    // Point at the quote when only the quote is wrong, else at the comment.
    const at = !comment.public || authorProblem ? sources.comment : sources.quote;
    return { result: fail('confirmed_type', problems.join('; '), hints.join('; '), at), confirmation };
  }
  return {
    result: pass(
      'confirmed_type',
      `comment ${comment.id} by ${confirmation.author} (${comment.createdAt}) confirms ${confirmed}: "${excerpt(ref.quote)}"`,
      sources.comment,
    ),
    confirmation,
  };
}

/**
 * Who may confirm the type: the ticket's requester or the approver, being an active
 * end-user member of the organization (and listed in authorized_requesters when it exists).
 */
function confirmationAuthorProblem(
  input: TypeConfirmationInput,
  author: ObservedUser | undefined,
  authorId: number,
  observed: Observed,
): { problem: string; hint: string } | null {
  const who = author ? userLabel(author) : `user ${authorId} (not found)`;
  const requesterId = input.evidence.ticket?.requesterId;
  const email = author?.email?.toLowerCase();
  const isRequester = requesterId !== undefined && authorId === requesterId;
  const isApprover = email !== undefined && input.approval !== undefined && email === input.approval.approvedBy.trim().toLowerCase();
  const allowed = 'the ticket’s requester or risk_approval.approved_by';
  if (!author) return { problem: `was written by ${who}`, hint: `the type must be confirmed by ${allowed}` };
  if (author.role !== 'end-user') {
    return {
      problem: `was written by ${who}, ${roleLabel(author.role)}, not by the customer`,
      hint: `the type must be confirmed by the customer (${allowed}), not by staff`,
    };
  }
  if (!isRequester && !isApprover) {
    return { problem: `was written by ${who}, who is neither the ticket’s requester nor the approver`, hint: `the type must be confirmed by ${allowed}` };
  }
  if (author.suspended) return { problem: `was written by ${who}, who is suspended`, hint: 'a suspended user cannot speak for the organization' };
  const orgs = memberOf(observed, author);
  if (!orgs.includes(input.orgId)) {
    const where = orgs.length ? orgs.map((o) => orgLabel(observed, o)).join(', ') : 'no organization';
    return {
      problem: `was written by ${who}, who is not a member of ${input.orgName} (${input.orgId}); member of ${where}`,
      hint: 'the type must be confirmed by a user of this organization',
    };
  }
  const list = input.authorizedRequesters;
  if (list && !list.some((a) => a.trim().toLowerCase() === email)) {
    return {
      problem: `was written by ${who}, who is not listed in authorized_requesters (${list.join(', ') || 'empty'})`,
      hint: 'ask one of the authorized requesters to confirm the type on the ticket',
    };
  }
  return null;
}

/**
 * `requester_match` (docs/prechecks.md): `request.requester` is the ticket's requester
 * (emails compared case-insensitively). Returns the requester as read, for the plan.
 */
export function checkRequesterMatch(
  requester: string | undefined,
  ticketId: number,
  evidence: TicketEvidence,
  observed: Observed,
  source?: SourceRef,
): { result: CheckResult; requester?: NonNullable<ChangeEvidence['requester']> } {
  const t = evidence.ticket;
  if (!t) return { result: skip('requester_match', `not checked: ticket ${ticketId} was not found (ticket_org failed)`, source) };
  const user = userById(observed, t.requesterId);
  if (!user) {
    return {
      result: fail('requester_match', `the requester of ticket ${ticketId} (user ${t.requesterId}) was not read from Zendesk`, 'run plan again; if it persists, report a bug', source),
    };
  }
  const found = { id: user.id, email: user.email, name: user.name };
  const label = `${userLabel(user)}${user.name && user.email ? ` (${user.name})` : ''}`;
  if (requester === undefined) {
    return {
      result: fail(
        'requester_match',
        `request.requester is missing; ticket ${ticketId} was requested by ${label}`,
        `add requester: ${user.email ?? 'the requester’s email'} under request`,
        source,
      ),
      requester: found,
    };
  }
  if (user.email?.toLowerCase() !== requester.trim().toLowerCase()) {
    return {
      result: fail(
        'requester_match',
        `request.requester is ${requester}, but ticket ${ticketId} was requested by ${label}`,
        'request.requester must be the person who asked for the change on the ticket (its requester); fix the email, or use the ticket in which this person asked',
        source,
      ),
      requester: found,
    };
  }
  return { result: pass('requester_match', `ticket ${ticketId} was requested by ${label}, as request.requester says`, source), requester: found };
}

/** Comments in the order they were written (created_at, then id). */
export function chronological(comments: ObservedComment[]): ObservedComment[] {
  return [...comments].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id);
}

function isAfter(a: ObservedComment, b: ObservedComment): boolean {
  const d = Date.parse(a.createdAt) - Date.parse(b.createdAt);
  return d > 0 || (d === 0 && a.id > b.id);
}

export interface RiskMessageOutcome {
  result: CheckResult;
  /** The first public agent comment containing the risk message. */
  comment: ObservedComment | null;
}

export function checkRiskMessageSent(
  ticketId: number,
  evidence: TicketEvidence | undefined,
  observed: Observed,
  riskMessage: string,
  source?: SourceRef,
): RiskMessageOutcome {
  if (evidence === undefined || evidence.ticket === null) {
    return {
      result: fail('risk_message_sent', `the comments of ticket ${ticketId} could not be read`, 'fix ticket_org first', source),
      comment: null,
    };
  }
  const nearMisses: string[] = [];
  for (const c of chronological(evidence.comments)) {
    if (!containsNormalized(c.body, riskMessage)) continue;
    const author = userById(observed, c.authorId);
    const staff = author !== undefined && (author.role === 'agent' || author.role === 'admin');
    if (c.public && staff) {
      return {
        result: pass('risk_message_sent', `comment ${c.id} by ${userLabel(author, c.authorId)} (${c.createdAt}) contains the risk message`, source),
        comment: c,
      };
    }
    if (!c.public) nearMisses.push(`comment ${c.id} contains it but is an internal note`);
    else nearMisses.push(`comment ${c.id} contains it but was written by ${userLabel(author, c.authorId)}, ${author ? roleLabel(author.role) : 'an unknown user'}`);
  }
  const more = nearMisses.length ? ` (${nearMisses.join('; ')})` : '';
  return {
    result: fail(
      'risk_message_sent',
      `no public agent comment on ticket ${ticketId} contains the risk message${more}`,
      'an agent must post the handbook’s risk message as a public comment and wait for the requester’s approval',
      source,
    ),
    comment: null,
  };
}

export interface ApprovalOutcome {
  result: CheckResult;
  evidence: ChangeEvidence;
}

/**
 * `label` names the approval in messages ("request.risk_approval", "partners[0].consent").
 * `riskComment` is the outcome of `checkRiskMessageSent` on the same ticket.
 */
export function checkRiskApproved(
  label: string,
  approval: RiskApproval | undefined,
  ticketId: number,
  evidence: TicketEvidence | undefined,
  riskComment: ObservedComment | null,
  observed: Observed,
  riskMessage: string,
  source?: SourceRef,
): ApprovalOutcome {
  const ev: ChangeEvidence = riskComment ? { riskMessageCommentId: riskComment.id } : {};
  if (!approval) {
    return {
      result: fail(
        'risk_approved',
        `${label} is missing`,
        'a widening change needs the approval of the security risk: approved_by, comment_id and quote',
        source,
      ),
      evidence: ev,
    };
  }
  if (evidence === undefined || evidence.ticket === null) {
    return {
      result: fail('risk_approved', `the comments of ticket ${ticketId} could not be read`, 'fix ticket_org first', source),
      evidence: ev,
    };
  }
  const comment = evidence.comments.find((c) => c.id === approval.commentId);
  if (!comment) {
    return {
      result: fail(
        'risk_approved',
        `comment ${approval.commentId} is not on ticket ${ticketId}`,
        'set comment_id to the comment on this ticket in which the requester approved the risk',
        source,
      ),
      evidence: ev,
    };
  }
  const author = userById(observed, comment.authorId);
  ev.approvalComment = {
    id: comment.id,
    authorId: comment.authorId,
    author: userLabel(author, comment.authorId),
    body: comment.body,
    createdAt: comment.createdAt,
    public: comment.public,
  };

  const problems: string[] = [];
  const hints: string[] = [];
  if (!comment.public) {
    problems.push(`comment ${comment.id} is an internal note, not a public comment`);
    hints.push('the approval must be the customer’s own public reply, not an agent’s note');
  }
  const want = approval.approvedBy.trim().toLowerCase();
  if (author?.email?.toLowerCase() !== want) {
    const who = author ? `${userLabel(author)}, ${roleLabel(author.role)}` : `user ${comment.authorId} (not found)`;
    problems.push(`comment ${comment.id} was written by ${who}, not by ${approval.approvedBy}`);
    hints.push(`approved_by must be the author of the approving comment: ask ${approval.approvedBy} to reply on the ticket`);
  }
  if (!riskComment) {
    problems.push(`no risk message was sent before comment ${comment.id}`);
    hints.push('send the risk message first: an approval given before it does not count');
  } else if (!isAfter(comment, riskComment)) {
    problems.push(`comment ${comment.id} (${comment.createdAt}) was written before the risk message (comment ${riskComment.id}, ${riskComment.createdAt})`);
    hints.push('the approval must answer the risk message: ask the requester to approve again after it');
  }
  if (containsNormalized(riskMessage, approval.quote)) {
    problems.push(`the quote "${excerpt(approval.quote)}" is part of the risk message itself, not the approver’s own words`);
    hints.push('quote the words in which the requester approves the risk, not the risk message they were sent');
  } else if (!containsNormalized(ownWords(comment.body, riskMessage), approval.quote)) {
    problems.push(`comment ${comment.id} does not contain the quote "${excerpt(approval.quote)}"`);
    hints.push('quote the approving words exactly as written in the comment (not a quoted "> " line), and if the approval is not clear, ask them to confirm');
  }
  if (problems.length) {
    return { result: fail('risk_approved', problems.join('; '), hints.join('; '), source), evidence: ev };
  }
  return {
    result: pass(
      'risk_approved',
      `comment ${comment.id} by ${approval.approvedBy} (${comment.createdAt}) approves the risk: "${excerpt(approval.quote)}"`,
      source,
    ),
    evidence: ev,
  };
}

export function checkApproverMember(
  label: string,
  approval: RiskApproval | undefined,
  orgId: number,
  orgName: string,
  authorizedRequesters: string[] | undefined,
  observed: Observed,
  source?: SourceRef,
): CheckResult {
  if (!approval) return skip('approver_member', `no approver to check (${label} is missing)`, source);
  const email = approval.approvedBy;
  const user = userByEmail(observed, email);
  if (user === undefined) {
    return fail('approver_member', `user ${email} was not read from Zendesk`, 'run plan again; if it persists, report a bug', source);
  }
  if (user === null) {
    return fail('approver_member', `no Zendesk user has the email ${email}`, 'check approved_by: it must be the email of the approving customer', source);
  }
  if (user.role !== 'end-user') {
    return fail(
      'approver_member',
      `${email} is ${roleLabel(user.role)}, not an end-user of ${orgName}`,
      'the risk must be approved by the customer on behalf of their organization, not by staff',
      source,
    );
  }
  if (user.suspended) {
    return fail('approver_member', `${email} is suspended`, 'a suspended user cannot approve on behalf of the organization', source);
  }
  const orgs = memberOf(observed, user);
  if (!orgs.includes(orgId)) {
    const where = orgs.length ? orgs.map((o) => orgLabel(observed, o)).join(', ') : 'no organization';
    return fail(
      'approver_member',
      `${email} is not a member of ${orgName} (${orgId}); member of ${where}`,
      'the approval must come from a user of this organization; ask an authorized member to approve on the ticket',
      source,
    );
  }
  if (authorizedRequesters) {
    const listed = authorizedRequesters.some((a) => a.trim().toLowerCase() === email.trim().toLowerCase());
    if (!listed) {
      return fail(
        'approver_member',
        `${email} is not listed in authorized_requesters (${authorizedRequesters.join(', ') || 'empty'})`,
        'ask one of the authorized requesters to approve, or add this user to authorized_requesters in a reviewed change',
        source,
      );
    }
    return pass('approver_member', `${email} is an end-user member of ${orgName}, listed in authorized_requesters`, source);
  }
  return pass('approver_member', `${email} is an end-user member of ${orgName}`, source);
}

/**
 * The approver's own words: the comment without quoted ("> ") lines and without the risk
 * message pasted back, so an approval cannot be read into text the customer only quoted.
 */
function ownWords(body: string, riskMessage: string): string {
  const unquoted = body
    .split(/\r?\n/)
    .filter((line) => !/^\s*>/.test(line))
    .join('\n');
  const risk = normalizeText(riskMessage);
  const text = normalizeText(unquoted);
  return risk.length > 0 ? text.split(risk).join(' ') : text;
}
