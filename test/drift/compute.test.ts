import { describe, expect, it } from 'vitest';
import { auditTargets, computeDrift, hasDrift, withAudit } from '../../src/drift/compute.js';
import type { DesiredOrg, DesiredState, TicketRef } from '../../src/model/desired.js';
import type { ObservedOrg, ObservedUser } from '../../src/model/observed.js';
import type { Sharing } from '../../src/model/sharing.js';

const ticket = (id: number): TicketRef => ({
  url: `https://acme.zendesk.com/agent/tickets/${id}`,
  id,
  host: 'acme.zendesk.com',
  subdomain: 'acme',
  canonical: `https://acme.zendesk.com/agent/tickets/${id}`,
});
const src = { file: 'orgs/x.yaml', line: 1, col: 1 };

function desiredOrg(id: number, name: string, sharing: Sharing, grants: { email: string; access: 'organization' | 'requested' }[] = []): DesiredOrg {
  return {
    file: `orgs/${name.toLowerCase()}.yaml`,
    id,
    name,
    sharing,
    request: { ticket: ticket(1), legacy: false },
    userAccess: grants.map((g) => ({ ...g, ticket: ticket(2), source: src })),
    partners: [],
    restrictions: { hipaa: false },
    positions: {},
  };
}

function liveOrg(id: number, name: string, sharing: Sharing): ObservedOrg {
  return {
    id,
    name,
    sharedTickets: sharing !== 'private',
    sharedComments: sharing === 'read_write',
    details: null,
    notes: null,
    domainNames: [],
    updatedAt: '2024-06-03T09:00:00Z',
  };
}

function user(id: number, email: string, restriction: ObservedUser['ticketRestriction'], orgId: number | null, role: ObservedUser['role'] = 'end-user'): ObservedUser {
  return { id, email, name: email, role, organizationId: orgId, ticketRestriction: restriction, notes: null, details: null, suspended: false, updatedAt: '2024-06-03T09:00:00Z' };
}

const opts = { generatedAt: '2026-11-23T00:00:00Z', account: { subdomain: 'acme', baseUrl: 'http://sandbox/api/v2' } };
const desired = (orgs: DesiredOrg[]): DesiredState => ({ orgs, hash: 'h' });

describe('computeDrift', () => {
  it('reports nothing when every managed org, shared org and grant is declared as it is live', () => {
    const report = computeDrift(
      desired([desiredOrg(1, 'Acme', 'read_only', [{ email: 'Lead@acme.example', access: 'organization' }]), desiredOrg(2, 'Globex', 'private')]),
      { orgs: [liveOrg(1, 'Acme', 'read_only'), liveOrg(2, 'Globex', 'private'), liveOrg(3, 'Private Co', 'private')], grantUsers: [user(10, 'lead@acme.example', 'organization', 1)], scanned: { organizations: 3, users: 1 } },
      opts,
    );
    expect(report.items).toEqual([]);
    expect(hasDrift(report)).toBe(false);
    expect(report).toMatchObject({ formatVersion: 1, managed: 2, scanned: { organizations: 3, users: 1 } });
  });

  it('finds a managed org changed behind orgshare’s back, with who changed it when the audit log says', () => {
    const at = { actorId: 1002, actorName: 'Sam', at: '2026-11-22T10:00:00Z' };
    const computed = computeDrift(
      desired([desiredOrg(1, 'Acme', 'read_only')]),
      { orgs: [liveOrg(1, 'Acme', 'read_write')], grantUsers: [], scanned: { organizations: 1, users: 0 } },
      opts,
    );
    expect(computed.items[0]).not.toHaveProperty('lastChange');
    const report = withAudit(computed, new Map([[1, at]]));
    expect(report.items).toEqual([
      { kind: 'managed_differs', orgId: 1, orgName: 'Acme', file: 'orgs/acme.yaml', declared: 'read_only', live: 'read_write', lastChange: at },
    ]);
  });

  it('reports a managed org that no longer exists, and an unmanaged shared org (private unmanaged orgs are fine)', () => {
    const report = computeDrift(
      desired([desiredOrg(1, 'Acme', 'read_only')]),
      { orgs: new Map([[1, null], [5, liveOrg(5, 'Soylent', 'read_only')], [6, liveOrg(6, 'Quiet', 'private')]]), grantUsers: [], scanned: { organizations: 2, users: 0 } },
      opts,
    );
    expect(report.items.map((i) => i.kind)).toEqual(['managed_missing', 'unmanaged_shared']);
    expect(report.items[1]).toEqual({ kind: 'unmanaged_shared', orgId: 5, orgName: 'Soylent', live: 'read_only' });
  });

  it('reports an end-user grant no file declares, but not agents’ own restrictions', () => {
    const report = computeDrift(
      desired([desiredOrg(1, 'Acme', 'private')]),
      {
        orgs: [liveOrg(1, 'Acme', 'private')],
        grantUsers: [user(11, 'eve@acme.example', 'organization', 1), user(12, 'agent@acme.example', 'organization', null, 'agent')],
        scanned: { organizations: 1, users: 2 },
      },
      opts,
    );
    expect(report.items).toEqual([{ kind: 'undeclared_grant', userId: 11, email: 'eve@acme.example', orgId: 1, orgName: 'Acme' }]);
  });

  it('reports a declared grant whose live restriction differs, both ways, once each', () => {
    const report = computeDrift(
      desired([
        desiredOrg(1, 'Acme', 'private', [
          { email: 'lead@acme.example', access: 'organization' },
          { email: 'ex@acme.example', access: 'requested' },
        ]),
      ]),
      {
        orgs: [liveOrg(1, 'Acme', 'private')],
        grantUsers: [user(10, 'lead@acme.example', 'requested', 1), user(13, 'ex@acme.example', 'organization', 1)],
        scanned: { organizations: 1, users: 2 },
      },
      opts,
    );
    expect(report.items).toEqual([
      { kind: 'grant_differs', userId: 10, email: 'lead@acme.example', orgId: 1, file: 'orgs/acme.yaml', declared: 'organization', live: 'requested' },
      { kind: 'grant_differs', userId: 13, email: 'ex@acme.example', orgId: 1, file: 'orgs/acme.yaml', declared: 'requested', live: 'organization' },
    ]);
  });

  it('reports a declared partner domain missing live (what plan would add), not one already live', () => {
    const partner = (domain: string) => ({ domain, ticket: ticket(3), source: src });
    const acme = { ...desiredOrg(1, 'Acme', 'read_only'), partners: [partner('PartnerCo.example'), partner('live.example')] };
    const report = computeDrift(
      desired([acme]),
      { orgs: [{ ...liveOrg(1, 'Acme', 'read_only'), domainNames: ['acme.example', 'live.example'] }], grantUsers: [], scanned: { organizations: 1, users: 0 } },
      opts,
    );
    expect(report.items).toEqual([
      { kind: 'partner_differs', orgId: 1, orgName: 'Acme', file: 'orgs/acme.yaml', domain: 'partnerco.example', declared: 'present', live: 'absent' },
    ]);
    expect(hasDrift(report)).toBe(true);
  });

  it('reports a missing organization once, whatever the plan would do on it', () => {
    const partner = { domain: 'partnerco.example', ticket: ticket(3), source: src };
    const acme = { ...desiredOrg(1, 'Acme', 'read_only', [{ email: 'lead@acme.example', access: 'organization' }]), partners: [partner] };
    const report = computeDrift(desired([acme]), { orgs: [], grantUsers: [], scanned: { organizations: 0, users: 0 } }, opts);
    expect(report.items.map((i) => i.kind)).toEqual(['managed_missing', 'grant_differs']);
  });

  it('looks up the audit log only for drifted organizations, bounded', () => {
    const orgs = Array.from({ length: 40 }, (_, i) => liveOrg(100 + i, `Org ${i}`, 'read_only'));
    const report = computeDrift(desired([desiredOrg(1, 'Acme', 'private')]), { orgs: [liveOrg(1, 'Acme', 'private'), ...orgs], grantUsers: [], scanned: { organizations: 41, users: 0 } }, opts);
    expect(auditTargets(report, 25)).toHaveLength(25);
    expect(auditTargets(report, 25)).not.toContain(1);
  });
});
