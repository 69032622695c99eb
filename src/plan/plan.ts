/**
 * The planner: `plan(desired, observed, policy, opts)` is pure and deterministic. It reads
 * only its arguments (no clock: `opts.now`; no network), and orders changes by
 * organization id, then key. It is level-based: it compares the whole live state with the
 * files, so a rerun after a crash converges (the finish kinds — `finish`, `grant_finish`,
 * `partner_finish` — post the confirmation an interrupted apply left undone, found through
 * orgshare's own Details/notes records) and a converged repository plans zero changes.
 */
import type { DesiredOrg, DesiredPartner, DesiredRequest, DesiredState, DesiredUserGrant, TicketRef } from '../model/desired.js';
import type { Observed, ObservedOrg } from '../model/observed.js';
import type {
  Change,
  CheckResult,
  OrgSharingChange,
  PartnerChange,
  Plan,
  Step,
  UserGrantChange,
} from '../model/plan.js';
import type { Policy } from '../model/policy.js';
import type { Sharing } from '../model/sharing.js';
import { sharingLabel } from '../model/sharing.js';
import { checkBaselines } from './baseline.js';
import { checkBlastRadius, isFailing, runChecks, sortChecks, type CheckSubject } from '../policy/checks.js';
import { userByEmail } from '../policy/lookup.js';
import { fail } from '../policy/result.js';
import { GRANT_COMMENTS, PARTNER_COMMENT, fillTemplate, findConfirmation, sharingComment } from '../records/comments.js';
import { lastPartnerEntry, parseAccessHistory, utcDate } from '../records/details.js';
import { exposureOf, WIDENING_KINDS } from './exposure.js';
import { fingerprint } from './fingerprint.js';
import { grantApproval, grantDiff, partnerDiff, sharingDiff } from './predicates.js';
import { commentStep, metadataStep, orgDomainsStep, orgSharingStep, ticketSkipReason, userStep } from './steps.js';
import { resolveTicketFields } from './ticket-fields.js';

export interface PlanOptions {
  now: Date;
  /** Lift the blast-radius limit (`--allow-large`). */
  allowLarge?: boolean;
}

interface Ctx {
  observed: Observed;
  policy: Policy;
  date: string;
  warnings: string[];
}

export function plan(desired: DesiredState, observed: Observed, policy: Policy, opts: PlanOptions): Plan {
  const ctx: Ctx = { observed, policy, date: utcDate(opts.now), warnings: [] };
  const changes: Change[] = [];
  for (const org of [...desired.orgs].sort((a, b) => a.id - b.id)) {
    const live = observed.orgs.get(org.id);
    // A baseline file (no request) is compared by the `baseline` plan check, not changed.
    const sharing = hasRequest(org) ? planOrgSharing(org, live, ctx) : null;
    if (sharing) changes.push(sharing);
    // Partner steps append their Details lines after the sharing step's (key order is
    // apply order on one organization: "org:" before "partner:").
    const sharingDetails = sharing?.steps.find((s): s is Extract<Step, { kind: 'org_update' }> => s.kind === 'org_update')?.detailsAfter;
    changes.push(...planPartners(org, live, sharingDetails === undefined ? (live?.details ?? null) : sharingDetails, ctx));
    changes.push(...planUserAccess(org, live, ctx));
  }
  changes.sort((a, b) => a.orgId - b.orgId || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const [i, c] of changes.entries()) changes[i] = withExposure(c, observed);
  return {
    formatVersion: 1,
    generatedAt: opts.now.toISOString(),
    date: ctx.date,
    account: { subdomain: observed.account.subdomain, baseUrl: observed.account.baseUrl },
    desiredHash: desired.hash,
    managed: desired.orgs.length,
    changes,
    planChecks: [checkBlastRadius(changes, policy.maxChanges, opts.allowLarge === true), ...[checkBaselines(desired, observed)].filter((c) => c !== null)],
    fingerprint: fingerprint(desired, observed),
    warnings: ctx.warnings,
  };
}

// ---- organization sharing -----------------------------------------------------------

/** An organization file with a request (every file but a baseline file). */
type RequestOrg = DesiredOrg & { request: DesiredRequest };

function hasRequest(org: DesiredOrg): org is RequestOrg {
  return org.request !== null;
}

function sharingWhat(from: Sharing, to: Sharing): string {
  if (to === 'private') return 'disabling sharing';
  return from === 'private' ? `enabling ${sharingLabel(to)} sharing` : `changing sharing to ${sharingLabel(to)}`;
}

function requestSubject(org: RequestOrg, live: ObservedOrg | null | undefined, from: Sharing, widening: boolean): CheckSubject {
  const subject: CheckSubject = {
    org,
    live,
    widening,
    what: sharingWhat(from, org.sharing),
    ticket: org.request.ticket,
    ticketPointer: '/request/ticket',
    sharing: org.sharing,
    approvalLabel: 'request.risk_approval',
    approvalPointer: '/request/risk_approval',
  };
  if (org.request.riskApproval) subject.approval = org.request.riskApproval;
  if (org.request.legacy) subject.legacyFrom = from;
  return subject;
}

function planOrgSharing(org: RequestOrg, live: ObservedOrg | null | undefined, ctx: Ctx): OrgSharingChange | null {
  const to = org.sharing;
  const ticket = org.request.ticket;
  const evidence = ctx.observed.tickets.get(ticket.id);

  if (!live) {
    // Nothing can be written to an organization that is not there: a blocked change.
    const widening = to !== 'private';
    const outcome = runChecks(requestSubject(org, live, 'private', widening), ctx.observed, ctx.policy);
    const change = sharingChange(org, to === 'private' ? 'disable' : 'enable', 'private', to, widening, outcome.checks, [], outcome.evidence);
    if (live === null) change.orgMissing = true;
    return change;
  }

  const diff = sharingDiff(org, live);
  if (diff === null) return null;
  if (diff.kind === 'finish') return planFinish(org, live, diff.date, ctx);

  const { from, widening } = diff;
  const kind = to === 'private' ? 'disable' : from === 'private' ? 'enable' : 'change_type';
  const outcome = runChecks(requestSubject(org, live, from, widening), ctx.observed, ctx.policy);
  const checks = [...outcome.checks];
  if (!widening && live.name !== org.name) {
    ctx.warnings.push(`${org.file}: organization ${org.id} is named "${live.name}" in Zendesk, not "${org.name}"`);
  }

  const steps: Step[] = [];
  if (to !== 'private') {
    const fields = resolveTicketFields(ctx.policy, ctx.observed.ticketFields, to, widening);
    const step = metadataStep(ticket, evidence, fields.targets);
    // Fields are needed only when the step runs: a solved ticket is left alone.
    if (!ticketSkipReason(ticket, evidence)) checks.push(...fieldProblems(org, fields.problems));
    steps.push(step);
  }
  steps.push(orgSharingStep(live, to, ticket, ctx.date));
  steps.push(
    commentStep(
      ticket,
      evidence,
      sharingComment(ctx.policy, to, { org: live.name, date: ctx.date, ticket: ticket.canonical }),
      ctx.observed.account.currentUserId,
    ),
  );
  return sharingChange(org, kind, from, to, widening, sortChecks(checks), steps, outcome.evidence);
}

/**
 * Live already equals the file. If the last Details line records this file's change and
 * its ticket is still open without our confirmation, an apply was interrupted after the
 * organization step: finish with the confirmation comment (and solve). Ticket metadata is
 * not redone: apply writes it before the organization, so it is already there. Legacy
 * records are never finished (their change was not made by orgshare).
 */
function planFinish(org: RequestOrg, live: ObservedOrg, recordedOn: string, ctx: Ctx): OrgSharingChange | null {
  const to = org.sharing;
  const ticket = org.request.ticket;
  const evidence = ctx.observed.tickets.get(ticket.id);
  if (!evidence?.ticket || ticketSkipReason(ticket, evidence)) return null;
  // The comment is dated like the Details line it confirms, so reruns on later days agree.
  const body = sharingComment(ctx.policy, to, { org: live.name, date: recordedOn, ticket: ticket.canonical });
  if (findConfirmation(evidence, ctx.observed.account.currentUserId, body)) return null;

  const outcome = runChecks(requestSubject(org, live, to, false), ctx.observed, ctx.policy);
  const steps: Step[] = [commentStep(ticket, evidence, body, ctx.observed.account.currentUserId)];
  return sharingChange(org, 'finish', to, to, false, outcome.checks, steps);
}

/**
 * A ticket field or option named by the policy that the account lacks. The handbook
 * requires the metadata before the organization is changed, so the change is blocked;
 * the fix is in orgshare.config.yaml (ticket_fields), hence the `schema` check id.
 */
function fieldProblems(org: DesiredOrg, problems: string[]): CheckResult[] {
  return problems.map((p) =>
    fail('schema', p, 'set ticket_fields (id, title, option names) in orgshare.config.yaml to match this Zendesk account', org.positions['/request/ticket']),
  );
}

function sharingChange(
  org: RequestOrg,
  kind: OrgSharingChange['kind'],
  from: Sharing,
  to: Sharing,
  widening: boolean,
  checks: CheckResult[],
  steps: Step[],
  evidence?: OrgSharingChange['evidence'],
): OrgSharingChange {
  const change: OrgSharingChange = {
    key: `org:${org.id}`,
    kind,
    orgId: org.id,
    orgName: org.name,
    file: org.file,
    ticket: org.request.ticket,
    widening,
    from,
    to,
    checks,
    blocked: isFailing(checks),
    steps,
  };
  if (evidence) change.evidence = evidence;
  return change;
}

// ---- partners -----------------------------------------------------------------------

/**
 * A declared partner domain missing from the live domain_names is added (widening: its
 * users join the organization), with one Details line recording the domain and its ticket.
 * Domains are never removed: orgshare cannot tell a partner's domain from the
 * organization's own, so removal stays a manual change. Each step carries the full list
 * (Zendesk replaces, not merges) and the Details, cumulative in key order.
 *
 * A domain already live is finished (`partner_finish`) when the last Details partner line
 * for it names this entry's ticket and that ticket is open without our confirmation: an
 * apply stopped after the organization write.
 */
function planPartners(org: DesiredOrg, live: ObservedOrg | null | undefined, detailsBefore: string | null, ctx: Ctx): PartnerChange[] {
  const out: PartnerChange[] = [];
  const presentLive = new Set((live?.domainNames ?? []).map((d) => d.toLowerCase()));
  const seen = new Set(presentLive);
  let domains = [...(live?.domainNames ?? [])];
  let details = detailsBefore;
  const partners = org.partners.map((p, i) => ({ p, i })).sort((a, b) => (a.p.domain < b.p.domain ? -1 : 1));
  for (const { p, i } of partners) {
    const domain = p.domain.toLowerCase();
    if (seen.has(domain)) {
      // (A domain listed twice is a config error; keys stay unique regardless.)
      if (live && presentLive.has(domain) && !out.some((c) => c.domain === domain) && partnerDiff(org, live, p) === 'finish') {
        const finish = planPartnerFinish(org, live, p, i, ctx);
        if (finish) out.push(finish);
      }
      continue;
    }
    seen.add(domain);
    domains = [...domains, domain];
    const subject: CheckSubject = {
      org,
      live,
      widening: true,
      what: `adding partner domain ${domain}`,
      ticket: p.ticket,
      ticketPointer: `/partners/${i}/ticket`,
      approvalLabel: `partners[${i}].consent`,
      approvalPointer: `/partners/${i}/consent`,
      fallbackSource: p.source,
    };
    if (p.consent) subject.approval = p.consent;
    const outcome = runChecks(subject, ctx.observed, ctx.policy);
    const evidence = ctx.observed.tickets.get(p.ticket.id);
    const steps: Step[] = [];
    if (live) {
      const orgStep = orgDomainsStep(live, domains, { domain, ticket: p.ticket }, ctx.date, details);
      if (orgStep.kind === 'org_update') details = orgStep.detailsAfter;
      steps.push(
        orgStep,
        commentStep(p.ticket, evidence, partnerComment(live, domain, p.ticket, ctx.date), ctx.observed.account.currentUserId),
      );
    }
    const change = partnerChange(org, p, domain, 'partner_add', true, outcome.checks, steps);
    if (outcome.evidence) change.evidence = outcome.evidence;
    out.push(change);
  }
  return out;
}

function partnerComment(live: ObservedOrg, domain: string, ticket: TicketRef, date: string): string {
  return fillTemplate(PARTNER_COMMENT, { org: live.name, date, ticket: ticket.canonical, domain });
}

/**
 * The domain is live; finish when the organization's own record (the last Details partner
 * line for the domain) names this entry's ticket, the ticket is open, and our confirmation
 * is not on it. The comment is dated like that line. Grandfathered entries are never
 * finished (see `grandfathered`).
 */
function planPartnerFinish(org: DesiredOrg, live: ObservedOrg, p: DesiredPartner, i: number, ctx: Ctx): PartnerChange | null {
  const record = lastPartnerEntry(live.details, p.domain);
  if (!record) return null;
  const body = partnerComment(live, p.domain.toLowerCase(), p.ticket, record.date);
  const steps = finishSteps(p.ticket, body, ctx);
  if (!steps) return null;
  const subject: CheckSubject = {
    org,
    live,
    widening: false,
    what: `confirming partner domain ${p.domain.toLowerCase()}`,
    ticket: p.ticket,
    ticketPointer: `/partners/${i}/ticket`,
    approvalLabel: `partners[${i}].consent`,
    approvalPointer: `/partners/${i}/consent`,
    fallbackSource: p.source,
  };
  const outcome = runChecks(subject, ctx.observed, ctx.policy);
  return partnerChange(org, p, p.domain.toLowerCase(), 'partner_finish', false, outcome.checks, steps);
}

function partnerChange(
  org: DesiredOrg,
  p: DesiredPartner,
  domain: string,
  kind: PartnerChange['kind'],
  widening: boolean,
  checks: CheckResult[],
  steps: Step[],
): PartnerChange {
  return {
    key: `partner:${domain}@org:${org.id}`,
    kind,
    orgId: org.id,
    orgName: org.name,
    file: org.file,
    ticket: p.ticket,
    widening,
    domain,
    checks,
    blocked: isFailing(checks),
    steps,
  };
}

// ---- finishing grants and partners ------------------------------------------------------

/**
 * The one step of a grant/partner finish: the confirmation comment (and solve), or null
 * when there is nothing to finish: the ticket is not read, missing, already solved or
 * closed, or our confirmation is already on it.
 */
function finishSteps(ticket: TicketRef, body: string, ctx: Ctx): Step[] | null {
  const evidence = ctx.observed.tickets.get(ticket.id);
  if (!evidence?.ticket || ticketSkipReason(ticket, evidence)) return null;
  if (findConfirmation(evidence, ctx.observed.account.currentUserId, body)) return null;
  return [commentStep(ticket, evidence, body, ctx.observed.account.currentUserId)];
}

// ---- user-level grants ----------------------------------------------------------------

function grantComment(org: DesiredOrg, live: ObservedOrg | null | undefined, grant: DesiredUserGrant, date: string): string {
  return fillTemplate(GRANT_COMMENTS[grant.access], {
    org: live?.name ?? org.name,
    date,
    ticket: grant.ticket.canonical,
    email: grant.email,
  });
}

function planUserAccess(org: DesiredOrg, live: ObservedOrg | null | undefined, ctx: Ctx): UserGrantChange[] {
  const out: UserGrantChange[] = [];
  org.userAccess.forEach((grant, i) => {
    const user = userByEmail(ctx.observed, grant.email);
    const liveAccess = user?.ticketRestriction ?? null;
    const widening = grant.access === 'organization';
    const diff = grantDiff(org, live, grant, user);
    if (diff === 'finish') {
      // Live already equals the file: nothing to write, but the confirmation may be due.
      const finish = planGrantFinish(org, live, grant, i, ctx);
      if (finish) out.push(finish);
      return;
    }
    if (diff === null) {
      if (!widening && user === null) ctx.warnings.push(`${org.file}: user_access ${grant.email}: no Zendesk user has this email`);
      if (!widening && user === undefined) ctx.warnings.push(`${org.file}: user_access ${grant.email}: the user was not read`);
      return;
    }

    // The grant's own evidence, or the organization request's when it is the same ticket.
    const approval = grantApproval(org, grant, i);
    const subject = grantSubject(org, live, grant, i, widening, `granting ${grant.email} access to all organization tickets`);
    subject.approvalLabel = approval.label;
    subject.approvalPointer = approval.pointer;
    if (approval.approval) subject.approval = approval.approval;
    const outcome = runChecks(subject, ctx.observed, ctx.policy);

    const evidence = ctx.observed.tickets.get(grant.ticket.id);
    const steps: Step[] = [];
    if (user) {
      steps.push(userStep(user, grant.access, grant.ticket, ctx.date));
      steps.push(commentStep(grant.ticket, evidence, grantComment(org, live, grant, ctx.date), ctx.observed.account.currentUserId));
    }
    const change = grantChange(org, grant, user ? user.id : null, widening ? 'user_grant' : 'user_revoke', widening, liveAccess, outcome.checks, steps);
    if (outcome.evidence) change.evidence = outcome.evidence;
    out.push(change);
  });
  return out;
}

function grantSubject(
  org: DesiredOrg,
  live: ObservedOrg | null | undefined,
  grant: DesiredUserGrant,
  i: number,
  widening: boolean,
  what: string,
): CheckSubject {
  return {
    org,
    live,
    widening,
    what,
    ticket: grant.ticket,
    ticketPointer: `/user_access/${i}/ticket`,
    approvalLabel: `user_access[${i}].risk_approval`,
    approvalPointer: `/user_access/${i}/risk_approval`,
    grantee: { email: grant.email, pointer: `/user_access/${i}/email` },
    fallbackSource: grant.source,
  };
}

/**
 * The user's live ticket access already equals the file. If the last access line of their
 * notes records this entry (access and ticket) and that ticket is open without our
 * confirmation, an apply stopped after the user write: finish with the comment (and
 * solve), dated like the notes line. Grandfathered entries are never finished.
 */
function planGrantFinish(org: DesiredOrg, live: ObservedOrg | null | undefined, grant: DesiredUserGrant, i: number, ctx: Ctx): UserGrantChange | null {
  const user = userByEmail(ctx.observed, grant.email);
  if (!live || !user || user.ticketRestriction !== grant.access) return null;
  const record = parseAccessHistory(user.notes).at(-1);
  if (!record) return null;
  const steps = finishSteps(grant.ticket, grantComment(org, live, grant, record.date), ctx);
  if (!steps) return null;
  const what = grant.access === 'organization' ? `confirming ${grant.email}'s access to all organization tickets` : `confirming ${grant.email}'s access to own tickets only`;
  const outcome = runChecks(grantSubject(org, live, grant, i, false, what), ctx.observed, ctx.policy);
  return grantChange(org, grant, user.id, 'grant_finish', false, user.ticketRestriction, outcome.checks, steps);
}

function grantChange(
  org: DesiredOrg,
  grant: DesiredUserGrant,
  userId: number | null,
  kind: UserGrantChange['kind'],
  widening: boolean,
  from: UserGrantChange['from'],
  checks: CheckResult[],
  steps: Step[],
): UserGrantChange {
  return {
    key: `user:${userId ?? grant.email.toLowerCase()}@org:${org.id}`,
    kind,
    orgId: org.id,
    orgName: org.name,
    file: org.file,
    ticket: grant.ticket,
    widening,
    userId,
    email: grant.email,
    from,
    to: grant.access,
    checks,
    blocked: isFailing(checks),
    steps,
  };
}

// ---- exposure ---------------------------------------------------------------------------

/**
 * A widening change with its exposure (docs/access.md "Exposure of a planned change"),
 * when the read set read its organization's members and ticket count; otherwise as is.
 */
function withExposure(change: Change, observed: Observed): Change {
  if (!change.widening || !WIDENING_KINDS.has(change.kind)) return change;
  const org = observed.orgs.get(change.orgId);
  const memberIds = observed.orgMembers?.get(change.orgId);
  const ticketCount = observed.ticketCounts?.get(change.orgId);
  if (!org || !memberIds || ticketCount === undefined) return change;
  const members = memberIds.flatMap((id) => {
    const u = observed.users.get(id);
    return u ? [u] : [];
  });
  const user = change.kind === 'user_grant' && change.userId !== null ? (observed.users.get(change.userId) ?? null) : undefined;
  const exposure = exposureOf(change, { org, members, ticketCount, user });
  return exposure ? { ...change, exposure } : change;
}
