import { describe, expect, it } from 'vitest';
import { computeAccess } from '../../src/access/compute.js';
import { exposureOf } from '../../src/plan/exposure.js';
import { renderAccess } from '../../src/access/render.js';
import type { ObservedOrg, ObservedUser } from '../../src/model/observed.js';
import type { Change, OrgSharingChange, PartnerChange, UserGrantChange } from '../../src/model/plan.js';
import type { Sharing } from '../../src/model/sharing.js';

function org(id: number, name: string, sharing: Sharing, domainNames: string[] = []): ObservedOrg {
  return { id, name, sharedTickets: sharing !== 'private', sharedComments: sharing === 'read_write', details: null, notes: null, domainNames, updatedAt: 't' };
}
function user(id: number, email: string, orgId: number | null, restriction: ObservedUser['ticketRestriction'] = 'requested', role: ObservedUser['role'] = 'end-user'): ObservedUser {
  return { id, email, name: email.split('@')[0]!, role, organizationId: orgId, ticketRestriction: restriction, notes: null, details: null, suspended: false, updatedAt: 't' };
}
const opts = { generatedAt: '2026-11-23T00:00:00Z', account: { subdomain: 'acme', baseUrl: 'http://x/api/v2' } };

describe('computeAccess', () => {
  const hooli = org(105, 'Hooli', 'private');
  const acme = org(101, 'Acme Corp', 'read_only', ['acme.example', 'partnerco.example']);
  const globex = org(102, 'Globex', 'read_write', ['globex.example', 'partnerco.example']);
  const users = [
    user(2401, 'lead@hooli.example', 105, 'organization'),
    user(2402, 'gavin@hooli.example', 105),
    user(2001, 'jane@acme.example', 101),
    user(2101, 'greta@globex.example', 102),
    user(2501, 'pat@partnerco.example', 101),
    user(1002, 'sam@acme.example', 101, 'groups', 'agent'),
  ];
  const memberships = [
    ...users.filter((u) => u.organizationId !== null).map((u) => ({ userId: u.id, organizationId: u.organizationId!, default: true })),
    { userId: 2501, organizationId: 102, default: false },
  ];
  const report = computeAccess([hooli, globex, acme], users, memberships, new Map([[101, 12], [102, 7], [105, 40]]), opts);
  const byId = (id: number) => report.orgs.find((o) => o.orgId === id)!;

  it('shows the one user of a private organization who sees every ticket through a user-level grant', () => {
    const h = byId(105);
    expect(h.sharing).toBe('private');
    expect(h.members).toBe(2);
    expect(h.seeAll.map((u) => [u.email, u.reasons, u.canComment])).toEqual([['lead@hooli.example', ['user_grant'], false]]);
    expect(h.ticketCount).toBe(40);
    expect(h.notes[0]).toMatch(/1 user sees every ticket through a user-level grant/);
  });

  it('shows a partner user in two organizations: default in one, through the partner domain in the other', () => {
    const g = byId(102);
    const pat = g.seeAll.find((u) => u.userId === 2501)!;
    expect(pat).toMatchObject({ via: 'partner_domain', defaultOrgId: 101, otherOrgIds: [101], reasons: ['org_shared'], canComment: true });
    expect(g.partnerDomains).toEqual(['partnerco.example']);
    const a = byId(101);
    expect(a.crossOrg.find((u) => u.userId === 2501)).toMatchObject({ via: 'default', otherOrgIds: [102], canComment: false });
  });

  it('leaves agents out, lets read_write members comment, and counts distinct users', () => {
    expect(byId(101).members).toBe(2);
    expect(byId(101).commenters).toBe(0);
    expect(byId(102).commenters).toBe(2);
    expect(report.totals).toEqual({ organizations: 3, usersSeeingAll: 4, userGrants: 1, ticketsExposed: 59 });
    expect(report.notes.join(' ')).toMatch(/CC'd users always see/);
  });

  it('renders json with format_version 1 and text naming the granted user', () => {
    const json = JSON.parse(renderAccess(report, 'json')) as { format_version: number; organizations: { id: number; see_all: { email: string }[] }[] };
    expect(json.format_version).toBe(1);
    expect(json.organizations.map((o) => o.id)).toEqual([101, 102, 105]);
    const text = renderAccess(report, 'text');
    expect(text).toContain('Hooli (105) — private, 2 members, 40 tickets');
    expect(text).toContain('lead@hooli.example — user-level grant');
    const md = renderAccess(report, 'markdown');
    expect(md).toContain('| Hooli (105) | private | 2 | 1 | 0 | 40 |');
  });
});

describe('exposureOf', () => {
  const base = { orgId: 1, orgName: 'Acme', file: 'orgs/acme.yaml', ticket: { url: '', id: 1, host: '', subdomain: null, canonical: '' }, widening: true, checks: [], blocked: false, steps: [] };
  const members = [
    ...Array.from({ length: 36 }, (_, i) => user(3000 + i, `u${i}@acme.example`, 1)),
    user(2999, 'granted@acme.example', 1, 'organization'),
    user(2998, 'agent@acme.example', 1, 'groups', 'agent'),
  ];

  it('says how many users an enable lets see how many tickets', () => {
    const change: OrgSharingChange = { ...base, key: 'org:1', kind: 'enable', from: 'private', to: 'read_only' };
    const e = exposureOf(change, { org: org(1, 'Acme', 'private'), members: [...members, user(1, 'x@acme.example', 1)], ticketCount: 1204 });
    expect(e).toEqual({ usersGaining: 37, ticketsVisible: 1204, commentersGaining: 0, note: 'This change lets 37 users see 1,204 tickets they cannot see today.' });
  });

  it('counts commenters for read_write and for read_only → read_write', () => {
    const enable: OrgSharingChange = { ...base, key: 'org:1', kind: 'enable', from: 'private', to: 'read_write' };
    expect(exposureOf(enable, { org: org(1, 'Acme', 'private'), members, ticketCount: 10 })).toMatchObject({ usersGaining: 36, commentersGaining: 37 });
    const type: OrgSharingChange = { ...base, key: 'org:1', kind: 'change_type', from: 'read_only', to: 'read_write' };
    expect(exposureOf(type, { org: org(1, 'Acme', 'read_only'), members, ticketCount: 10 })).toMatchObject({ usersGaining: 0, commentersGaining: 37 });
  });

  it('gives one user an org’s tickets for a user grant on a private organization, nothing when it is shared', () => {
    const grant: UserGrantChange = { ...base, key: 'user:5@org:1', kind: 'user_grant', userId: 5, email: 'lead@acme.example', from: 'requested', to: 'organization' };
    expect(exposureOf(grant, { org: org(1, 'Acme', 'private'), members, ticketCount: 99, user: user(5, 'lead@acme.example', 1) })).toMatchObject({ usersGaining: 1, ticketsVisible: 99 });
    expect(exposureOf(grant, { org: org(1, 'Acme', 'read_only'), members, ticketCount: 99, user: user(5, 'lead@acme.example', 1) })).toMatchObject({ usersGaining: 0 });
  });

  it('counts the partner domain’s users for partner_add on a shared organization', () => {
    const add: PartnerChange = { ...base, key: 'partner:partnerco.example@org:1', kind: 'partner_add', domain: 'PartnerCo.example' };
    const domainUsers = [user(7, 'a@partnerco.example', 9), user(8, 'b@partnerco.example', 9), user(9, 'c@other.example', 9)];
    expect(exposureOf(add, { org: org(1, 'Acme', 'read_write'), members, ticketCount: 5, domainUsers })).toMatchObject({ usersGaining: 2, commentersGaining: 2, ticketsVisible: 5 });
  });

  it('gives nothing for narrowing changes', () => {
    const kinds: Change[] = [
      { ...base, key: 'org:1', kind: 'disable', from: 'read_only', to: 'private', widening: false },
      { ...base, key: 'org:1', kind: 'change_type', from: 'read_write', to: 'read_only', widening: false },
      { ...base, key: 'user:5@org:1', kind: 'user_revoke', userId: 5, email: 'x', from: 'organization', to: 'requested', widening: false },
    ];
    for (const c of kinds) expect(exposureOf(c, { org: org(1, 'Acme', 'read_only'), members, ticketCount: 5 })).toBeUndefined();
  });
});
