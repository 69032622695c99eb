/**
 * Pre-checks (docs/prechecks.md): the rule functions, and `runChecks`, which picks
 * the rules a change needs. Narrowing changes (toward private, revoking) need only
 * `ticket_url` and `ticket_org`; every widening change needs all of them. Results come in
 * the stable order of CHECK_IDS. Everything here is pure: it reads `Observed`, never Zendesk.
 */
import type { DesiredOrg, RiskApproval, SourceRef, TicketRef } from '../model/desired.js';
import type { Observed, ObservedOrg } from '../model/observed.js';
import { CHECK_IDS, type ChangeEvidence, type CheckResult } from '../model/plan.js';
import type { Policy } from '../model/policy.js';
import type { Sharing } from '../model/sharing.js';
import { checkApproverMember, checkConfirmedType, checkRiskApproved, checkRiskMessageSent } from './evidence.js';
import { checkGrantee, checkNameMatch } from './identity.js';
import { sourceAt } from './lookup.js';
import { checkDenyNote, checkHipaa, checkLegacy, compileDenyPatterns } from './restrictions.js';
import { skip } from './result.js';
import { allowedTicketHosts, checkTicketOrg, checkTicketUrl } from './ticket.js';

export { checkApproverMember, checkConfirmedType, checkRiskApproved, checkRiskMessageSent, chronological } from './evidence.js';
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

  const urlResult = checkTicketUrl(subject.ticket, allowedTicketHosts(policy, observed.account), at(subject.ticketPointer));
  const offAccount = urlResult.status === 'fail';
  const notChecked = (id: CheckResult['id']) =>
    skip(id, `not checked: ticket ${subject.ticket.id} is not on this account`, at(subject.ticketPointer));
  const ticketOrg = offAccount
    ? notChecked('ticket_org')
    : checkTicketOrg(subject.ticket, evidenceOf, org.id, org.name, observed, at(subject.ticketPointer));

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

  if (subject.sharing !== undefined) {
    out.push(checkConfirmedType(org.request?.confirmedType, subject.sharing, at('/request/confirmed_type')));
  }

  let evidence: ChangeEvidence | undefined;
  if (offAccount) {
    out.push(notChecked('risk_message_sent'), notChecked('risk_approved'));
  } else {
    const risk = checkRiskMessageSent(subject.ticket.id, evidenceOf, observed, policy.riskMessage, at(subject.ticketPointer));
    out.push(risk.result);
    if (subject.legacyFrom !== undefined && subject.sharing !== undefined) {
      out.push(checkLegacy(true, subject.legacyFrom, subject.sharing, at('/request/legacy')));
    } else {
      const approved = checkRiskApproved(
        subject.approvalLabel,
        subject.approval,
        subject.ticket.id,
        evidenceOf,
        risk.comment,
        observed,
        policy.riskMessage,
        at(`${subject.approvalPointer}/comment_id`),
      );
      out.push(approved.result);
      evidence = approved.evidence;
    }
  }
  out.push(
    checkApproverMember(
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
  if (evidence && (evidence.approvalComment || evidence.riskMessageCommentId !== undefined)) result.evidence = evidence;
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
