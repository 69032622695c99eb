/**
 * fast-check arbitraries for the pure core: random scenarios (live organizations, users,
 * tickets and their comments, and the files that ask for a change) built into a test
 * `World` (test/plan/builders.ts) and a `DesiredState`.
 *
 * Every scenario records which evidence it broke, and how (`Breakage`), so properties can
 * state the contract as an oracle: a widening change is blocked exactly when some
 * evidence is broken; a narrowing change exactly when its ticket is unusable.
 *
 * Id layout (index i = 0…5): organization 360000500000+i, its "other" organization
 * 360000900000+i, users 50000+10i (+0 requester, +1 grantee, +2 co-worker, +3 outsider),
 * tickets 8000+10i (+0 request, +1 own grant ticket, +2 partner ticket), comments
 * ticket×100+k so that comment time grows with the id (commentTime).
 */
import fc from 'fast-check';
import type { DesiredOrg, DesiredState, RiskApproval, TicketRef, UserAccess } from '../../src/model/desired.js';
import type { TicketRestriction, TicketStatus } from '../../src/model/observed.js';
import { DEFAULT_RISK_MESSAGE } from '../../src/model/policy.js';
import type { Sharing } from '../../src/model/sharing.js';
import { accessLine, appendLine, partnerLine } from '../../src/records/details.js';
import { World, approval, desiredOf, orgFile, ticketRef } from '../plan/builders.js';

/** `SOAK=1` (npm run soak) multiplies the number of runs; `SOAK=N` (N > 1) sets a factor. */
export const SOAK = Boolean(process.env.SOAK) && process.env.SOAK !== '0';
const SOAK_FACTOR = SOAK ? Math.max(10, Number(process.env.SOAK) > 1 ? Number(process.env.SOAK) : 20) : 1;

/** numRuns: `ci` in CI, ×20 (or ×SOAK) in soak mode. */
export function runs(ci: number): number {
  return ci * SOAK_FACTOR;
}

/** One fixed seed in CI so a failure reproduces; override with RELIABILITY_SEED to explore. */
export const PROPERTY_SEED = Number(process.env.RELIABILITY_SEED ?? 20261123);

// ---- breakages -------------------------------------------------------------------------

/** The request ticket cannot be used: blocks narrowing and widening changes alike. */
export const TICKET_BREAKAGES = ['ticket_other_org', 'ticket_off_account', 'ticket_missing', 'ticket_unread'] as const;
/** Broken approval evidence on the ticket or in the file: blocks widening only. */
export const EVIDENCE_BREAKAGES = [
  'no_risk_message',
  'risk_message_internal',
  'risk_message_by_end_user',
  'no_approval',
  'approval_comment_absent',
  'approval_wrong_author',
  'approval_before_risk',
  'approval_internal',
  'quote_mismatch',
  'approver_not_member',
  'approver_agent',
] as const;
/** request.confirmed_type: only organization sharing changes check it. */
export const TYPE_BREAKAGES = ['confirmed_type_mismatch', 'confirmed_type_missing'] as const;
/** Organization-wide: block every widening change of the organization (grants and partners too). */
export const GLOBAL_BREAKAGES = ['deny_note_file', 'deny_note_live', 'hipaa', 'name_mismatch', 'not_authorized'] as const;

export type TicketBreakage = (typeof TICKET_BREAKAGES)[number];
export type EvidenceBreakage = (typeof EVIDENCE_BREAKAGES)[number];
export type Breakage =
  | 'none'
  | TicketBreakage
  | EvidenceBreakage
  | (typeof TYPE_BREAKAGES)[number]
  | (typeof GLOBAL_BREAKAGES)[number];
/** A grant's or partner's own ticket (the organization-wide ones live on the org). */
export type OwnBreakage = 'none' | 'ticket_other_org' | 'ticket_missing' | 'no_risk_message' | 'no_approval' | 'quote_mismatch' | 'approval_wrong_author';

export function isTicketBreakage(b: string): b is TicketBreakage {
  return (TICKET_BREAKAGES as readonly string[]).includes(b);
}
export function isGlobalBreakage(b: string): boolean {
  return (GLOBAL_BREAKAGES as readonly string[]).includes(b);
}
export function isTypeBreakage(b: string): boolean {
  return (TYPE_BREAKAGES as readonly string[]).includes(b);
}

// ---- scenario specs --------------------------------------------------------------------

export type DetailsKind =
  | 'null'
  | 'empty'
  | 'text'
  | 'crlf'
  | 'trailing_newline'
  | 'old_line_other_ticket'
  | 'recorded_same_ticket'
  | 'fuzz';

export interface GrantSpec {
  live: TicketRestriction;
  want: UserAccess;
  /** Own ticket with own evidence, or the organization request's ticket (and its approval). */
  ownTicket: boolean;
  breakage: OwnBreakage;
  /** The grantee belongs to another organization (name_match fails when granting). */
  granteeOutside: boolean;
  ticketStatus: TicketStatus;
  notes: string | null;
  /**
   * The notes end with the access line of this very entry (an earlier apply wrote it):
   * when live already equals the file, the confirmation may still be due (grant_finish).
   */
  recorded: boolean;
}

export interface PartnerSpec {
  /** The domain is already in the live domain_names. */
  present: boolean;
  /** Details carry the partner line naming this entry's ticket (an earlier apply wrote it). */
  recorded: boolean;
  breakage: 'none' | 'no_approval' | 'ticket_other_org';
  ticketStatus: TicketStatus;
}

export interface OrgSpec {
  name: string;
  live: Sharing;
  want: Sharing;
  detailsKind: DetailsKind;
  fuzz: string;
  ticketStatus: TicketStatus;
  /** Some ticket fields are already set (an earlier, interrupted apply or an agent). */
  fieldsPreset: boolean;
  breakage: Breakage;
  /** authorized_requesters lists the requester (when not broken by not_authorized). */
  authorizedList: boolean;
  grant: GrantSpec | null;
  partner: PartnerSpec | null;
}

export interface Scenario {
  orgs: OrgSpec[];
}

const sharingArb = fc.constantFrom<Sharing>('private', 'read_only', 'read_write');
const statusArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<TicketStatus>('open', 'new', 'pending', 'hold') },
  { weight: 1, arbitrary: fc.constantFrom<TicketStatus>('solved', 'closed') },
);

/** Names with Markdown/HTML/ANSI-ish characters and non-BMP text: rendering must cope. */
const nameArb = fc
  .array(fc.constantFrom('Acme', 'Corp', ' ', '<b>', '&amp;', '|', '*', '_', '`', '[x](y)', '#', '\\', '"', "'", 'é', '—', '😀', '\u001b[31m', 'Ω'), {
    minLength: 1,
    maxLength: 6,
  })
  .map((parts) => parts.join('').trim() || 'Org');

/** An alphabet that cannot spell a deny note or a history line. */
const fuzzArb = fc.string({ unit: fc.constantFrom('a', 'b', 'x', ' ', '\n', '\r', '\t', 'é', '*', '<', '😀'), maxLength: 40 });

function breakageArb(brokenWeight: number): fc.Arbitrary<Breakage> {
  const broken: Breakage[] = [...TICKET_BREAKAGES, ...EVIDENCE_BREAKAGES, ...TYPE_BREAKAGES, ...GLOBAL_BREAKAGES];
  return fc.oneof({ weight: 10 - brokenWeight, arbitrary: fc.constant<Breakage>('none') }, { weight: brokenWeight, arbitrary: fc.constantFrom(...broken) });
}

const ownBreakageArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant<OwnBreakage>('none') },
  { weight: 1, arbitrary: fc.constantFrom<OwnBreakage>('ticket_other_org', 'ticket_missing', 'no_risk_message', 'no_approval', 'quote_mismatch', 'approval_wrong_author') },
);

const grantArb: fc.Arbitrary<GrantSpec> = fc.record({
  live: fc.constantFrom<TicketRestriction>('requested', 'organization', null),
  want: fc.constantFrom<UserAccess>('organization', 'requested'),
  ownTicket: fc.boolean(),
  breakage: ownBreakageArb,
  granteeOutside: fc.constant(false),
  ticketStatus: statusArb,
  notes: fc.constantFrom<string | null>(null, '', 'VIP contact', 'Ticket access (All organization tickets) granted 2025-01-02 as per https://acme.zendesk.com/agent/tickets/1'),
  recorded: fc.boolean(),
});

/**
 * Scenario arbitrary. `brokenWeight` (0…10) is how often an organization's evidence is
 * broken; 0 gives only valid requests.
 */
export function scenarioArb(opts: { brokenWeight?: number; maxOrgs?: number; grants?: boolean; partners?: boolean } = {}): fc.Arbitrary<Scenario> {
  const brokenWeight = opts.brokenWeight ?? 3;
  const orgArb: fc.Arbitrary<OrgSpec> = fc.record({
    name: nameArb,
    live: sharingArb,
    want: sharingArb,
    detailsKind: fc.constantFrom<DetailsKind>('null', 'empty', 'text', 'crlf', 'trailing_newline', 'old_line_other_ticket', 'recorded_same_ticket', 'fuzz'),
    fuzz: fuzzArb,
    ticketStatus: statusArb,
    fieldsPreset: fc.boolean(),
    breakage: breakageArb(brokenWeight),
    authorizedList: fc.boolean(),
    grant: opts.grants === false ? fc.constant(null) : fc.option(fc.tuple(grantArb, fc.integer({ min: 0, max: 5 })).map(([g, r]) => ({ ...g, granteeOutside: brokenWeight > 0 && r === 0 })), { freq: 2 }),
    partner: opts.partners === false
      ? fc.constant(null)
      : fc.option(
          fc.record({
            present: fc.boolean(),
            recorded: fc.boolean(),
            breakage: brokenWeight > 0 ? fc.constantFrom<PartnerSpec['breakage']>('none', 'none', 'none', 'no_approval', 'ticket_other_org') : fc.constant<PartnerSpec['breakage']>('none'),
            ticketStatus: statusArb,
          }),
          { freq: 4 },
        ),
  });
  return fc.record({ orgs: fc.array(orgArb, { minLength: 1, maxLength: opts.maxOrgs ?? 5 }) });
}

// ---- building a World and the files ----------------------------------------------------

export const ids = {
  org: (i: number) => 360000500000 + i,
  otherOrg: (i: number) => 360000900000 + i,
  requester: (i: number) => 50000 + 10 * i,
  grantee: (i: number) => 50000 + 10 * i + 1,
  coworker: (i: number) => 50000 + 10 * i + 2,
  outsider: (i: number) => 50000 + 10 * i + 3,
  ticket: (i: number) => 8000 + 10 * i,
  grantTicket: (i: number) => 8000 + 10 * i + 1,
  partnerTicket: (i: number) => 8000 + 10 * i + 2,
  email: {
    requester: (i: number) => `req${i}@org${i}.example`,
    grantee: (i: number) => `lead${i}@org${i}.example`,
    coworker: (i: number) => `cow${i}@org${i}.example`,
    outsider: (i: number) => `out${i}@other${i}.example`,
  },
  partnerDomain: (i: number) => `partner${i}.example`,
};

export const QUOTE = 'we accept the security risk';
export const RISK_QUESTION = `Happy to help. Before we proceed: ${DEFAULT_RISK_MESSAGE} Could you confirm the type and that you approve this risk?`;
const STANDARD_FIELDS = { problemType: 7001, sharedOrgType: 7002, confirmRisk: 7003 };

export interface Built {
  world: World;
  desired: DesiredState;
  /** Organization files by index (same order as the scenario). */
  files: DesiredOrg[];
  scenario: Scenario;
}

/** Comments on `ticketId` for one approval, broken as asked; returns the file's approval. */
function addEvidence(world: World, ticketId: number, i: number, breakage: Breakage | OwnBreakage): RiskApproval | undefined {
  const c = (k: number) => ticketId * 100 + k;
  const requester = ids.requester(i);
  const requestBody = breakage === 'approval_before_risk' ? `Please share our tickets, ${QUOTE}.` : 'Please share our organization tickets.';
  world.comment(ticketId, { id: c(0), author: requester, body: requestBody });
  if (breakage !== 'no_risk_message') {
    world.comment(ticketId, {
      id: c(1),
      author: breakage === 'risk_message_by_end_user' ? requester : 1002,
      body: RISK_QUESTION,
      public: breakage !== 'risk_message_internal',
    });
  }
  let author = requester;
  let approvedBy = ids.email.requester(i);
  if (breakage === 'approval_wrong_author') author = ids.coworker(i);
  if (breakage === 'approver_not_member') {
    author = ids.outsider(i);
    approvedBy = ids.email.outsider(i);
  }
  if (breakage === 'approver_agent') {
    author = 1002;
    approvedBy = 'sam@acme.example';
  }
  world.comment(ticketId, {
    id: c(2),
    author,
    body: breakage === 'quote_mismatch' ? 'Let me think about it first.' : `Confirmed. On behalf of my organization ${QUOTE}.`,
    public: breakage !== 'approval_internal',
  });
  if (breakage === 'no_approval') return undefined;
  const commentId = breakage === 'approval_comment_absent' ? c(9) : breakage === 'approval_before_risk' ? c(0) : c(2);
  return approval(approvedBy, commentId, QUOTE);
}

/** A ticket as the breakage wants it: owned by the org, by another org, absent, or unread. */
function addTicket(world: World, ticketId: number, i: number, status: TicketStatus, breakage: string, fields: { id: number; value: unknown }[]): void {
  if (breakage === 'ticket_missing') return world.noTicket(ticketId);
  if (breakage === 'ticket_unread') return;
  world.ticket(ticketId, {
    org: breakage === 'ticket_other_org' ? ids.otherOrg(i) : ids.org(i),
    requester: ids.requester(i),
    status,
    customFields: fields,
  });
}

function ticketFor(ticketId: number, breakage: string): TicketRef {
  return breakage === 'ticket_off_account' ? ticketRef(ticketId, 'elsewhere.zendesk.com') : ticketRef(ticketId);
}

function detailsText(kind: DetailsKind, spec: OrgSpec, ticket: TicketRef, fuzz: string): string | null {
  switch (kind) {
    case 'null':
      return null;
    case 'empty':
      return '';
    case 'text':
      return 'Customer since 2019.';
    case 'crlf':
      return 'Customer since 2019.\r\nRenewal due 2027.';
    case 'trailing_newline':
      return 'Customer since 2019.\n';
    case 'old_line_other_ticket':
      return 'Shared organization (read only) enabled 2024-03-02 as per https://acme.zendesk.com/agent/tickets/3100';
    case 'recorded_same_ticket':
      // An earlier apply (another day) already recorded this very request.
      return spec.want === 'private'
        ? `Notes.\nShared organization disabled 2025-02-03 as per ${ticket.canonical}`
        : `Notes.\nShared organization (${spec.want === 'read_only' ? 'Read only' : 'Read+write'}) enabled 2025-02-03 as per ${ticket.canonical}`;
    case 'fuzz':
      return fuzz;
  }
}

function otherLevel(s: Sharing): Sharing {
  return s === 'read_only' ? 'read_write' : 'read_only';
}

export function buildScenario(scenario: Scenario): Built {
  const world = new World();
  world.standardTicketFields();
  world.user(1001, 'admin@acme.example', { role: 'admin' });
  world.user(1002, 'sam@acme.example', { role: 'agent' });
  const files: DesiredOrg[] = [];

  scenario.orgs.forEach((spec, i) => {
    const orgId = ids.org(i);
    const b = spec.breakage;
    const ticket = ticketFor(ids.ticket(i), b);
    world.org(ids.otherOrg(i), `Other ${i}`);
    const live = world.org(orgId, spec.name, {
      sharing: spec.live,
      details: detailsText(spec.detailsKind, spec, ticket, spec.fuzz),
      notes: b === 'deny_note_live' ? `Legal: we will not enable a shared organization for ${spec.name}.` : null,
      domainNames: spec.partner?.present ? [`org${i}.example`, ids.partnerDomain(i)] : [`org${i}.example`],
    });
    void live;

    world.user(ids.requester(i), ids.email.requester(i), { orgs: [orgId] });
    world.user(ids.coworker(i), ids.email.coworker(i), { orgs: [orgId] });
    world.user(ids.outsider(i), ids.email.outsider(i), { orgs: [ids.otherOrg(i)] });
    const g = spec.grant;
    world.user(ids.grantee(i), ids.email.grantee(i), {
      orgs: [g?.granteeOutside ? ids.otherOrg(i) : orgId],
      restriction: g ? g.live : 'requested',
      notes: g?.notes ?? null,
    });

    const preset = spec.fieldsPreset ? [{ id: STANDARD_FIELDS.problemType, value: 'support_ops_shared_organization_requests' }] : [];
    addTicket(world, ids.ticket(i), i, spec.ticketStatus, b, preset);
    const hasTicket = b !== 'ticket_missing' && b !== 'ticket_unread';
    // Without a readable ticket the file still names an approval (the ticket is what is broken).
    const requestApproval = hasTicket ? addEvidence(world, ids.ticket(i), i, b) : approval(ids.email.requester(i), ids.ticket(i) * 100 + 2, QUOTE);

    const confirmedType: Sharing | undefined =
      b === 'confirmed_type_missing' ? undefined : b === 'confirmed_type_mismatch' ? otherLevel(spec.want) : spec.want;
    // The requester names the type they want in a comment of their own (request.type_confirmation).
    let typeConfirmation: { commentId: number; quote: string } | undefined;
    if (spec.want !== 'private') {
      const quote = spec.want === 'read_only' ? 'Read only please' : 'Read+write please';
      const commentId = ids.ticket(i) * 100 + 3;
      if (hasTicket) world.comment(ids.ticket(i), { id: commentId, author: ids.requester(i), body: `${quote}.` });
      typeConfirmation = { commentId, quote };
    }
    const authorized = b === 'not_authorized' ? ['someone.else@example.com'] : spec.authorizedList ? [ids.email.requester(i)] : undefined;
    const file = orgFile({
      file: `orgs/org-${i}.yaml`,
      id: orgId,
      name: b === 'name_mismatch' ? `${spec.name} (renamed)` : spec.name,
      sharing: spec.want,
      ticket,
      requester: ids.email.requester(i),
      ...(confirmedType !== undefined ? { confirmedType } : {}),
      ...(typeConfirmation ? { typeConfirmation } : {}),
      ...(requestApproval ? { riskApproval: requestApproval } : {}),
      ...(authorized ? { authorizedRequesters: authorized } : {}),
      hipaa: b === 'hipaa',
      ...(b === 'deny_note_file' ? { noSharing: 'Legal hold, see ticket 1200' } : {}),
    });

    if (g) {
      let grantTicket = ticket;
      let grantApproval: RiskApproval | undefined;
      if (g.ownTicket) {
        grantTicket = ticketRef(ids.grantTicket(i));
        addTicket(world, ids.grantTicket(i), i, g.ticketStatus, g.breakage, []);
        grantApproval = g.breakage === 'ticket_missing' ? approval(ids.email.requester(i), ids.grantTicket(i) * 100 + 2, QUOTE) : addEvidence(world, ids.grantTicket(i), i, g.breakage);
      }
      if (g.recorded) {
        const grantee = world.liveUser(ids.grantee(i));
        grantee.notes = appendLine(grantee.notes, accessLine(g.want, '2025-02-03', grantTicket));
      }
      file.userAccess.push({
        email: ids.email.grantee(i),
        access: g.want,
        ticket: grantTicket,
        ...(grantApproval ? { riskApproval: grantApproval } : {}),
        source: { file: file.file, line: 20, col: 5 },
      });
    }
    if (spec.partner) {
      const p = spec.partner;
      const pt = ids.partnerTicket(i);
      addTicket(world, pt, i, p.ticketStatus, p.breakage, []);
      const consent = addEvidence(world, pt, i, p.breakage === 'no_approval' ? 'no_approval' : 'none');
      if (p.recorded) {
        const org = world.liveOrg(orgId);
        org.details = appendLine(org.details, partnerLine(ids.partnerDomain(i), '2025-02-03', ticketRef(pt)));
      }
      file.partners.push({
        domain: ids.partnerDomain(i),
        name: `Partner ${i}`,
        ticket: ticketRef(pt),
        ...(consent ? { consent } : {}),
        source: { file: file.file, line: 30, col: 5 },
      });
    }
    files.push(file);
  });
  return { world, desired: desiredOf(files), files, scenario };
}

/** The same scenario without the organizations at `drop` (by index). */
export function withoutOrgs(built: Built, drop: Set<number>): DesiredState {
  return desiredOf(built.files.filter((f) => !drop.has(f.id)));
}
