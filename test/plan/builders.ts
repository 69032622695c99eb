/**
 * Scenario builders for pure planner tests. `seedWorld()` is the shared sandbox world of
 * docs/dev/TEAM-BRIEF.md as an `Observed`; the `*File()` functions are the matching
 * orgs/*.yaml files as `DesiredOrg`s. Tests then tweak one fact and read like a story:
 *
 *   const world = seedWorld();
 *   world.comment(4821, { id: 90210, author: 1002, body: 'Confirmed. We accept the security risk.' });
 *   const p = planFor(world, acmeFile());
 */
import type { DesiredOrg, DesiredState, RiskApproval, SourceRef, TicketRef, TypeConfirmation } from '../../src/model/desired.js';
import type {
  Observed,
  ObservedComment,
  ObservedOrg,
  ObservedTicket,
  ObservedUser,
  TicketStatus,
  UserRole,
  TicketRestriction,
} from '../../src/model/observed.js';
import type { Change, Plan } from '../../src/model/plan.js';
import { DEFAULT_POLICY, DEFAULT_RISK_MESSAGE, type Policy } from '../../src/model/policy.js';
import type { Sharing } from '../../src/model/sharing.js';
import { flagsFromSharing } from '../../src/model/sharing.js';
import { plan } from '../../src/plan/plan.js';

export const NOW = new Date('2026-11-23T09:30:00.000Z');
export const TODAY = '2026-11-23';

export const ORG = {
  acme: 360000000101,
  globex: 360000000102,
  initech: 360000000103,
  umbrella: 360000000104,
  hooli: 360000000105,
  soylent: 360000000106,
} as const;

export function ticketRef(id: number, host = 'acme.zendesk.com', url?: string): TicketRef {
  const m = /^([^.]+)\.zendesk\.com$/.exec(host);
  return {
    url: url ?? `https://${host}/agent/tickets/${id}`,
    id,
    host,
    subdomain: m?.[1] ?? null,
    canonical: `https://${host}/agent/tickets/${id}`,
  };
}

/** Comment timestamps grow with the id, as in the sandbox seed. */
export function commentTime(id: number): string {
  return new Date(Date.UTC(2026, 10, 1) + id * 1000).toISOString();
}

/** A mutable `Observed` with scenario verbs. */
export class World {
  readonly observed: Observed = {
    account: { subdomain: 'acme', baseUrl: 'https://acme.zendesk.com/api/v2', currentUserId: 1001 },
    orgs: new Map(),
    users: new Map(),
    usersByEmail: new Map(),
    memberships: new Map(),
    tickets: new Map(),
    ticketFields: [],
  };
  policy: Policy = structuredClone(DEFAULT_POLICY);
  private membershipId = 1;

  org(id: number, name: string, opts: { sharing?: Sharing; details?: string | null; notes?: string | null; domainNames?: string[] } = {}): ObservedOrg {
    const flags = flagsFromSharing(opts.sharing ?? 'private');
    const org: ObservedOrg = {
      id,
      name,
      sharedTickets: flags.shared_tickets,
      sharedComments: flags.shared_comments,
      details: opts.details ?? null,
      notes: opts.notes ?? null,
      domainNames: opts.domainNames ?? [],
      updatedAt: '2026-11-01T00:00:00Z',
    };
    this.observed.orgs.set(id, org);
    return org;
  }

  /** Sets the live sharing flags of an organization. */
  share(id: number, sharing: Sharing): void {
    const org = this.liveOrg(id);
    const flags = flagsFromSharing(sharing);
    org.sharedTickets = flags.shared_tickets;
    org.sharedComments = flags.shared_comments;
  }

  liveOrg(id: number): ObservedOrg {
    const org = this.observed.orgs.get(id);
    if (!org) throw new Error(`no org ${id} in this world`);
    return org;
  }

  user(
    id: number,
    email: string,
    opts: { role?: UserRole; orgs?: number[]; restriction?: TicketRestriction; notes?: string | null; suspended?: boolean } = {},
  ): ObservedUser {
    const orgs = opts.orgs ?? [];
    const user: ObservedUser = {
      id,
      email,
      name: email.split('@')[0] ?? email,
      role: opts.role ?? 'end-user',
      organizationId: orgs[0] ?? null,
      ticketRestriction: opts.restriction ?? (opts.role && opts.role !== 'end-user' ? null : 'requested'),
      notes: opts.notes ?? null,
      details: null,
      suspended: opts.suspended ?? false,
      updatedAt: '2026-11-01T00:00:00Z',
    };
    this.observed.users.set(id, user);
    this.observed.usersByEmail.set(email.toLowerCase(), user);
    this.observed.memberships.set(
      id,
      orgs.map((o, i) => ({ id: this.membershipId++, userId: id, organizationId: o, default: i === 0 })),
    );
    return user;
  }

  liveUser(id: number): ObservedUser {
    const u = this.observed.users.get(id);
    if (!u) throw new Error(`no user ${id} in this world`);
    return u;
  }

  /** Records that an email was looked up and no user has it. */
  noUser(email: string): void {
    this.observed.usersByEmail.set(email.toLowerCase(), null);
  }

  ticket(id: number, opts: { org: number | null; requester: number; status?: TicketStatus; customFields?: { id: number; value: unknown }[] }): ObservedTicket {
    const ticket: ObservedTicket = {
      id,
      organizationId: opts.org,
      requesterId: opts.requester,
      status: opts.status ?? 'open',
      updatedAt: '2026-11-20T00:00:00Z',
      customFields: opts.customFields ?? [],
    };
    const existing = this.observed.tickets.get(id);
    this.observed.tickets.set(id, { ticket, comments: existing?.comments ?? [] });
    return ticket;
  }

  liveTicket(id: number): ObservedTicket {
    const t = this.observed.tickets.get(id)?.ticket;
    if (!t) throw new Error(`no ticket ${id} in this world`);
    return t;
  }

  /** Records that a ticket id was looked up and does not exist. */
  noTicket(id: number): void {
    this.observed.tickets.set(id, { ticket: null, comments: [] });
  }

  comment(ticketId: number, c: { id: number; author: number; body: string; public?: boolean; createdAt?: string }): ObservedComment {
    const ev = this.observed.tickets.get(ticketId);
    if (!ev) throw new Error(`no ticket ${ticketId} in this world`);
    const comment: ObservedComment = {
      id: c.id,
      authorId: c.author,
      body: c.body,
      public: c.public ?? true,
      createdAt: c.createdAt ?? commentTime(c.id),
    };
    ev.comments = [...ev.comments.filter((x) => x.id !== c.id), comment].sort((a, b) => a.id - b.id);
    return comment;
  }

  /** Replaces a comment's fields (keeps the others). */
  editComment(ticketId: number, id: number, patch: Partial<ObservedComment>): void {
    const ev = this.observed.tickets.get(ticketId);
    const c = ev?.comments.find((x) => x.id === id);
    if (!ev || !c) throw new Error(`no comment ${id} on ticket ${ticketId}`);
    Object.assign(c, patch);
  }

  standardTicketFields(): void {
    this.observed.ticketFields = [
      {
        id: 7001,
        title: 'Support Ops Problem Type',
        type: 'tagger',
        options: [
          { name: 'Shared organization requests', value: 'support_ops_shared_organization_requests' },
          { name: 'Other', value: 'support_ops_other' },
        ],
      },
      {
        id: 7002,
        title: 'Shared Org type',
        type: 'tagger',
        options: [
          { name: 'Read only', value: 'shared_org_read_only' },
          { name: 'Read+write', value: 'shared_org_read_write' },
        ],
      },
      { id: 7003, title: 'Confirm security risk', type: 'checkbox', options: [] },
    ];
  }
}

export const RISK_COMMENT = `Happy to help. Before we proceed: ${DEFAULT_RISK_MESSAGE} Could you confirm the type and that you approve this risk?`;

/** The default sandbox seed (docs/dev/TEAM-BRIEF.md), live state before any apply. */
export function seedWorld(): World {
  const w = new World();
  w.standardTicketFields();
  w.org(ORG.acme, 'Acme Corp', { details: 'Customer since 2019.' });
  w.org(ORG.globex, 'Globex', {
    sharing: 'read_write',
    details: 'Shared organization (read+write) enabled 2024-03-02 as per https://acme.zendesk.com/agent/tickets/3100',
  });
  w.org(ORG.initech, 'Initech', { sharing: 'read_only' });
  w.org(ORG.umbrella, 'Umbrella Health');
  w.org(ORG.hooli, 'Hooli');
  w.org(ORG.soylent, 'Soylent', { notes: 'Legal: we will not enable a shared organization for Soylent.' });

  w.user(1001, 'admin@acme.example', { role: 'admin' });
  w.user(1002, 'sam@acme.example', { role: 'agent' });
  w.user(2001, 'jane@acme.example', { orgs: [ORG.acme] });
  w.user(2002, 'bob@acme.example', { orgs: [ORG.acme] });
  w.user(2101, 'greta@globex.example', { orgs: [ORG.globex] });
  w.user(2201, 'bill@initech.example', { orgs: [ORG.initech] });
  w.user(2202, 'peter@initech.example', { orgs: [ORG.initech] });
  w.user(2301, 'nurse@umbrella.example', { orgs: [ORG.umbrella] });
  w.user(2401, 'lead@hooli.example', { orgs: [ORG.hooli] });
  w.user(2402, 'gavin@hooli.example', { orgs: [ORG.hooli] });
  w.user(2501, 'pat@partnerco.example', { orgs: [ORG.acme, ORG.globex] });

  w.ticket(4821, { org: ORG.acme, requester: 2001 });
  w.comment(4821, { id: 90200, author: 2001, body: "Hi, we would like every Acme Corp user to see all of our organization's tickets. Read only please." });
  w.comment(4821, { id: 90201, author: 1002, body: RISK_COMMENT });
  w.comment(4821, { id: 90210, author: 2001, body: 'Confirmed: Read only. On behalf of Acme Corp we accept the security risk.' });

  w.ticket(3100, { org: ORG.globex, requester: 2101, status: 'solved' });
  w.comment(3100, { id: 31000, author: 2101, body: 'Could Globex get a read+write shared organization?' });
  w.comment(3100, { id: 31001, author: 1002, body: DEFAULT_RISK_MESSAGE });
  w.comment(3100, { id: 31010, author: 2101, body: 'Read+write please. We accept the security risk.' });

  w.ticket(4900, { org: ORG.initech, requester: 2201 });
  w.comment(4900, { id: 49000, author: 2201, body: 'Please disable the shared organization for Initech, we want private tickets again.' });

  w.ticket(4950, { org: ORG.umbrella, requester: 2301, status: 'solved' });
  w.comment(4950, { id: 49500, author: 2301, body: 'Can our org be kept private?' });

  w.ticket(5010, { org: ORG.hooli, requester: 2402 });
  w.comment(5010, { id: 50100, author: 2402, body: 'Please let lead@hooli.example see all Hooli tickets.' });
  w.comment(5010, { id: 50101, author: 1002, body: DEFAULT_RISK_MESSAGE });
  w.comment(5010, { id: 50110, author: 2402, body: 'Yes, we accept the security risk for lead@hooli.example.' });
  return w;
}

function at(file: string, line: number, col = 1): SourceRef {
  return { file, line, col };
}

export function approval(approvedBy: string, commentId: number, quote = 'we accept the security risk'): RiskApproval {
  return { approvedBy, commentId, quote };
}

/** A DesiredOrg with plausible source positions; override anything. */
export function orgFile(o: {
  file: string;
  id: number;
  name: string;
  sharing: Sharing;
  ticket: TicketRef;
  requester?: string;
  confirmedType?: Sharing;
  typeConfirmation?: TypeConfirmation;
  riskApproval?: RiskApproval;
  legacy?: boolean;
  authorizedRequesters?: string[];
  hipaa?: boolean;
  noSharing?: string;
}): DesiredOrg {
  const f = o.file;
  const org: DesiredOrg = {
    file: f,
    id: o.id,
    name: o.name,
    sharing: o.sharing,
    request: { ticket: o.ticket, legacy: o.legacy ?? false },
    userAccess: [],
    partners: [],
    restrictions: { hipaa: o.hipaa ?? false },
    positions: {
      '/organization/id': at(f, 3, 7),
      '/organization/name': at(f, 4, 9),
      '/sharing': at(f, 5, 10),
      '/request/ticket': at(f, 7, 11),
      '/request/confirmed_type': at(f, 9, 19),
      '/request/risk_approval/approved_by': at(f, 11, 18),
      '/request/risk_approval/comment_id': at(f, 12, 17),
      '/request/risk_approval/quote': at(f, 13, 12),
      '/authorized_requesters': at(f, 14, 24),
      '/restrictions/hipaa': at(f, 16, 10),
      '/restrictions/no_sharing': at(f, 17, 15),
    },
  };
  if (o.requester !== undefined) org.request!.requester = o.requester;
  if (o.confirmedType !== undefined) org.request!.confirmedType = o.confirmedType;
  if (o.typeConfirmation !== undefined) org.request!.typeConfirmation = o.typeConfirmation;
  if (o.riskApproval !== undefined) org.request!.riskApproval = o.riskApproval;
  if (o.authorizedRequesters !== undefined) org.authorizedRequesters = o.authorizedRequesters;
  if (o.noSharing !== undefined) org.restrictions.noSharing = o.noSharing;
  return org;
}

/** orgs/acme-corp.yaml: enable Read only on ticket 4821. */
export function acmeFile(): DesiredOrg {
  return orgFile({
    file: 'orgs/acme-corp.yaml',
    id: ORG.acme,
    name: 'Acme Corp',
    sharing: 'read_only',
    ticket: ticketRef(4821),
    requester: 'jane@acme.example',
    confirmedType: 'read_only',
    typeConfirmation: { commentId: 90200, quote: 'Read only please' },
    riskApproval: approval('jane@acme.example', 90210),
    authorizedRequesters: ['jane@acme.example'],
  });
}

/** orgs/globex.yaml: read_write, converged on the seed. */
export function globexFile(): DesiredOrg {
  return orgFile({
    file: 'orgs/globex.yaml',
    id: ORG.globex,
    name: 'Globex',
    sharing: 'read_write',
    ticket: ticketRef(3100),
    requester: 'greta@globex.example',
    confirmedType: 'read_write',
    riskApproval: approval('greta@globex.example', 31010, 'Read+write please. We accept the security risk.'),
  });
}

/** orgs/initech.yaml: a disable request on ticket 4900. */
export function initechFile(): DesiredOrg {
  return orgFile({
    file: 'orgs/initech.yaml',
    id: ORG.initech,
    name: 'Initech',
    sharing: 'private',
    ticket: ticketRef(4900),
    requester: 'bill@initech.example',
  });
}

/** orgs/umbrella-health.yaml: HIPAA, private. */
export function umbrellaFile(): DesiredOrg {
  return orgFile({
    file: 'orgs/umbrella-health.yaml',
    id: ORG.umbrella,
    name: 'Umbrella Health',
    sharing: 'private',
    ticket: ticketRef(4950),
    requester: 'nurse@umbrella.example',
    hipaa: true,
  });
}

/** orgs/hooli.yaml: private, with lead@hooli.example granted all organization tickets. */
export function hooliFile(): DesiredOrg {
  const org = orgFile({
    file: 'orgs/hooli.yaml',
    id: ORG.hooli,
    name: 'Hooli',
    sharing: 'private',
    ticket: ticketRef(5010),
    requester: 'gavin@hooli.example',
  });
  org.userAccess.push({
    email: 'lead@hooli.example',
    access: 'organization',
    ticket: ticketRef(5010),
    riskApproval: approval('gavin@hooli.example', 50110, 'We accept the security risk'),
    source: at(org.file, 20, 5),
  });
  org.positions['/user_access/0/email'] = at(org.file, 20, 12);
  org.positions['/user_access/0/ticket'] = at(org.file, 22, 13);
  org.positions['/user_access/0/risk_approval/comment_id'] = at(org.file, 25, 19);
  return org;
}

export function seedFiles(): DesiredOrg[] {
  return [acmeFile(), globexFile(), initechFile(), umbrellaFile(), hooliFile()];
}

export function desiredOf(orgs: DesiredOrg[], hash = 'sha256:test-desired'): DesiredState {
  return { orgs, hash };
}

export function planFor(world: World, orgs: DesiredOrg | DesiredOrg[], opts: { now?: Date; allowLarge?: boolean } = {}): Plan {
  const list = Array.isArray(orgs) ? orgs : [orgs];
  return plan(desiredOf(list), world.observed, world.policy, { now: opts.now ?? NOW, allowLarge: opts.allowLarge ?? false });
}

/** The one change with this key (fails loudly when absent). */
export function changeOf(p: Plan, key: string): Change {
  const c = p.changes.find((x) => x.key === key);
  if (!c) throw new Error(`no change ${key}; plan has ${p.changes.map((x) => x.key).join(', ') || 'none'}`);
  return c;
}

export function checkOf(c: Change, id: string) {
  const r = c.checks.find((x) => x.id === id);
  if (!r) throw new Error(`change ${c.key} has no check ${id}; it has ${c.checks.map((x) => x.id).join(', ')}`);
  return r;
}

export function failing(c: Change): string[] {
  return c.checks.filter((x) => x.status === 'fail').map((x) => x.id);
}
