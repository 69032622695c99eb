import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SEED, startSandbox, type Sandbox, type SeedData } from '../../src/sandbox/index.js';
import { attestationStatus } from '../../src/review/attest.js';
import { csvField } from '../../src/review/render.js';
import { cli, configDir, FAST_CONFIG, FILES, NOW, removeConfigDirs } from '../apply/helpers.js';

/** An instant `days` and `hours` before the suite's pinned clock (NOW), as Zendesk writes it. */
function ago(days: number, hours = 0): string {
  return new Date(NOW.getTime() - (days * 24 + hours) * 3_600_000).toISOString().replace('.000Z', 'Z');
}
const iso = (at: string): string => new Date(at).toISOString();

/** Approvals 365 days and an hour ago (overdue), 365 days less an hour ago (due), 175 days ago (ok). */
const OVERDUE = ago(365, 1);
const DUE = ago(365, -1);
const OK = ago(175);

/** The default world with approval comments at chosen instants. */
function seedWith(approvals: Record<number, string>): SeedData {
  const seed = structuredClone(DEFAULT_SEED);
  for (const t of seed.tickets ?? []) {
    // Comment times must increase with ids: pin the ticket's earlier comments just before.
    for (const c of t.comments ?? []) {
      const at = approvals[c.id];
      if (at) {
        for (const other of t.comments ?? []) if (other.id < c.id) other.created_at = new Date(Date.parse(at) - (c.id - other.id) * 60_000).toISOString();
        c.created_at = at;
      }
    }
  }
  return seed;
}

const CONFIG_365 = `${FAST_CONFIG}reattest_after: 365\n`;

interface ReviewJson {
  format_version: number;
  reattest_after: number | null;
  grants: { org_id: number; kind: string; subject: string; status: string; last_attested: string | null; age_days: number | null; approver: string; members: number; tickets_exposed: number }[];
  summary: Record<string, number>;
}

describe('orgshare review (sandbox, real HTTP)', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterEach(async () => {
    await removeConfigDirs();
  });
  afterAll(async () => {
    await sb.close();
  });

  it('with reattest_after: 365 lists exactly the grants whose newest approval is older than 365 days as overdue', async () => {
    sb.reset(
      seedWith({
        90210: OVERDUE, // Acme: 365 days and one hour → overdue
        31010: DUE, // Globex: 364 days and 23 hours → due (within 30 days)
        50110: OK, // Hooli's user grant: 175 days → ok
      }),
    );
    const dir = await configDir({ acme: FILES.acme, globex: FILES.globex, hooli: FILES.hooli, initech: FILES.initech }, CONFIG_365);
    const res = await cli(sb, dir, ['review', '--format', 'json']);
    expect(res.code, res.stderr).toBe(2); // a grant is due or overdue
    const report = JSON.parse(res.stdout) as ReviewJson;
    expect(report.reattest_after).toBe(365);
    expect(report.grants.map((g) => [g.org_id, g.kind, g.subject, g.status, g.age_days])).toEqual([
      [360000000101, 'shared_organization', 'read_only', 'overdue', 365],
      [360000000102, 'shared_organization', 'read_write', 'due', 364],
      [360000000105, 'user_grant', 'lead@hooli.example', 'ok', 175],
    ]);
    // Acme and Hooli's grant are declared but not applied yet; Globex is shared live.
    expect(report.grants.map((g) => (g as unknown as { in_effect: boolean }).in_effect)).toEqual([false, true, false]);
    expect(report.grants[0]).toMatchObject({ approver: 'jane@acme.example', last_attested: iso(OVERDUE), members: 3 });
    expect(report.summary).toMatchObject({ grants: 3, overdue: 1, due: 1, ok: 1 });
    expect(sb.writes()).toEqual([]);

    const csv = await cli(sb, dir, ['review', '--format', 'csv']);
    const lines = csv.stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe('organization_id,organization,file,grant,subject,in_effect,since,requester,approver,ticket,members,tickets_exposed,last_attested,age_days,status,evidence_problem');
    expect(lines).toHaveLength(4);
    expect(lines.slice(1).map((l) => l.split(',').at(-2))).toEqual(['overdue', 'due', 'ok']);

    const md = await cli(sb, dir, ['review', '--format', 'markdown']);
    expect(md.stdout).toContain('3 grants: 1 ok, 1 due, 1 overdue');
    const text = await cli(sb, dir, ['review']);
    expect(text.stdout).toContain('re-attest every 365 days');
    const notHere = await cli(sb, dir, ['drift', '--format', 'csv']);
    expect(notHere.code).toBe(1);
    expect(notHere.stderr).toContain('--format csv is only available for `orgshare review`');
  });

  it('drift lists overdue attestations as their own kind, in every format, only when reattest_after is set', async () => {
    sb.reset(seedWith({ 90210: OVERDUE, 31010: DUE, 50110: OK }));
    const files = { acme: FILES.acme, globex: FILES.globex, hooli: FILES.hooli };
    const dir = await configDir(files, CONFIG_365);
    const res = await cli(sb, dir, ['drift', '--format', 'json']);
    expect(res.code).toBe(2);
    const items = (JSON.parse(res.stdout) as { items: Record<string, unknown>[]; summary: { by_kind: Record<string, number> } }).items;
    expect(items.filter((i) => i.kind === 'overdue_attestation')).toEqual([
      {
        kind: 'overdue_attestation',
        org_id: 360000000101,
        org_name: 'Acme Corp',
        file: 'orgs/acme.yaml',
        grant: 'shared_organization',
        subject: 'read_only',
        last_attested: iso(OVERDUE),
        age_days: 365,
        reattest_after: 365,
      },
    ]);
    const md = await cli(sb, dir, ['drift', '--format', 'markdown']);
    expect(md.stdout).toContain('#### ⏰ Overdue attestations (1)');
    expect(md.stdout).toContain(`Acme Corp (360000000101, orgs/acme.yaml): sharing read\\_only last attested ${OVERDUE.slice(0, 10)}, 365 days ago`);
    const text = await cli(sb, dir, ['drift']);
    expect(text.stdout).toContain(`⏰ Acme Corp (360000000101, orgs/acme.yaml): sharing read_only last attested ${OVERDUE.slice(0, 10)}`);

    sb.clearLog();
    const off = await cli(sb, await configDir(files), ['drift', '--format', 'json']);
    expect((JSON.parse(off.stdout) as { items: { kind: string }[] }).items.map((i) => i.kind)).not.toContain('overdue_attestation');
    expect(sb.log().filter((e) => e.path.includes('/comments'))).toEqual([]);
  });

  it('a re-attestation counts only when its approval passes the evidence checks of a widening change', async () => {
    sb.reset(seedWith({ 90210: ago(387, 1) }));
    // A new "approval" that is the requester's first message, written before the risk message.
    const fake = FILES.acme.replace('comment_id: 90210', 'comment_id: 90200').replace('quote: "we accept the security risk"', 'quote: "Read only please"');
    const dir = await configDir({ acme: fake }, CONFIG_365);
    const report = JSON.parse((await cli(sb, dir, ['review', '--format', 'json'])).stdout) as ReviewJson;
    expect(report.grants).toHaveLength(1);
    expect(report.grants[0]).toMatchObject({ status: 'no_evidence', last_attested: null });
    expect((report.grants[0] as unknown as { evidence_problem: string }).evidence_problem).toMatch(/^risk_approved: /);

    const drift = JSON.parse((await cli(sb, dir, ['drift', '--format', 'json'])).stdout) as { items: Record<string, unknown>[] };
    expect(drift.items.find((i) => i.kind === 'overdue_attestation')).toMatchObject({ last_attested: null, age_days: null, problem: expect.stringMatching(/^risk_approved: /) });

    // The genuine approval attests it (and is overdue: 387 days old).
    const real = await configDir({ acme: FILES.acme }, CONFIG_365);
    const again = JSON.parse((await cli(sb, real, ['review', '--format', 'json'])).stdout) as ReviewJson;
    expect(again.grants[0]).toMatchObject({ status: 'overdue', last_attested: iso(ago(387, 1)), evidence_problem: null });
  });

  it('re-attestation is off by default; a legacy record has no dated evidence', async () => {
    sb.reset();
    const legacy = FILES.globex.replace(/  confirmed_type[\s\S]*$/, '  legacy: true\n');
    const dir = await configDir({ acme: FILES.acme, globex: legacy });
    const report = JSON.parse((await cli(sb, dir, ['review', '--format', 'json'])).stdout) as ReviewJson;
    expect(report.reattest_after).toBeNull();
    expect(report.grants.map((g) => g.status)).toEqual(['ok', 'no_evidence']);
    expect((await cli(sb, dir, ['review'])).code).toBe(0);
  });

  it('attestation status at the boundaries; CSV fields are quoted and never formulas', () => {
    const day = 86_400_000;
    const at = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
    expect(attestationStatus(at(365 * day), 365, NOW).status).toBe('due');
    expect(attestationStatus(at(365 * day + 1), 365, NOW).status).toBe('overdue');
    expect(attestationStatus(at(335 * day), 365, NOW).status).toBe('ok');
    expect(attestationStatus(at(335 * day + 1), 365, NOW).status).toBe('due');
    expect(attestationStatus(null, 365, NOW)).toEqual({ status: 'no_evidence', ageDays: null });
    expect(attestationStatus(at(9999 * day), null, NOW).status).toBe('ok');
    expect(csvField('Acme, Inc. "East"')).toBe('"Acme, Inc. ""East"""');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(null)).toBe('');
  });
});
