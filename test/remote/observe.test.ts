import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DesiredOrg, DesiredState, TicketRef } from '../../src/model/desired.js';
import { DEFAULT_POLICY, DEFAULT_RISK_MESSAGE, type Policy } from '../../src/model/policy.js';
import type { Sharing } from '../../src/model/sharing.js';
import { observeForPlan, scanForDrift, type ObserveProgress } from '../../src/remote/observe.js';
import { readSet } from '../../src/plan/reads.js';
import { sandboxReader } from '../apply/helpers.js';
import { generateAccount, startSandbox, type RequestLogEntry, type Sandbox, type SeedData } from '../../src/sandbox/index.js';

const POLICY: Policy = { ...DEFAULT_POLICY, subdomain: 'acme' };

function ticket(id: number, host = 'acme.zendesk.com'): TicketRef {
  const url = `https://${host}/agent/tickets/${id}`;
  return { url, id, host, subdomain: host.endsWith('.zendesk.com') ? host.split('.')[0]! : null, canonical: url };
}

function desiredOrg(o: Partial<DesiredOrg> & { id: number; name: string; sharing: Sharing; ticketId: number }): DesiredOrg {
  const { ticketId, ...rest } = o;
  return {
    file: `orgs/${o.id}.yaml`,
    request: { ticket: ticket(ticketId), legacy: false },
    userAccess: [],
    partners: [],
    restrictions: { hipaa: false },
    positions: {},
    ...rest,
  };
}

function state(orgs: DesiredOrg[]): DesiredState {
  return { orgs, hash: 'test' };
}

const adapterFor = sandboxReader;

/** "GET /path" → count, with the /api/v2 prefix, .json and numeric ids kept. */
function calls(log: RequestLogEntry[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of log) {
    const key = `${e.method} ${e.path.replace(/^\/api\/v2/, '').replace(/\.json$/, '')}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** The orgs/ files of the shared sandbox world (docs/dev/TEAM-BRIEF.md). */
const WORLD: DesiredState = state([
  desiredOrg({
    id: 360000000101,
    name: 'Acme Corp',
    sharing: 'read_only',
    ticketId: 4821,
    request: {
      ticket: ticket(4821),
      requester: 'jane@acme.example',
      confirmedType: 'read_only',
      riskApproval: { approvedBy: 'jane@acme.example', commentId: 90210, quote: 'we accept the security risk' },
      legacy: false,
    },
    authorizedRequesters: ['jane@acme.example'],
  }),
  desiredOrg({
    id: 360000000102,
    name: 'Globex',
    sharing: 'read_write',
    ticketId: 3100,
    request: {
      ticket: ticket(3100),
      riskApproval: { approvedBy: 'greta@globex.example', commentId: 31010, quote: 'We accept the security risk' },
      legacy: false,
    },
  }),
  desiredOrg({ id: 360000000103, name: 'Initech', sharing: 'private', ticketId: 4900, request: { ticket: ticket(4900), requester: 'bill@initech.example', legacy: false } }),
  desiredOrg({ id: 360000000104, name: 'Umbrella Health', sharing: 'private', ticketId: 4950, restrictions: { hipaa: true } }),
  desiredOrg({
    id: 360000000105,
    name: 'Hooli',
    sharing: 'private',
    ticketId: 5010,
    userAccess: [
      {
        email: 'lead@hooli.example',
        access: 'organization',
        ticket: ticket(5010),
        riskApproval: { approvedBy: 'gavin@hooli.example', commentId: 50110, quote: 'We accept the security risk' },
        source: { file: 'orgs/hooli.yaml', line: 1, col: 1 },
      },
    ],
  }),
]);

describe('observeForPlan on the default world', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => {
    await sb.close();
  });
  beforeEach(() => sb.reset());

  it('reads the orgs in bulk and evidence only for the interesting ones', async () => {
    const progress: ObserveProgress[] = [];
    const observed = await observeForPlan(adapterFor(sb), WORLD, POLICY, (o) => readSet(WORLD, o, POLICY, { exposure: false }), { onProgress: (p) => progress.push(p) });

    // Acme (enable) and Hooli (grant) need full evidence; Initech (disable, ticket open)
    // its ticket and comments; Globex is converged but its Details names ticket 3100, so
    // the ticket is read (solved: no comments); Umbrella is converged with no history.
    expect(calls(sb.log())).toEqual({
      'GET /users/me': 1,
      'GET /organizations/show_many': 1,
      'GET /organizations/360000000105/users': 1,
      'GET /tickets/show_many': 1,
      'GET /tickets/4821/comments': 1,
      'GET /tickets/4900/comments': 1,
      'GET /tickets/5010/comments': 1,
      'GET /users/show_many': 1,
      // Approvers and grantees whose default organization is the org need no membership read.
      'GET /ticket_fields': 1,
    });
    expect(sb.writes()).toEqual([]);
    expect(String(sb.log().find((e) => e.path.includes('tickets/show_many'))!.query.ids).split(',').sort()).toEqual(['3100', '4821', '4900', '5010']);

    expect(observed.account).toEqual({ subdomain: 'acme', baseUrl: sb.baseUrl, currentUserId: 1001 });
    expect([...observed.orgs.keys()].sort()).toEqual([360000000101, 360000000102, 360000000103, 360000000104, 360000000105]);
    expect(observed.orgs.get(360000000102)).toMatchObject({ sharedTickets: true, sharedComments: true });
    expect(observed.tickets.get(4821)?.comments.map((c) => c.id)).toEqual([90200, 90201, 90210]);
    expect(observed.tickets.get(3100)).toMatchObject({ ticket: { status: 'solved' }, comments: [] });
    expect(observed.tickets.has(4950)).toBe(false);
    expect(observed.users.get(1002)?.role).toBe('agent');
    expect(observed.usersByEmail.get('jane@acme.example')?.id).toBe(2001);
    expect(observed.usersByEmail.get('lead@hooli.example')?.ticketRestriction).toBe('requested');
    expect(observed.memberships.has(2402)).toBe(false);
    expect(observed.users.get(2402)?.organizationId).toBe(360000000105);
    expect(observed.ticketFields.map((f) => f.id)).toEqual([7001, 7002, 7003]);

    expect(progress[0]).toEqual({ phase: 'account', done: 0, total: 1 });
    expect(progress).toContainEqual({ phase: 'organizations', done: 5, total: 5 });
    expect(progress).toContainEqual({ phase: 'comments', done: 3, total: 3 });
  });

  it('reads no ticket of a converged organization whose record is older than the finish lookback', async () => {
    // Globex's Details line is dated 2024-03-02: 30 days later it is still looked at, a
    // day after that no longer.
    const within = await observeForPlan(adapterFor(sb), WORLD, POLICY, (o) => readSet(WORLD, o, POLICY, { exposure: false, now: new Date('2024-04-01T23:59:00Z') }));
    expect(within.tickets.has(3100)).toBe(true);
    sb.reset();
    const after = await observeForPlan(adapterFor(sb), WORLD, POLICY, (o) => readSet(WORLD, o, POLICY, { exposure: false, now: new Date('2024-04-03T00:00:00Z') }));
    expect(after.tickets.has(3100)).toBe(false);
    expect(String(sb.log().find((e) => e.path.includes('tickets/show_many'))!.query.ids).split(',').sort()).toEqual(['4821', '4900', '5010']);
  });

  it('plan with no change reads only the organizations (and who it is)', async () => {
    const globexOnly = { ...WORLD, orgs: WORLD.orgs.filter((o) => o.id === 360000000102) };
    const observed = await observeForPlan(adapterFor(sb), globexOnly, POLICY, (o) => readSet(globexOnly, o, POLICY, { exposure: false, now: new Date('2026-11-23T10:00:00Z') }));
    expect(calls(sb.log())).toEqual({ 'GET /users/me': 1, 'GET /organizations/show_many': 1 });
    expect(observed.tickets.size).toBe(0);
  });

  it('marks missing organizations and tickets as read-and-not-found', async () => {
    const desired = state([desiredOrg({ id: 360000009999, name: 'Gone', sharing: 'read_only', ticketId: 4821 }), desiredOrg({ id: 360000000101, name: 'Acme Corp', sharing: 'read_only', ticketId: 777 })]);
    const observed = await observeForPlan(adapterFor(sb), desired, POLICY, (o) => readSet(desired, o, POLICY, { exposure: false }));
    expect(observed.orgs.get(360000009999)).toBeNull();
    expect(observed.tickets.get(777)).toEqual({ ticket: null, comments: [] });
    // no evidence for an org that does not exist
    expect(observed.tickets.has(4821)).toBe(false);
    expect(calls(sb.log())['GET /tickets/777/comments']).toBeUndefined();
  });

  it('does not read a ticket whose URL is on another account', async () => {
    const desired = state([
      desiredOrg({
        id: 360000000101,
        name: 'Acme Corp',
        sharing: 'read_only',
        ticketId: 4821,
        request: { ticket: ticket(4821, 'evil.zendesk.com'), legacy: false },
      }),
    ]);
    const observed = await observeForPlan(adapterFor(sb), desired, POLICY, (o) => readSet(desired, o, POLICY, { exposure: false }));
    expect(observed.tickets.size).toBe(0);
    expect(calls(sb.log())).toEqual({ 'GET /users/me': 1, 'GET /organizations/show_many': 1 });
  });

  it('looks an approver up among the org’s members, then by search, when no comment names them', async () => {
    const desired = state([
      desiredOrg({
        id: 360000000101,
        name: 'Acme Corp',
        sharing: 'read_only',
        ticketId: 4821,
        request: {
          ticket: ticket(4821),
          riskApproval: { approvedBy: 'pat@partnerco.example', commentId: 90210, quote: 'x' },
          requester: 'ghost@acme.example',
          legacy: false,
        },
      }),
    ]);
    const observed = await observeForPlan(adapterFor(sb), desired, POLICY, (o) => readSet(desired, o, POLICY, { exposure: false }));
    const c = calls(sb.log());
    expect(c['GET /organizations/360000000101/users']).toBe(1);
    expect(c['GET /users/search']).toBe(1); // ghost only: pat is a member
    expect(observed.usersByEmail.get('pat@partnerco.example')?.id).toBe(2501);
    expect(observed.usersByEmail.get('ghost@acme.example')).toBeNull();
    // pat's default organization is Acme itself: membership is certain without a read.
    expect(c['GET /users/2501/organization_memberships']).toBeUndefined();
    expect(observed.users.get(2501)?.organizationId).toBe(360000000101);
  });

  it('reads the memberships of an approver whose default organization is another one', async () => {
    sb.store.updateUser(2501, { organization_id: 360000000102 });
    const desired = state([
      desiredOrg({
        id: 360000000101,
        name: 'Acme Corp',
        sharing: 'read_only',
        ticketId: 4821,
        request: { ticket: ticket(4821), riskApproval: { approvedBy: 'pat@partnerco.example', commentId: 90210, quote: 'x' }, legacy: false },
      }),
    ]);
    const observed = await observeForPlan(adapterFor(sb), desired, POLICY, (o) => readSet(desired, o, POLICY, { exposure: false }));
    expect(calls(sb.log())['GET /users/2501/organization_memberships']).toBe(1);
    expect(observed.memberships.get(2501)?.map((m) => m.organizationId).sort()).toEqual([360000000101, 360000000102]);
  });

  it('reads the ticket of a converged grant whose notes name it, but no evidence', async () => {
    const hooli = WORLD.orgs.find((o) => o.id === 360000000105)!;
    sb.store.updateUser(2401, {
      ticket_restriction: 'organization',
      notes: 'Ticket access (All organization tickets) granted 2024-06-03 as per https://acme.zendesk.com/agent/tickets/5010',
    });
    const observed = await observeForPlan(adapterFor(sb), state([hooli]), POLICY, (o) => readSet(state([hooli]), o, POLICY, { exposure: false }));
    const c = calls(sb.log());
    expect(c['GET /tickets/show_many']).toBe(1);
    // 5010 is still open: its comments are read to see whether the confirmation was posted
    expect(c['GET /tickets/5010/comments']).toBe(1);
    expect(Object.keys(c).some((k) => k.includes('organization_memberships'))).toBe(false);
    expect(observed.tickets.get(5010)?.ticket?.status).toBe('open');

    sb.store.updateUser(2401, { notes: null });
    sb.clearLog();
    await observeForPlan(adapterFor(sb), state([hooli]), POLICY, (o) => readSet(state([hooli]), o, POLICY, { exposure: false }));
    expect(calls(sb.log())).toEqual({ 'GET /users/me': 1, 'GET /organizations/show_many': 1, 'GET /organizations/360000000105/users': 1 });
  });

  it('reads a partner’s evidence only while its domain is missing', async () => {
    const partner = { domain: 'partnerco.example', ticket: ticket(4821), consent: { approvedBy: 'pat@partnerco.example', commentId: 90210, quote: 'ok' }, source: { file: 'x', line: 1, col: 1 } };
    const desired = state([desiredOrg({ id: 360000000104, name: 'Umbrella Health', sharing: 'private', ticketId: 4950, partners: [partner] })]);
    await observeForPlan(adapterFor(sb), desired, POLICY, (o) => readSet(desired, o, POLICY, { exposure: false }));
    expect(calls(sb.log())['GET /tickets/4821/comments']).toBe(1);

    sb.store.updateOrganization(360000000104, { domain_names: ['umbrella.example', 'partnerco.example'] });
    sb.clearLog();
    await observeForPlan(adapterFor(sb), desired, POLICY, (o) => readSet(desired, o, POLICY, { exposure: false }));
    expect(calls(sb.log())).toEqual({ 'GET /users/me': 1, 'GET /organizations/show_many': 1 });
  });

  it('reads the ticket of a present partner domain whose Details line names it (a finish may be due), but no evidence', async () => {
    const partner = { domain: 'partnerco.example', ticket: ticket(4821), consent: { approvedBy: 'pat@partnerco.example', commentId: 90210, quote: 'ok' }, source: { file: 'x', line: 1, col: 1 } };
    const desired = state([desiredOrg({ id: 360000000104, name: 'Umbrella Health', sharing: 'private', ticketId: 4950, partners: [partner] })]);
    sb.store.updateOrganization(360000000104, {
      domain_names: ['umbrella.example', 'partnerco.example'],
      details: 'Partner domain partnerco.example added 2026-11-20 as per https://acme.zendesk.com/agent/tickets/4821',
    });
    const observed = await observeForPlan(adapterFor(sb), desired, POLICY, (o) => readSet(desired, o, POLICY, { exposure: false }));
    const c = calls(sb.log());
    expect(c['GET /tickets/show_many']).toBe(1);
    // 4821 is open: its comments are read to see whether the confirmation was posted; no
    // approver or membership reads (a finish needs ticket checks only).
    expect(c['GET /tickets/4821/comments']).toBe(1);
    expect(Object.keys(c).some((k) => k.includes('organization_memberships') || k.includes('search'))).toBe(false);
    expect(observed.tickets.get(4821)?.ticket?.status).toBe('open');

    // A line for another ticket names nothing to finish: no ticket read.
    sb.store.updateOrganization(360000000104, { details: 'Partner domain partnerco.example added 2026-11-20 as per https://acme.zendesk.com/agent/tickets/4900' });
    sb.clearLog();
    await observeForPlan(adapterFor(sb), desired, POLICY, (o) => readSet(desired, o, POLICY, { exposure: false }));
    expect(calls(sb.log())).toEqual({ 'GET /users/me': 1, 'GET /organizations/show_many': 1 });
  });

  it('reads the ticket of a converged revoke whose notes name it', async () => {
    const hooli = WORLD.orgs.find((o) => o.id === 360000000105)!;
    const revoke = { ...hooli, userAccess: hooli.userAccess.map((g) => ({ ...g, access: 'requested' as const })) };
    sb.store.updateUser(2401, { ticket_restriction: 'requested', notes: 'Ticket access (Own tickets only) set 2026-11-20 as per https://acme.zendesk.com/agent/tickets/5010' });
    await observeForPlan(adapterFor(sb), state([revoke]), POLICY, (o) => readSet(state([revoke]), o, POLICY, { exposure: false }));
    expect(calls(sb.log())['GET /tickets/5010/comments']).toBe(1);
  });
});

/**
 * A generated account of 1,000 organizations, all managed; 10 of them private in Zendesk
 * but read_only in their files, each with a request ticket carrying the handbook's risk
 * message and the requester's approval.
 */
function scaleWorld(opts: { changes: number; historyTickets: boolean; legacy?: boolean }): { seed: SeedData; desired: DesiredState; sharedConverged: number } {
  const seed = generateAccount({ orgs: 1000, users: 2000, seed: 7 });
  const membersOf = new Map<number, number>();
  for (const u of seed.users) if (u.role === 'end-user' && u.organization_id && !membersOf.has(u.organization_id)) membersOf.set(u.organization_id, u.id);
  const email = new Map(seed.users.map((u) => [u.id, u.email!]));
  const privateOrgs = seed.organizations.filter((o) => !o.shared_tickets);
  const changed = new Set(privateOrgs.slice(0, opts.changes).map((o) => o.id));
  seed.tickets ??= [];
  let sharedConverged = 0;
  const orgs = seed.organizations.map((o, i) => {
    if (changed.has(o.id)) {
      const requester = membersOf.get(o.id)!;
      const ticketId = 900_001 + i;
      seed.tickets!.push({
        id: ticketId,
        status: 'open',
        organization_id: o.id,
        requester_id: requester,
        comments: [
          { id: ticketId * 10, author_id: requester, body: 'Please make our tickets visible to all of us. Read only.' },
          { id: ticketId * 10 + 1, author_id: 1002, body: `Before we proceed: ${DEFAULT_RISK_MESSAGE}` },
          { id: ticketId * 10 + 2, author_id: requester, body: 'Read only. We accept the security risk.' },
        ],
      });
      return desiredOrg({
        id: o.id,
        name: o.name,
        sharing: 'read_only',
        ticketId,
        request: {
          ticket: ticket(ticketId),
          requester: email.get(requester),
          confirmedType: 'read_only',
          riskApproval: { approvedBy: email.get(requester)!, commentId: ticketId * 10 + 2, quote: 'We accept the security risk' },
          legacy: false,
        },
      });
    }
    const sharing: Sharing = !o.shared_tickets ? 'private' : o.shared_comments ? 'read_write' : 'read_only';
    // Converged files: shared ones name the ticket of their Details line (as an earlier
    // apply leaves them: not legacy, so a finish may be due) when historyTickets, else
    // another ticket (as `import` writes them: legacy).
    const history = /tickets\/(\d+)/.exec(o.details ?? '');
    if (history) sharedConverged++;
    const ticketId = history && opts.historyTickets ? Number(history[1]) : 500_000 + i;
    return desiredOrg({ id: o.id, name: o.name, sharing, ticketId, request: { ticket: ticket(ticketId), legacy: opts.legacy ?? !opts.historyTickets } });
  });
  return { seed, desired: state(orgs), sharedConverged };
}

describe('observeForPlan at scale: 1,000 managed organizations, 10 changes', () => {
  it('reads the orgs in 10 requests plus the evidence of the 10 changed orgs', async () => {
    const { seed, desired } = scaleWorld({ changes: 10, historyTickets: false });
    const sb = await startSandbox({ seed });
    try {
      const observed = await observeForPlan(adapterFor(sb), desired, POLICY, (o) => readSet(desired, o, POLICY, { exposure: false }));
      expect(calls(sb.log())).toEqual({
        'GET /users/me': 1,
        'GET /organizations/show_many': 10,
        'GET /tickets/show_many': 1,
        ...Object.fromEntries(desired.orgs.filter((o) => o.request!.ticket.id > 900_000).map((o) => [`GET /tickets/${o.request!.ticket.id}/comments`, 1])),
        'GET /users/show_many': 1,
        'GET /ticket_fields': 1,
      });
      // Every approver's default organization is the one they approve for: no membership reads.
      expect(observed.memberships.size).toBe(0);
      expect(sb.log()).toHaveLength(1 + 10 + 1 + 10 + 1 + 1);
      expect(observed.orgs.size).toBe(1000);
      expect(observed.tickets.size).toBe(10);
      expect(sb.writes()).toEqual([]);
    } finally {
      await sb.close();
    }
  });

  it('never reads the Details-named tickets of converged imported (legacy) orgs: the planner never finishes them', async () => {
    const { seed, desired, sharedConverged } = scaleWorld({ changes: 10, historyTickets: true, legacy: true });
    const sb = await startSandbox({ seed });
    try {
      await observeForPlan(adapterFor(sb), desired, POLICY, (o) => readSet(desired, o, POLICY, { exposure: false }));
      const c = calls(sb.log());
      expect(sharedConverged).toBeGreaterThan(50);
      expect(c['GET /tickets/show_many']).toBe(1);
      expect(sb.log()).toHaveLength(1 + 10 + 1 + 10 + 1 + 1);
    } finally {
      await sb.close();
    }
  });

  it('reads the Details-named tickets of converged shared orgs (recorded by orgshare) in the same show_many batches, never their comments', async () => {
    const { seed, desired, sharedConverged } = scaleWorld({ changes: 10, historyTickets: true, legacy: false });
    const sb = await startSandbox({ seed });
    try {
      const observed = await observeForPlan(adapterFor(sb), desired, POLICY, (o) => readSet(desired, o, POLICY, { exposure: false }));
      const c = calls(sb.log());
      expect(sharedConverged).toBeGreaterThan(50);
      expect(c['GET /organizations/show_many']).toBe(10);
      expect(c['GET /tickets/show_many']).toBe(Math.ceil((10 + sharedConverged) / 100));
      expect(Object.keys(c).filter((k) => k.endsWith('/comments'))).toHaveLength(10);
      expect(sb.log()).toHaveLength(1 + 10 + Math.ceil((10 + sharedConverged) / 100) + 10 + 1 + 1);
      // generated history tickets do not exist: read and not found
      expect([...observed.tickets.values()].filter((t) => t.ticket === null)).toHaveLength(sharedConverged);
    } finally {
      await sb.close();
    }
  });

  it('a converged account of 1,000 orgs costs 11 requests', async () => {
    const { seed, desired } = scaleWorld({ changes: 0, historyTickets: false });
    const sb = await startSandbox({ seed });
    try {
      await observeForPlan(adapterFor(sb), desired, POLICY, (o) => readSet(desired, o, POLICY, { exposure: false }));
      expect(calls(sb.log())).toEqual({ 'GET /users/me': 1, 'GET /organizations/show_many': 10 });
    } finally {
      await sb.close();
    }
  });
});

describe('scanForDrift', () => {
  it('streams every organization and user page and keeps only shared/managed orgs and granted users', async () => {
    const seed = generateAccount({ orgs: 1000, users: 1500, seed: 3 });
    // a declared grant whose user is (still) "requested" must come back too
    const declared = seed.users.find((u) => u.role === 'end-user' && u.ticket_restriction === 'requested')!;
    const managedPrivate = seed.organizations.find((o) => !o.shared_tickets)!;
    const desired = state([
      desiredOrg({
        id: managedPrivate.id,
        name: managedPrivate.name,
        sharing: 'private',
        ticketId: 1,
        userAccess: [{ email: declared.email!.toUpperCase(), access: 'organization', ticket: ticket(1), source: { file: 'x', line: 1, col: 1 } }],
      }),
    ]);
    const sb = await startSandbox({ seed });
    try {
      const progress: ObserveProgress[] = [];
      const scan = await scanForDrift(adapterFor(sb), desired, { onProgress: (p) => progress.push(p) });
      const shared = seed.organizations.filter((o) => o.shared_tickets).map((o) => o.id);
      expect(scan.orgs.map((o) => o.id).sort()).toEqual([...shared, managedPrivate.id].sort());
      const granted = seed.users.filter((u) => u.ticket_restriction === 'organization').map((u) => u.id);
      expect(scan.grantUsers.map((u) => u.id).sort()).toEqual([...granted, declared.id].sort());
      expect(scan.scanned).toEqual({ organizations: 1000, users: seed.users.length });
      const c = calls(sb.log());
      expect(c).toEqual({ 'GET /organizations': 10, 'GET /users': Math.ceil(seed.users.length / 100) });
      expect(progress.filter((p) => p.phase === 'scan_organizations').map((p) => p.done)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    } finally {
      await sb.close();
    }
  });
});
