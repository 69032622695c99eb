/**
 * The planner: `plan(desired, observed, policy, opts)` is pure and deterministic. It reads
 * only its arguments (no clock: `opts.now`; no network), and orders changes by
 * organization id, then key. It is level-based: it compares the whole live state with the
 * files, so a rerun after a crash converges (the `finish` change picks up ticket steps an
 * interrupted apply left undone) and a converged repository plans zero changes.
 */
import type { DesiredOrg, DesiredState, RiskApproval } from '../model/desired.js';
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
import { isWidening, sharingFromFlags, sharingLabel } from '../model/sharing.js';
import { checkBlastRadius, isFailing, runChecks, sortChecks, type CheckSubject } from '../policy/checks.js';
import { userByEmail } from '../policy/lookup.js';
import { fail } from '../policy/result.js';
import { GRANT_COMMENTS, PARTNER_COMMENT, fillTemplate, sharingComment } from './comments.js';
import { entryRecords, lastHistoryEntry } from './details.js';
import { fingerprint } from './fingerprint.js';
import { commentStep, findConfirmation, metadataStep, orgDomainsStep, orgSharingStep, ticketSkipReason, userStep } from './steps.js';
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

/** UTC date, YYYY-MM-DD: the DATE of Details lines. */
export function utcDate(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export function plan(desired: DesiredState, observed: Observed, policy: Policy, opts: PlanOptions): Plan {
  const ctx: Ctx = { observed, policy, date: utcDate(opts.now), warnings: [] };
  const changes: Change[] = [];
  for (const org of [...desired.orgs].sort((a, b) => a.id - b.id)) {
    const live = observed.orgs.get(org.id);
    const sharing = planOrgSharing(org, live, ctx);
    if (sharing) changes.push(sharing);
    changes.push(...planPartners(org, live, ctx));
    changes.push(...planUserAccess(org, live, ctx));
  }
  changes.sort((a, b) => a.orgId - b.orgId || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    formatVersion: 1,
    generatedAt: opts.now.toISOString(),
    date: ctx.date,
    account: { subdomain: observed.account.subdomain, baseUrl: observed.account.baseUrl },
    desiredHash: desired.hash,
    managed: desired.orgs.length,
    changes,
    planChecks: [checkBlastRadius(changes, policy.maxChanges, opts.allowLarge === true)],
    fingerprint: fingerprint(desired, observed),
    warnings: ctx.warnings,
  };
}

// ---- organization sharing -----------------------------------------------------------

function sharingWhat(from: Sharing, to: Sharing): string {
  if (to === 'private') return 'disabling sharing';
  return from === 'private' ? `enabling ${sharingLabel(to)} sharing` : `changing sharing to ${sharingLabel(to)}`;
}

function requestSubject(org: DesiredOrg, live: ObservedOrg | null | undefined, from: Sharing, widening: boolean): CheckSubject {
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

function planOrgSharing(org: DesiredOrg, live: ObservedOrg | null | undefined, ctx: Ctx): OrgSharingChange | null {
  const to = org.sharing;
  const ticket = org.request.ticket;
  const evidence = ctx.observed.tickets.get(ticket.id);

  if (!live) {
    // Nothing can be written to an organization that is not there: a blocked change.
    const widening = to !== 'private';
    const outcome = runChecks(requestSubject(org, live, 'private', widening), ctx.observed, ctx.policy);
    return sharingChange(org, to === 'private' ? 'disable' : 'enable', 'private', to, widening, outcome.checks, [], outcome.evidence);
  }

  const from = sharingFromFlags({ shared_tickets: live.sharedTickets, shared_comments: live.sharedComments });
  if (from === to) return planFinish(org, live, ctx);

  const widening = isWidening(from, to);
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
function planFinish(org: DesiredOrg, live: ObservedOrg, ctx: Ctx): OrgSharingChange | null {
  const to = org.sharing;
  const ticket = org.request.ticket;
  if (org.request.legacy) return null;
  const last = lastHistoryEntry(live.details);
  if (!last || !entryRecords(last, to, ticket)) return null;
  const evidence = ctx.observed.tickets.get(ticket.id);
  if (!evidence?.ticket || ticketSkipReason(ticket, evidence)) return null;
  // The comment is dated like the Details line it confirms, so reruns on later days agree.
  const body = sharingComment(ctx.policy, to, { org: live.name, date: last.date, ticket: ticket.canonical });
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
  org: DesiredOrg,
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
 * users join the organization). Domains are never removed: orgshare cannot tell a
 * partner's domain from the organization's own, so removal stays a manual change.
 * Each step carries the full list (Zendesk replaces, not merges), cumulative in key order.
 */
function planPartners(org: DesiredOrg, live: ObservedOrg | null | undefined, ctx: Ctx): PartnerChange[] {
  const out: PartnerChange[] = [];
  const liveDomains = new Set((live?.domainNames ?? []).map((d) => d.toLowerCase()));
  let domains = [...(live?.domainNames ?? [])];
  const partners = org.partners.map((p, i) => ({ p, i })).sort((a, b) => (a.p.domain < b.p.domain ? -1 : 1));
  for (const { p, i } of partners) {
    const domain = p.domain.toLowerCase();
    if (liveDomains.has(domain)) continue;
    liveDomains.add(domain);
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
    const steps: Step[] = live
      ? [
          orgDomainsStep(live, domains),
          commentStep(
            p.ticket,
            evidence,
            fillTemplate(PARTNER_COMMENT, { org: live.name, date: ctx.date, ticket: p.ticket.canonical, domain }),
            ctx.observed.account.currentUserId,
          ),
        ]
      : [];
    const change: PartnerChange = {
      key: `partner:${domain}@org:${org.id}`,
      kind: 'partner_add',
      orgId: org.id,
      orgName: org.name,
      file: org.file,
      ticket: p.ticket,
      widening: true,
      domain,
      checks: outcome.checks,
      blocked: isFailing(outcome.checks),
      steps,
    };
    if (outcome.evidence) change.evidence = outcome.evidence;
    out.push(change);
  }
  return out;
}

// ---- user-level grants ----------------------------------------------------------------

function planUserAccess(org: DesiredOrg, live: ObservedOrg | null | undefined, ctx: Ctx): UserGrantChange[] {
  const out: UserGrantChange[] = [];
  org.userAccess.forEach((grant, i) => {
    const user = userByEmail(ctx.observed, grant.email);
    const liveAccess = user?.ticketRestriction ?? null;
    const widening = grant.access === 'organization';
    if (widening && liveAccess === 'organization') return;
    if (!widening) {
      if (user === null) ctx.warnings.push(`${org.file}: user_access ${grant.email}: no Zendesk user has this email`);
      if (user === undefined) ctx.warnings.push(`${org.file}: user_access ${grant.email}: the user was not read`);
      if (!user || liveAccess !== 'organization') return;
    }

    // The grant's own evidence, or the organization request's when it is the same ticket.
    let approval: RiskApproval | undefined = grant.riskApproval;
    let approvalLabel = `user_access[${i}].risk_approval`;
    let approvalPointer = `/user_access/${i}/risk_approval`;
    const sameTicket = grant.ticket.id === org.request.ticket.id && grant.ticket.host === org.request.ticket.host;
    if (!approval && sameTicket && !org.request.legacy && org.request.riskApproval) {
      approval = org.request.riskApproval;
      approvalLabel = 'request.risk_approval';
      approvalPointer = '/request/risk_approval';
    }
    const subject: CheckSubject = {
      org,
      live,
      widening,
      what: `granting ${grant.email} access to all organization tickets`,
      ticket: grant.ticket,
      ticketPointer: `/user_access/${i}/ticket`,
      approvalLabel,
      approvalPointer,
      grantee: { email: grant.email, pointer: `/user_access/${i}/email` },
      fallbackSource: grant.source,
    };
    if (approval) subject.approval = approval;
    const outcome = runChecks(subject, ctx.observed, ctx.policy);

    const evidence = ctx.observed.tickets.get(grant.ticket.id);
    const steps: Step[] = [];
    if (user) {
      steps.push(userStep(user, grant.access, grant.ticket, ctx.date));
      steps.push(
        commentStep(
          grant.ticket,
          evidence,
          fillTemplate(GRANT_COMMENTS[grant.access], {
            org: live?.name ?? org.name,
            date: ctx.date,
            ticket: grant.ticket.canonical,
            email: grant.email,
          }),
          ctx.observed.account.currentUserId,
        ),
      );
    }
    const change: UserGrantChange = {
      key: `user:${user ? user.id : grant.email.toLowerCase()}@org:${org.id}`,
      kind: widening ? 'user_grant' : 'user_revoke',
      orgId: org.id,
      orgName: org.name,
      file: org.file,
      ticket: grant.ticket,
      widening,
      userId: user ? user.id : null,
      email: grant.email,
      from: liveAccess,
      to: grant.access,
      checks: outcome.checks,
      blocked: isFailing(outcome.checks),
      steps,
    };
    if (outcome.evidence) change.evidence = outcome.evidence;
    out.push(change);
  });
  return out;
}
