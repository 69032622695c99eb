import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SEED, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, configDir, DATE, FILES, NOW, ORG, removeConfigDirs } from '../apply/helpers.js';
import { commitAll, initRepo } from './git-repo.js';

interface HistoryJson {
  format_version: number;
  sources: { audit_log: { available: boolean; reason?: string }; git: { available: boolean } };
  orgs: { org_id: number; events: Record<string, unknown>[]; findings: { kind: string; message: string }[] }[];
  summary: { findings: number; by_kind: Record<string, number> };
}

/** An instant `hours` before the suite's pinned clock (NOW): the story is told relative to it. */
const before = (hours: number): string => new Date(NOW.getTime() - hours * 3_600_000).toISOString().replace('.000Z', 'Z');

/** The default world, with the sandbox clock a few days before the tests' NOW. */
const SEED = { ...DEFAULT_SEED, account: { ...DEFAULT_SEED.account, clock_start: before(72) } };

describe('orgshare history (sandbox, real HTTP, a real git repository)', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ seed: SEED });
  });
  afterEach(async () => {
    sb.reset();
    await removeConfigDirs();
  });
  afterAll(async () => {
    await sb.close();
  });

  it('shows an orgshare apply and a later switch-off in the UI; the UI change is unrecorded_change; the squash commit yields the PR number', async () => {
    const dir = await configDir({ acme: FILES.acme });
    initRepo(dir);
    // Merged early on the day of the apply: the Details line carries only that day, and a
    // commit earlier the same day reviewed it (no unreviewed_change).
    const committed = `${DATE}T00:00:01Z`;
    const hash = commitAll(dir, 'Share Acme Corp read only (#12)', committed);

    sb.store.clock.observe(before(2)); // the apply happens before NOW
    const applied = await cli(sb, dir, ['apply', '--yes']);
    expect(applied.code, applied.stderr + applied.stdout).toBe(0);
    sb.ui({ organization: { id: ORG.acme, shared_tickets: false }, actor: 'sam@acme.example' });
    sb.clearLog();

    const res = await cli(sb, dir, ['history', '--format', 'json']);
    expect(res.code, res.stderr).toBe(2);
    const report = JSON.parse(res.stdout) as HistoryJson;
    expect(report.format_version).toBe(1);
    expect(report.sources.audit_log.available).toBe(true);
    const acme = report.orgs.find((o) => o.org_id === ORG.acme)!;
    const audit = acme.events.filter((e) => e.source === 'audit');
    expect(audit.map((e) => [e.via, (e.actor as { email: string }).email, (e.actor as { role: string }).role])).toEqual([
      ['api_token', 'admin@acme.example', 'admin'],
      ['ui', 'sam@acme.example', 'agent'],
    ]);
    expect(audit.map((e) => e.summary)).toEqual([
      expect.stringContaining('sharing set to Read only'),
      expect.stringContaining('sharing set to private'),
    ]);
    const commit = acme.events.find((e) => e.source === 'git')!;
    expect(commit).toMatchObject({ hash, pr: 12, author: 'Rita Reviewer', subject: 'Share Acme Corp read only (#12)', at: new Date(committed).toISOString() });
    expect(acme.events.find((e) => e.source === 'details')).toMatchObject({ at: DATE, legacy: false, sharing: 'read_only' });
    expect(acme.events.map((e) => e.source)).toEqual(['evidence', 'evidence', 'git', 'audit', 'audit', 'details']);
    expect(acme.findings.map((f) => f.kind)).toEqual(['unrecorded_change']);
    expect(acme.findings[0]!.message).toContain('Sam Support <sam@acme.example>, agent via the UI');

    // Read in bulk: the audit log in cursor pages filtered by source type and time.
    const auditReads = sb.log().filter((e) => e.path.includes('audit_logs'));
    expect(auditReads.map((e) => [e.query['filter[source_type]'], e.query['filter[created_at][]'], e.query['page[size]']])).toEqual([
      ['organization', ['2000-01-01T00:00:00Z', NOW.toISOString()], '100'],
      ['user', ['2000-01-01T00:00:00Z', NOW.toISOString()], '100'],
    ]);
    expect(sb.writes()).toEqual([]);

    const text = await cli(sb, dir, ['history']);
    expect(text.stdout).toContain('unrecorded_change');
    expect(text.stdout).toContain('(PR #12)');
    const md = await cli(sb, dir, ['history', '--format', 'markdown']);
    expect(md.stdout).toContain('### ⚠️ orgshare history: 1 finding');
    expect(md.stdout).toContain('| `unrecorded_change` |');
  });

  it('an organization with only seed-001 lowercase lines and no audit-log access still gets a timeline', async () => {
    const dir = await configDir({ globex: FILES.globex });
    initRepo(dir);
    commitAll(dir, 'Import Globex', '2026-11-22T15:00:00Z');
    sb.script({ match: { path: 'audit_logs' }, times: Infinity, fault: { kind: 'status', status: 403, body: { error: 'Forbidden', description: 'You do not have access to this page.' } } });

    const res = await cli(sb, dir, ['history', '--org', String(ORG.globex), '--format', 'json']);
    const report = JSON.parse(res.stdout) as HistoryJson;
    expect(report.sources.audit_log).toMatchObject({ available: false });
    const globex = report.orgs[0]!;
    expect(globex.events.map((e) => [e.source, e.at])).toEqual([
      ['evidence', '2024-03-01T10:00:00.000Z'],
      ['evidence', '2024-03-02T08:00:00.000Z'],
      ['details', '2024-03-02'],
      ['git', '2026-11-22T15:00:00.000Z'],
    ]);
    expect(globex.events[2]).toMatchObject({ legacy: true, sharing: 'read_write', ticket: 'https://acme.zendesk.com/agent/tickets/3100' });
    // The Details line predates the file: the change was not reviewed in git.
    expect(globex.findings.map((f) => f.kind)).toEqual(['unreviewed_change']);
    expect(res.code).toBe(2);
    expect(sb.log().filter((e) => e.path.includes('audit_logs'))).toHaveLength(1);

    const text = await cli(sb, dir, ['history', '--org', String(ORG.globex)]);
    expect(text.stdout.match(/Audit log not used/g)).toHaveLength(1);
    expect(text.stdout).toContain('older lowercase form');
  });

  it('evidence_after_change: an approval dated after the change it approves; --since leaves older events out', async () => {
    // Globex's Details line says 2024-03-02; move the approving comment to the day after.
    const seed = structuredClone(SEED);
    const ticket = seed.tickets!.find((t) => t.id === 3100)!;
    ticket.comments!.find((c) => c.id === 31010)!.created_at = '2024-03-03T08:00:00Z';
    sb.reset(seed);
    const dir = await configDir({ globex: FILES.globex });
    initRepo(dir);
    commitAll(dir, 'Merge pull request #7 from acme/globex', '2024-03-01T12:00:00Z');

    const res = await cli(sb, dir, ['history', '--format', 'json']);
    const report = JSON.parse(res.stdout) as HistoryJson;
    expect(report.orgs[0]!.findings.map((f) => f.kind)).toEqual(['evidence_after_change']);
    expect(report.orgs[0]!.events.find((e) => e.source === 'git')).toMatchObject({ pr: 7 });
    expect(res.code).toBe(2);

    const later = await cli(sb, dir, ['history', '--since', '2025-01-01', '--format', 'json']);
    expect((JSON.parse(later.stdout) as HistoryJson).orgs[0]!.events).toEqual([]);
    expect(later.code).toBe(0);
  });

  it('outside a git repository it says so and still reports; bad --since is a usage error', async () => {
    const dir = await configDir({ acme: FILES.acme });
    const res = await cli(sb, dir, ['history']);
    expect(res.stdout).toContain('Git history not used');
    expect(res.code).toBe(0);
    const bad = await cli(sb, dir, ['history', '--since', '2026-02-30']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--since expects a date YYYY-MM-DD');
    await writeFile(join(dir, 'orgs', 'broken.yaml'), 'organization: [');
    expect((await cli(sb, dir, ['history'])).code).toBe(1);
  });
});
