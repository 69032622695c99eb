/**
 * Pre-checks (docs/prechecks.md): the rule functions, and `runChecks`, which picks the
 * rules a change needs. Narrowing changes (toward private, revoking) need only
 * `ticket_url` and `ticket_org`; every widening change needs all of them. A check that
 * needs what an earlier one found missing (the organization, the ticket) is `skip`, naming
 * that check. Results come in the stable order of CHECK_IDS. Everything here is pure: it
 * reads `Observed`, never Zendesk.
 */
import type { DesiredOrg, RiskApproval, SourceRef, TicketRef } from '../model/desired.js';
import type { Observed, ObservedOrg } from '../model/observed.js';
import { CHECK_IDS, type ChangeEvidence, type CheckId, type CheckResult } from '../model/plan.js';
import type { Policy } from '../model/policy.js';
import type { Sharing } from '../model/sharing.js';
import { checkApproverMember, checkConfirmedType, checkRequesterMatch, checkRiskApproved, checkRiskMessageSent } from './evidence.js';
import { checkGrantee, checkNameMatch } from './identity.js';
import { sourceAt } from './lookup.js';
import { checkDenyNote, checkHipaa, checkLegacy, compileDenyPatterns } from './restrictions.js';
import { skip } from './result.js';
import { allowedTicketHosts, checkTicketOrg, checkTicketUrl } from './ticket.js';

export { checkApproverMember, checkConfirmedType, checkRequesterMatch, checkRiskApproved, checkRiskMessageSent, chronological } from './evidence.js';
export { typesNamed } from './type-words.js';
export { checkGrantee, checkNameMatch } from './identity.js';
export { checkDenyNote, checkHipaa, checkLegacy, compileDenyPatterns, findDenyNotes } from './restrictions.js';
export { allowedTicketHosts, checkTicketOrg, checkTicketUrl } from './ticket.js';
export { checkBlastRadius } from './blast-radius.js';
export { normalizeText, containsNormalized } from '../records/normalize.js';

/** What a change asks for, as far as the pre-checks are concerned. */
export interface CheckSubject {
  org: DesiredOrg;
  live: ObservedOrg | null | undefined;
  widening: boolean;
  /** The change in words, for messages: "enabling Read only sharing". */
  what: string;
  ticket: TicketRef;
  /** JSON pointer of the ticket in the file ("/request/ticket", "/user_access/0/ticket"). */
  ticketPointer: string;
  /** Organization sharing changes: the target, checked against request.confirmed_type. */
  sharing?: Sharing;
  /** The evidence of a widening change and where it is in the file. */
  approval?: RiskApproval;
  approvalLabel: string;
  approvalPointer: string;
  /** Organization sharing changes on a `request.legacy` file: the live level it records. */
  legacyFrom?: Sharing;
  /** User grants: the grantee is checked under `name_match`. */
  grantee?: { email: string; pointer: string };
  /** Where the entry starts in the file, for pointers the loader did not record. */
  fallbackSource?: SourceRef;
}

export interface CheckOutcome {
  checks: CheckResult[];
  evidence?: ChangeEvidence;
}

export function runChecks(subject: CheckSubject, observed: Observed, policy: Policy): CheckOutcome {
  const { org, live } = subject;
  const at = (pointer: string) => sourceAt(org, pointer) ?? subject.fallbackSource;
  const out: CheckResult[] = [];
  const evidenceOf = observed.tickets.get(subject.ticket.id);
  const ticketAt = at(subject.ticketPointer);

  // Checks that need something an earlier check found missing are skipped, saying which.
  const urlResult = checkTicketUrl(subject.ticket, allowedTicketHosts(policy, observed.account), ticketAt);
  let ticketOrg: CheckResult;
  let blockedBy: string | null = null;
  if (urlResult.status === 'fail') {
    blockedBy = `ticket ${subject.ticket.id} is not on this account (ticket_url failed)`;
    ticketOrg = skip('ticket_org', `not checked: ${blockedBy}`, ticketAt);
  } else if (live === null) {
    blockedBy = `organization ${org.id} does not exist in Zendesk (name_match failed)`;
    ticketOrg = skip('ticket_org', `not checked: ${blockedBy}`, ticketAt);
  } else {
    ticketOrg = checkTicketOrg(subject.ticket, evidenceOf, org.id, org.name, observed, ticketAt);
    if (ticketOrg.status === 'fail') blockedBy = `ticket ${subject.ticket.id} is not this organization’s request (ticket_org failed)`;
  }
  const notChecked = (id: CheckId) => skip(id, `not checked: ${blockedBy ?? 'an earlier check failed'}`, ticketAt);

  if (subject.legacyFrom !== undefined && subject.sharing !== undefined && !subject.widening) {
    out.push(checkLegacy(false, subject.legacyFrom, subject.sharing, at('/request/legacy')));
  }
  if (!subject.widening) {
    // Any write needs the organization to exist; its name is checked only when widening.
    if (!live) out.push(checkNameMatch(org.id, org.name, live, at('/organization/name')));
    out.push(urlResult, ticketOrg);
    return { checks: sortChecks(out) };
  }

  let nameMatch = checkNameMatch(org.id, org.name, live, at('/organization/name'));
  if (nameMatch.status === 'pass' && subject.grantee) {
    nameMatch = checkGrantee(subject.grantee.email, org.id, org.name, observed, at(subject.grantee.pointer));
  }
  out.push(nameMatch, urlResult, ticketOrg);

  // The ticket as read, when the evidence on it may be looked at.
  const ticketEvidence = blockedBy === null && evidenceOf?.ticket ? evidenceOf : undefined;
  const evidence: ChangeEvidence = {};
  if (subject.sharing !== undefined) {
    if (ticketEvidence) {
      const requester = checkRequesterMatch(org.request?.requester, subject.ticket.id, ticketEvidence, observed, at('/request/requester'));
      out.push(requester.result);
      if (requester.requester) evidence.requester = requester.requester;
      const confirmation = org.request?.typeConfirmation;
      const confirmed = checkConfirmedType(
        {
          confirmed: org.request?.confirmedType,
          sharing: subject.sharing,
          confirmation,
          approval: org.request?.riskApproval,
          ticketId: subject.ticket.id,
          evidence: ticketEvidence,
          orgId: org.id,
          orgName: org.name,
          authorizedRequesters: org.authorizedRequesters,
          typeWords: policy.typeWords,
          riskMessage: policy.riskMessage,
          sources: {
            confirmedType: at('/request/confirmed_type'),
            comment: at(confirmation ? '/request/type_confirmation/comment_id' : '/request/risk_approval/comment_id'),
            quote: at(confirmation ? '/request/type_confirmation/quote' : '/request/risk_approval/quote'),
          },
        },
        observed,
      );
      out.push(confirmed.result);
      if (confirmed.confirmation) evidence.typeConfirmation = confirmed.confirmation;
    } else {
      out.push(notChecked('requester_match'), notChecked('confirmed_type'));
    }
  }

  if (!ticketEvidence) {
    out.push(notChecked('risk_message_sent'));
    if (subject.legacyFrom !== undefined && subject.sharing !== undefined) {
      out.push(checkLegacy(true, subject.legacyFrom, subject.sharing, at('/request/legacy')));
    } else {
      out.push(notChecked('risk_approved'));
    }
  } else {
    const risk = checkRiskMessageSent(subject.ticket.id, ticketEvidence, observed, policy.riskMessage, ticketAt);
    out.push(risk.result);
    if (subject.legacyFrom !== undefined && subject.sharing !== undefined) {
      out.push(checkLegacy(true, subject.legacyFrom, subject.sharing, at('/request/legacy')));
    } else {
      const approved = checkRiskApproved(
        subject.approvalLabel,
        subject.approval,
        subject.ticket.id,
        ticketEvidence,
        risk.comment,
        observed,
        policy.riskMessage,
        at(`${subject.approvalPointer}/comment_id`),
      );
      out.push(approved.result);
      Object.assign(evidence, approved.evidence);
    }
  }
  if (subject.approval) evidence.approvalQuote = subject.approval.quote;
  out.push(
    live === null
      ? skip('approver_member', `not checked: organization ${org.id} does not exist in Zendesk (name_match failed)`, at(`${subject.approvalPointer}/approved_by`))
      : checkApproverMember(
          subject.approvalLabel,
          subject.approval,
          org.id,
          org.name,
          org.authorizedRequesters,
          observed,
          at(`${subject.approvalPointer}/approved_by`),
        ),
  );
  out.push(checkDenyNote(org.file, org.restrictions.noSharing, live, compileDenyPatterns(policy.denyPatterns), at('/restrictions/no_sharing')));
  out.push(checkHipaa(org.file, org.restrictions.hipaa, subject.what, at('/restrictions/hipaa')));
  const result: CheckOutcome = { checks: sortChecks(out) };
  if (Object.keys(evidence).length > 0) result.evidence = evidence;
  return result;
}

/** Stable order: CHECK_IDS order, then insertion order. */
export function sortChecks(checks: CheckResult[]): CheckResult[] {
  const rank = (c: CheckResult) => CHECK_IDS.indexOf(c.id);
  return checks.map((c, i) => [c, i] as const).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([c]) => c);
}

export function isFailing(checks: CheckResult[]): boolean {
  return checks.some((c) => c.status === 'fail');
}
