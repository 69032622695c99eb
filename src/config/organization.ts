/**
 * One schema-valid organization file → the offline pre-checks (docs/prechecks.md,
 * the parts that need no network) and, when they pass, a `DesiredOrg`.
 *
 * Offline parts, by check id:
 * - ticket_url: every ticket URL is on this account (ticket-url.ts);
 * - confirmed_type: request.confirmed_type equals sharing; required to widen; the
 *   type_confirmation quote names exactly that type (type_words of the policy);
 * - risk_approved: widening needs evidence (request, each organization grant, each
 *   partner's consent) unless the record is legacy;
 * - approver_member: each approved_by is in authorized_requesters when that list exists;
 * - hipaa / deny_note: restrictions forbid sharing and organization grants;
 * - schema: no grant or partner twice, no public email domain as a partner.
 * `legacy: true` waives evidence only; it never waives hipaa, deny_note or ticket_url.
 */
import type { Problem } from '../errors.js';
import type { DesiredOrg, DesiredPartner, DesiredUserGrant, RiskApproval, SourceRef, TicketRef } from '../model/desired.js';
import type { CheckId } from '../model/plan.js';
import type { Policy } from '../model/policy.js';
import { valuePos, type PositionIndex } from './positions.js';
import { problem, show } from './problem.js';
import type { RawOrganization, RawRiskApproval } from './raw.js';
import { parseTicketUrl } from '../records/ticket-url.js';
import { describeTypeWords, typesNamed } from '../policy/type-words.js';

/**
 * Email providers anyone can sign up with: as a partner domain they would put every one of
 * their users into the organization.
 */
export const PUBLIC_EMAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'yahoo.com',
  'ymail.com', 'icloud.com', 'me.com', 'mac.com', 'aol.com', 'proton.me', 'protonmail.com', 'gmx.com',
  'gmx.net', 'gmx.de', 'web.de', 'mail.com', 'zoho.com', 'yandex.com', 'yandex.ru', 'mail.ru', 'qq.com',
  '163.com', 'fastmail.com', 'hey.com', 'tutanota.com', 'zendesk.com',
]);

export interface OrgBuild {
  org?: DesiredOrg;
  problems: Problem[];
}

export function buildOrganization(raw: RawOrganization, file: string, positions: PositionIndex, policy: Policy): OrgBuild {
  const problems: Problem[] = [];
  const report = (check: CheckId, code: string, path: string, message: string, hint?: string, value?: unknown) =>
    problems.push(problem({ file, pos: valuePos(positions, path), check, code, message, hint, value }));
  const source = (path: string): SourceRef => ({ file, ...valuePos(positions, path) });

  // A name that renders differently from its bytes (bidi controls, zero-width characters,
  // ESC) has no place in a reviewed file: reviewers would approve what they cannot see.
  const hidden = [...raw.organization.name].filter((c) => /[\p{Cc}\p{Cf}\u2028\u2029]/u.test(c));
  if (hidden.length > 0) {
    const codes = [...new Set(hidden.map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`))];
    report(
      'schema',
      'invisible_character',
      '/organization/name',
      `organization.name contains ${codes.join(', ')}: characters that render differently from what the file holds`,
      'write the name without them; if the live name has them, rename the organization in Zendesk first',
    );
  }

  const ticket = (url: string, path: string): TicketRef | undefined => {
    const r = parseTicketUrl(url, policy);
    if (r.ok) return r.ref;
    report('ticket_url', r.code, path, r.message, r.hint, url);
    return undefined;
  };

  // A baseline file (no request; the schema allows it only with sharing: private) asserts
  // that a never-shared organization stays private (docs/drift-and-import.md, "Baseline files").
  const baseline = raw.request === undefined;
  const request = raw.request ?? { ticket: '' };
  const legacy = request.legacy === true;
  const restrictions = raw.restrictions ?? {};
  const grants = raw.user_access ?? [];
  const partners = raw.partners ?? [];

  const requestTicket = baseline ? undefined : ticket(request.ticket, '/request/ticket');

  // confirmed_type
  if (request.confirmed_type !== undefined && request.confirmed_type !== raw.sharing) {
    report(
      'confirmed_type',
      'type_mismatch',
      '/request/confirmed_type',
      `the requester confirmed ${request.confirmed_type} but sharing is ${raw.sharing}`,
      'the file must declare exactly the type the requester confirmed on the ticket; fix sharing or ask the requester to confirm again',
      request.confirmed_type,
    );
  } else if (request.confirmed_type === undefined && raw.sharing !== 'private' && !legacy) {
    report(
      'confirmed_type',
      'missing_confirmed_type',
      '/request',
      `request.confirmed_type is missing: the requester must confirm which type (${raw.sharing}) they want`,
      `add \`confirmed_type: ${raw.sharing}\` under request once the requester has confirmed it on the ticket`,
    );
  }

  // confirmed_type: the type_confirmation quote must name the confirmed type (and only it).
  // The risk_approval quote is checked live only: files of organizations already shared
  // (imported, converged) stay valid whatever their quote says.
  const confirmation = request.type_confirmation;
  if (confirmation && raw.sharing !== 'private') {
    const named = typesNamed(confirmation.quote, policy.typeWords);
    if (named.length !== 1 || named[0] !== raw.sharing) {
      report(
        'confirmed_type',
        named.length === 0 ? 'quote_names_no_type' : named.length > 1 ? 'quote_names_both_types' : 'quote_names_other_type',
        '/request/type_confirmation/quote',
        named.length === 0
          ? 'request.type_confirmation.quote names no sharing type'
          : named.length > 1
            ? 'request.type_confirmation.quote names both sharing types'
            : `request.type_confirmation.quote names ${named[0]}, but sharing is ${raw.sharing}`,
        `quote the requester's words that name the type they want (${describeTypeWords(policy.typeWords, raw.sharing)})`,
        confirmation.quote,
      );
    }
  }

  // approver_member (offline part): authorized_requesters
  const authorized = raw.authorized_requesters ? new Set(raw.authorized_requesters.map((e) => e.toLowerCase())) : null;
  const checkApprover = (approval: RawRiskApproval | undefined, path: string) => {
    if (!approval || !authorized || authorized.has(approval.approved_by.toLowerCase())) return;
    report(
      'approver_member',
      'not_authorized',
      `${path}/approved_by`,
      `${approval.approved_by} is not in authorized_requesters`,
      `only ${[...authorized].join(', ')} may approve changes for this organization; get their approval or update the list through its own reviewed request`,
      approval.approved_by,
    );
  };
  checkApprover(request.risk_approval, '/request/risk_approval');

  // hipaa and deny_note on the organization level
  if (restrictions.hipaa && raw.sharing !== 'private') {
    report('hipaa', 'hipaa_sharing', '/sharing', `HIPAA organization must stay private, not ${raw.sharing}`, 'set sharing: private; HIPAA tenants never share tickets', raw.sharing);
  }
  if (restrictions.no_sharing !== undefined && raw.sharing !== 'private') {
    report(
      'deny_note',
      'deny_note_sharing',
      '/sharing',
      `sharing must stay private: restrictions.no_sharing says ${show(restrictions.no_sharing)}`,
      'the deny note wins over any request; remove it only through its own reviewed change (e.g. Legal lifting the hold)',
      raw.sharing,
    );
  }

  const requestCanonical = requestTicket?.canonical;
  const seenGrants = new Map<string, number>();
  const userAccess: DesiredUserGrant[] = [];
  grants.forEach((g, i) => {
    const path = `/user_access/${i}`;
    const email = g.email.toLowerCase();
    const first = seenGrants.get(email);
    if (first !== undefined) {
      report('schema', 'duplicate_user_grant', `${path}/email`, `${g.email} is granted twice (also user_access[${first}])`, 'keep one entry per user', g.email);
    } else {
      seenGrants.set(email, i);
    }
    const t = ticket(g.ticket, `${path}/ticket`);
    if (g.access === 'organization') {
      if (restrictions.hipaa) {
        report('hipaa', 'hipaa_user_grant', `${path}/access`, `HIPAA organization: ${g.email} cannot be granted access to all organization tickets`, 'remove the grant or set access: requested');
      }
      if (restrictions.no_sharing !== undefined) {
        report(
          'deny_note',
          'deny_note_user_grant',
          `${path}/access`,
          `${g.email} cannot be granted organization access: restrictions.no_sharing says ${show(restrictions.no_sharing)}`,
          'remove the grant or set access: requested',
        );
      }
      const fallback = request.risk_approval !== undefined && t !== undefined && t.canonical === requestCanonical;
      if (!g.risk_approval && !fallback && !legacy) {
        report(
          'risk_approved',
          'missing_evidence',
          path,
          `granting ${g.email} organization access needs risk_approval (or a request.risk_approval on the same ticket)`,
          'record approved_by, comment_id and quote of the approval under this grant',
        );
      }
    }
    checkApprover(g.risk_approval, `${path}/risk_approval`);
    if (t) {
      const grant: DesiredUserGrant = { email, access: g.access, ticket: t, source: source(path) };
      if (g.risk_approval) grant.riskApproval = approvalOf(g.risk_approval);
      userAccess.push(grant);
    }
  });

  const seenDomains = new Map<string, number>();
  const desiredPartners: DesiredPartner[] = [];
  partners.forEach((p, i) => {
    const path = `/partners/${i}`;
    const first = seenDomains.get(p.domain);
    if (first !== undefined) {
      report('schema', 'duplicate_partner', `${path}/domain`, `partner domain ${p.domain} is listed twice (also partners[${first}])`, 'keep one entry per domain', p.domain);
    } else {
      seenDomains.set(p.domain, i);
    }
    if (PUBLIC_EMAIL_DOMAINS.has(p.domain)) {
      report(
        'schema',
        'public_email_domain',
        `${path}/domain`,
        `${p.domain} is a public email provider: every one of its users would join this organization`,
        'use the partner company’s own email domain, or grant individual users under user_access',
        p.domain,
      );
    }
    const t = ticket(p.ticket, `${path}/ticket`);
    if (restrictions.hipaa) {
      report('hipaa', 'hipaa_partner', path, `HIPAA organization: partner ${p.domain} cannot be added`, 'remove the partner');
    }
    if (!p.consent && !legacy) {
      report(
        'risk_approved',
        'missing_consent',
        path,
        `partner ${p.domain} needs this organization's consent on record`,
        'record approved_by, comment_id and quote of the organization’s consent under consent',
      );
    }
    checkApprover(p.consent, `${path}/consent`);
    if (t) {
      const partner: DesiredPartner = { domain: p.domain, ticket: t, source: source(path) };
      if (p.name !== undefined) partner.name = p.name;
      if (p.consent) partner.consent = approvalOf(p.consent);
      desiredPartners.push(partner);
    }
  });

  if (problems.length > 0 || (!requestTicket && !baseline)) return { problems };

  const positionRecord: Record<string, SourceRef> = {};
  for (const [path, pos] of positions.values) positionRecord[path] = { file, line: pos.line, col: pos.col };

  const org: DesiredOrg = {
    file,
    id: raw.organization.id,
    name: raw.organization.name,
    sharing: raw.sharing,
    request: requestTicket ? { ticket: requestTicket, legacy } : null,
    userAccess,
    partners: desiredPartners,
    restrictions: { hipaa: restrictions.hipaa === true },
    positions: positionRecord,
  };
  if (org.request) {
    if (request.requester !== undefined) org.request.requester = request.requester.toLowerCase();
    if (request.confirmed_type !== undefined) org.request.confirmedType = request.confirmed_type;
    if (request.type_confirmation) {
      org.request.typeConfirmation = { commentId: request.type_confirmation.comment_id, quote: request.type_confirmation.quote };
    }
    if (request.risk_approval) org.request.riskApproval = approvalOf(request.risk_approval);
  }
  if (raw.authorized_requesters) org.authorizedRequesters = raw.authorized_requesters.map((e) => e.toLowerCase());
  if (restrictions.no_sharing !== undefined) org.restrictions.noSharing = restrictions.no_sharing;
  return { org, problems };
}

function approvalOf(a: RawRiskApproval): RiskApproval {
  return { approvedBy: a.approved_by.toLowerCase(), commentId: a.comment_id, quote: a.quote };
}
