import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { requestPaths, runCli, sandboxEnv } from '../access/cli-harness.js';

const ACME = 360000000101;
const SOYLENT = 360000000106;

/** orgs/ describing the default sandbox world exactly as it is live (legacy records). */
const FILES: Record<string, string> = {
  'acme-corp.yaml': org(ACME, 'Acme Corp', 'private', 4821),
  'globex.yaml': org(360000000102, 'Globex', 'read_write', 3100),
  'initech.yaml': org(360000000103, 'Initech', 'read_only', 4900),
  'umbrella-health.yaml': org(360000000104, 'Umbrella Health', 'private', 4950),
  'hooli.yaml': org(360000000105, 'Hooli', 'private', 5010),
};

function org(id: number, name: string, sharing: string, ticket: number): string {
  return [
    'organization:',
    `  id: ${id}`,
    `  name: ${name}`,
    `sharing: ${sharing}`,
    'request:',
    `  ticket: https://acme.zendesk.com/agent/tickets/${ticket}`,
    '  legacy: true',
    '',
  ].join('\n');
}

interface DriftJson {
  format_version: number;
  items: Record<string, unknown>[];
}

describe('orgshare drift (sandbox, real HTTP)', () => {
  let sb: Sandbox;
  let dir: string;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'orgshare-drift-'));
    await mkdir(join(dir, 'orgs'));
    for (const [name, text] of Object.entries(FILES)) await writeFile(join(dir, 'orgs', name), text);
  });
  afterAll(async () => {
    await sb.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    sb.reset();
  });

  it('reports no drift (exit 0) when Zendesk is as the files say, and writes nothing', async () => {
    const run = await runCli(['--dir', dir, 'drift'], sandboxEnv(sb));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(sb.writes()).toEqual([]);
    // Nothing drifted: no audit-log look-ups.
    expect(requestPaths(sb).filter((p) => p.includes('audit_logs'))).toEqual([]);
  });

  it('finds an org changed behind orgshare’s back, an unmanaged shared org and an undeclared grant (exit 2, zero writes)', async () => {
    sb.store.updateOrganization(ACME, { shared_tickets: true });
    sb.store.updateOrganization(SOYLENT, { shared_tickets: true, shared_comments: true });
    sb.store.updateUser(2002, { ticket_restriction: 'organization' });
    sb.clearLog();

    const run = await runCli(['--dir', dir, '--format', 'json', 'drift'], sandboxEnv(sb));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(2);
    expect(sb.writes()).toEqual([]);
    const report = JSON.parse(run.stdout) as DriftJson;
    expect(report.format_version).toBe(1);
    expect(report.items).toEqual([
      {
        kind: 'managed_differs',
        org_id: ACME,
        org_name: 'Acme Corp',
        file: 'orgs/acme-corp.yaml',
        declared: 'private',
        live: 'read_only',
        // Who changed it, from the audit log: the sandbox's "someone else" is Sam.
        last_change: { actor_id: 1002, actor_name: 'Sam Support', at: expect.any(String) },
      },
      {
        kind: 'unmanaged_shared',
        org_id: SOYLENT,
        org_name: 'Soylent',
        live: 'read_write',
        last_change: { actor_id: 1002, actor_name: 'Sam Support', at: expect.any(String) },
      },
      { kind: 'undeclared_grant', user_id: 2002, email: 'bob@acme.example', org_id: ACME, org_name: 'Acme Corp' },
    ]);
    // The audit log was read for the two drifted organizations only.
    expect(requestPaths(sb).filter((p) => p.includes('audit_logs'))).toHaveLength(2);
  });

  it('draws progress on stderr only when stderr is a terminal; stdout carries only the report', async () => {
    const quiet = await runCli(['--dir', dir, '--format', 'json', 'drift'], sandboxEnv(sb));
    const tty = await runCli(['--dir', dir, '--format', 'json', 'drift'], sandboxEnv(sb), undefined, true);
    expect(quiet.stderr).toBe('');
    expect(tty.stderr).toMatch(/scanning (organizations|users) \d+ so far/);
    expect(JSON.parse(tty.stdout)).toMatchObject({ format_version: 1, items: [] });
  });

  it('reports a declared grant that is not live', async () => {
    await writeFile(
      join(dir, 'orgs', 'hooli.yaml'),
      org(360000000105, 'Hooli', 'private', 5010) +
        'user_access:\n  - email: lead@hooli.example\n    access: organization\n    ticket: https://acme.zendesk.com/agent/tickets/5010\n',
    );
    try {
      const run = await runCli(['--dir', dir, '--format', 'json', 'drift'], sandboxEnv(sb));
      expect(run.code).toBe(2);
      const report = JSON.parse(run.stdout) as DriftJson;
      expect(report.items).toEqual([
        { kind: 'grant_differs', user_id: 2401, email: 'lead@hooli.example', org_id: 360000000105, file: 'orgs/hooli.yaml', declared: 'organization', live: 'requested' },
      ]);
      expect(sb.writes()).toEqual([]);
    } finally {
      await writeFile(join(dir, 'orgs', 'hooli.yaml'), FILES['hooli.yaml']!);
    }
  });

  it('reports a partner domain that plan would add (exit 2), like plan does, with zero writes', async () => {
    await writeFile(
      join(dir, 'orgs', 'hooli.yaml'),
      FILES['hooli.yaml']! + 'partners:\n  - domain: partnerco.example\n    ticket: https://acme.zendesk.com/agent/tickets/5010\n',
    );
    try {
      const plan = await runCli(['--dir', dir, '--format', 'json', 'plan'], sandboxEnv(sb));
      expect(JSON.parse(plan.stdout)).toMatchObject({ changes: [{ kind: 'partner_add', org_id: 360000000105, domain: 'partnerco.example' }] });
      sb.clearLog();
      const run = await runCli(['--dir', dir, '--format', 'json', 'drift'], sandboxEnv(sb));
      expect(run.code).toBe(2);
      const report = JSON.parse(run.stdout) as DriftJson;
      expect(report.items).toEqual([
        { kind: 'partner_differs', org_id: 360000000105, org_name: 'Hooli', file: 'orgs/hooli.yaml', domain: 'partnerco.example', declared: 'present', live: 'absent' },
      ]);
      expect(sb.writes()).toEqual([]);
      // Drift reads no evidence: the scan and nothing else.
      expect(requestPaths(sb).some((p) => p.includes('/tickets'))).toBe(false);
      const text = await runCli(['--dir', dir, 'drift'], sandboxEnv(sb));
      expect(text.code).toBe(2);
      expect(text.stdout).toContain('partner domain partnerco.example');
    } finally {
      await writeFile(join(dir, 'orgs', 'hooli.yaml'), FILES['hooli.yaml']!);
    }
  });

  it('fails (exit 1) on invalid files without contacting Zendesk', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'orgshare-drift-bad-'));
    try {
      await mkdir(join(bad, 'orgs'));
      await writeFile(join(bad, 'orgs', 'x.yaml'), 'organization: {id: 1}\nsharing: sideways\n');
      const run = await runCli(['--dir', bad, 'drift'], sandboxEnv(sb));
      expect(run.code).toBe(1);
      expect(sb.log()).toEqual([]);
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });
});
