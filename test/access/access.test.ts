import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { requestPaths, runCli, sandboxEnv } from './cli-harness.js';

const ACME = 360000000101;
const GLOBEX = 360000000102;
const HOOLI = 360000000105;

interface JsonUser {
  user_id: number;
  email: string;
  via: string;
  default_org_id: number | null;
  other_org_ids: number[];
  reasons: string[];
  can_comment: boolean;
}
interface JsonOrg {
  id: number;
  name: string;
  sharing: string;
  ticket_count: number;
  members: number;
  see_all: JsonUser[];
  cross_org: JsonUser[];
  partner_domains: string[];
  notes: string[];
}

describe('orgshare access (sandbox, real HTTP)', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0 });
  });
  afterAll(async () => {
    await sb.close();
  });
  beforeEach(() => {
    sb.reset();
  });

  it('shows the one user of a private organization who sees all its tickets through a user-level grant', async () => {
    sb.store.updateUser(2401, { ticket_restriction: 'organization' });
    sb.clearLog();
    const run = await runCli(['--format', 'json', 'access', '--org', String(HOOLI)], sandboxEnv(sb));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { format_version: number; organizations: JsonOrg[] };
    expect(report.format_version).toBe(1);
    const hooli = report.organizations[0]!;
    expect(hooli).toMatchObject({ id: HOOLI, sharing: 'private', members: 2, ticket_count: 1 });
    expect(hooli.see_all.map((u) => [u.email, u.reasons, u.can_comment])).toEqual([['lead@hooli.example', ['user_grant'], false]]);
    expect(sb.writes()).toEqual([]);
  });

  it('shows a partner user in two organizations, and why each sees what', async () => {
    // partnerco.example is Pat's company; its domain is added to Globex (seed 003's
    // professional partner). Pat's default organization is Acme Corp.
    sb.store.updateOrganization(GLOBEX, { domain_names: ['globex.example', 'partnerco.example'] });
    const run = await runCli(['--format', 'json', 'access', '--org', String(ACME), String(GLOBEX)], sandboxEnv(sb));
    expect(run.code).toBe(0);
    const orgs = (JSON.parse(run.stdout) as { organizations: JsonOrg[] }).organizations;
    const acme = orgs.find((o) => o.id === ACME)!;
    const globex = orgs.find((o) => o.id === GLOBEX)!;
    // Globex is read+write: Pat sees and comments on every Globex ticket, as a partner.
    expect(globex.see_all.find((u) => u.email === 'pat@partnerco.example')).toMatchObject({
      via: 'partner_domain',
      default_org_id: ACME,
      other_org_ids: [ACME],
      reasons: ['org_shared'],
      can_comment: true,
    });
    expect(globex.partner_domains).toEqual(['partnerco.example']);
    // Acme Corp is private: Pat is a member (default org) but sees only their own tickets.
    expect(acme.sharing).toBe('private');
    expect(acme.see_all).toEqual([]);
    expect(acme.cross_org.map((u) => [u.email, u.via, u.other_org_ids])).toEqual([['pat@partnerco.example', 'default', [GLOBEX]]]);
  });

  it('counts tickets with the count endpoint, only where someone sees beyond their own, and never lists tickets', async () => {
    sb.clearLog();
    const run = await runCli(['--no-color', 'access'], sandboxEnv(sb));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Globex (360000000102) — shared, read+write, 2 members, 1 ticket\n');
    expect(run.stdout).toContain('Acme Corp (360000000101) — private, 3 members\n');
    expect(run.stdout).toContain("CC'd users always see");
    const paths = requestPaths(sb);
    // Globex and Initech are shared; nobody in the four private organizations has a grant.
    expect(paths.filter((p) => /\/tickets\/count$/.test(p)).sort()).toEqual([
      'GET /organizations/360000000102/tickets/count',
      'GET /organizations/360000000103/tickets/count',
    ]);
    expect(paths.filter((p) => /tickets(?!\/count$)|search|comments/.test(p))).toEqual([]);
    expect(sb.writes()).toEqual([]);
  });

  it('fails (exit 1) for an organization id that does not exist, after printing what it found', async () => {
    const run = await runCli(['access', '--org', String(ACME), '999'], sandboxEnv(sb));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Acme Corp (360000000101)');
    expect(run.stderr).toContain('not found: 999');
  });
});
