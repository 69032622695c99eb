/**
 * `orgshare plan` and `orgshare apply` end to end: the CLI in-process through `main(argv,
 * io)` (and the built binary in a child process), over real HTTP to the sandbox, with a
 * temporary config repository. Scenarios follow issue 6's acceptance list.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/plan/saved.js';
import { generateAccount, startSandbox, type Sandbox, type SeedData } from '../../src/sandbox/index.js';
import {
  DISABLED_LINE,
  FAST_CONFIG,
  FILES,
  ORG,
  READ_ONLY_LINE,
  READ_WRITE_LINE,
  TICKET,
  cli,
  configDir,
  confirmationsOn,
  countLines,
  detailsOf,
  removeConfigDirs,
  sandboxEnv,
  hooliConfirmsReadWrite,
} from '../apply/helpers.js';

let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.close();
  await removeConfigDirs();
});
beforeEach(() => sb.reset());

/** The shared world's files that need a change: Acme enable, Initech disable; Globex, Umbrella converged. */
const WORLD = { 'acme-corp': FILES.acme, globex: FILES.globex, initech: FILES.initech, 'umbrella-health': FILES.umbrella };
const CONVERGED = { globex: FILES.globex, 'umbrella-health': FILES.umbrella };

const orgWrites = () => sb.writes().filter((w) => w.path.includes('/organizations'));

describe('orgshare plan', () => {
  it('is read-only: shows the changes, exits 2 and sends no write request', async () => {
    const dir = await configDir(WORLD);
    const { code, stdout } = await cli(sb, dir, ['plan']);
    expect(code).toBe(2);
    expect(stdout).toContain('Acme Corp');
    expect(stdout).toContain('Initech');
    expect(sb.writes()).toEqual([]);
    expect(sb.log().length).toBeGreaterThan(0);
  });

  it('plans "no changes" for a converged repository (exit 0, zero writes)', async () => {
    const dir = await configDir(CONVERGED);
    const { code } = await cli(sb, dir, ['plan']);
    expect(code).toBe(0);
    expect(sb.writes()).toEqual([]);
  });

  it('saves the plan with --out as a parseable plan file, still without writing', async () => {
    const dir = await configDir(WORLD);
    const out = join(dir, 'plan.json');
    const { code } = await cli(sb, dir, ['plan', '--out', out]);
    expect(code).toBe(2);
    const saved = parsePlan(await readFile(out, 'utf8'));
    expect(saved.changes.map((c) => [c.orgId, c.kind])).toEqual([
      [ORG.acme, 'enable'],
      [ORG.initech, 'disable'],
    ]);
    expect(sb.writes()).toEqual([]);
  });

  it('exits 1 on a blocked pre-check, without writing', async () => {
    const dir = await configDir({ soylent: FILES.soylentBlocked });
    const { code, stdout } = await cli(sb, dir, ['plan']);
    expect(code).toBe(1);
    expect(stdout).toContain('deny_note');
    expect(sb.writes()).toEqual([]);
  });

  it('reports configuration problems with exit 1 and no request at all', async () => {
    const dir = await configDir({ broken: 'organization:\n  id: "not a number"\n' });
    const { code } = await cli(sb, dir, ['plan']);
    expect(code).toBe(1);
    expect(sb.log()).toEqual([]);
  });
});

describe('orgshare apply', () => {
  it('applies with --yes, then a second apply and a plan make zero write requests', async () => {
    const dir = await configDir(WORLD);
    const first = await cli(sb, dir, ['apply', '--yes']);
    expect(first.code).toBe(0);
    expect(detailsOf(sb, ORG.acme)).toBe(`Customer since 2019.\n${READ_ONLY_LINE(4821)}`);
    expect(detailsOf(sb, ORG.initech)).toBe(DISABLED_LINE(4900));
    expect(sb.store.ticket(4821).status).toBe('solved');
    expect(sb.store.ticket(4900).status).toBe('solved');
    // apply lock → metadata 4821 → one bulk organization update → comment+solve 4821, 4900 → lock released
    expect(sb.writes().map((w) => `${w.method} ${w.path}`)).toEqual([
      'PUT /api/v2/users/1001.json',
      'PUT /api/v2/tickets/4821.json',
      'PUT /api/v2/organizations/update_many.json',
      'PUT /api/v2/tickets/4821.json',
      'PUT /api/v2/tickets/4900.json',
      'PUT /api/v2/users/1001.json',
    ]);
    // The lock lives in the API user's notes and is gone again afterwards.
    const lockNotes = sb.writes().filter((w) => w.path.includes('/users/')).map((w) => JSON.stringify(w.body));
    expect(lockNotes[0]).toContain('[orgshare-apply-lock]');
    expect(lockNotes[1]).not.toContain('[orgshare-apply-lock]');
    expect(sb.store.users.get(1001)?.notes ?? '').not.toContain('[orgshare-apply-lock]');

    sb.clearLog();
    const second = await cli(sb, dir, ['apply', '--yes']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Nothing to apply.');
    const plan = await cli(sb, dir, ['plan']);
    expect(plan.code).toBe(0);
    expect(sb.writes()).toEqual([]);
  });

  it('refuses without --yes when stdin is not a terminal, and writes nothing', async () => {
    const dir = await configDir(WORLD);
    const { code, stderr, stdout } = await cli(sb, dir, ['apply']);
    expect(code).toBe(1);
    expect(stdout).toContain('Acme Corp'); // the plan is shown first
    expect(stderr).toContain('--yes');
    expect(sb.writes()).toEqual([]);
  });

  it('asks on a terminal and writes only after "yes"', async () => {
    const dir = await configDir(WORLD);
    const questions: string[] = [];
    const no = await cli(sb, dir, ['apply'], { stdinIsTTY: true, confirm: async (q) => (questions.push(q), false) });
    expect(no.code).toBe(1);
    expect(questions[0]).toMatch(/Apply 2 changes to acme\?/);
    expect(sb.writes()).toEqual([]);

    const yes = await cli(sb, dir, ['apply'], { stdinIsTTY: true, confirm: async () => true });
    expect(yes.code).toBe(0);
    expect(countLines(detailsOf(sb, ORG.acme), READ_ONLY_LINE(4821))).toBe(1);
  });

  it('writes nothing at all when any change is blocked, even with --yes', async () => {
    const dir = await configDir({ ...WORLD, soylent: FILES.soylentBlocked });
    const { code, stderr } = await cli(sb, dir, ['apply', '--yes']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/nothing was written/);
    expect(sb.writes()).toEqual([]);
    expect(sb.store.org(ORG.acme).shared_tickets).toBe(false);
  });

  it('draws progress on stderr only when stderr is a terminal', async () => {
    const dir = await configDir(WORLD);
    const quiet = await cli(sb, dir, ['apply', '--yes']);
    expect(quiet.stderr).toBe('');
    sb.reset();
    const tty = await cli(sb, dir, ['apply', '--yes'], { stderrIsTTY: true });
    expect(tty.code).toBe(0);
    expect(tty.stderr).toContain('\r');
    expect(tty.stdout).not.toContain('\r');
  });

  it('dates the Details line with the day of the apply when the confirmation waits past midnight UTC', async () => {
    const dir = await configDir(WORLD);
    let calls = 0;
    // The plan is made at 23:59:59; every later reading of the clock is the next day.
    const now = () => new Date(calls++ === 0 ? '2026-11-23T23:59:59Z' : '2026-11-24T00:00:05Z');
    const { code } = await cli(sb, dir, ['apply'], { stdinIsTTY: true, confirm: async () => true, now });
    expect(code).toBe(0);
    expect(detailsOf(sb, ORG.acme)).toBe(`Customer since 2019.\nShared organization (Read only) enabled 2026-11-24 as per ${TICKET(4821)}`);
  });

  it('prints one JSON document in --format json, for a refusal too', async () => {
    const dir = await configDir({ ...WORLD, soylent: FILES.soylentBlocked });
    const refused = await cli(sb, dir, ['--format', 'json', 'apply', '--yes']);
    expect(refused.code).toBe(1);
    const doc = JSON.parse(refused.stdout) as { format_version: number; error: { code: string }; plan: { blocked: boolean } };
    expect(doc).toMatchObject({ format_version: 1, error: { code: 'blocked' }, plan: { blocked: true } });

    const ok = await cli(sb, await configDir(WORLD), ['--format', 'json', 'apply', '--yes']);
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout) as { format_version: number };
    expect(report.format_version).toBe(1);
    expect(sb.writes()).toHaveLength(4 + 2); // the changes, plus taking and releasing the apply lock
  });
});

describe("the repository's own orgs/ against the default sandbox", () => {
  it('applies once, then plans no changes with zero writes', async () => {
    const repoOrgs = join(process.cwd(), 'orgs');
    const files: Record<string, string> = {};
    for (const name of await readdir(repoOrgs)) {
      if (name.endsWith('.yaml')) files[name.replace(/\.yaml$/, '')] = await readFile(join(repoOrgs, name), 'utf8');
    }
    const dir = await configDir(files);
    expect((await cli(sb, dir, ['plan'])).code).toBe(2);
    expect(sb.writes()).toEqual([]);
    const applied = await cli(sb, dir, ['apply', '--yes']);
    expect(applied.code).toBe(0);
    sb.clearLog();
    const plan = await cli(sb, dir, ['plan']);
    expect(plan.code).toBe(0);
    expect(sb.writes()).toEqual([]);
  });
});

describe('orgshare apply with a saved plan', () => {
  it('applies the reviewed plan when nothing moved', async () => {
    const dir = await configDir(WORLD);
    const out = join(dir, 'plan.json');
    expect((await cli(sb, dir, ['plan', '--out', out])).code).toBe(2);
    const { code } = await cli(sb, dir, ['apply', out]);
    expect(code).toBe(0);
    expect(countLines(detailsOf(sb, ORG.acme), READ_ONLY_LINE(4821))).toBe(1);
    expect(countLines(detailsOf(sb, ORG.initech), DISABLED_LINE(4900))).toBe(1);
  });

  it('applies a plan saved with --allow-large only with --allow-large again (the file is not trusted for it)', async () => {
    const dir = await configDir(WORLD, `${FAST_CONFIG}max_changes: 1\n`);
    const out = join(dir, 'plan.json');
    expect((await cli(sb, dir, ['apply', '--yes'])).code).toBe(1);
    expect(sb.writes()).toEqual([]);
    expect((await cli(sb, dir, ['plan', '--out', out, '--allow-large'])).code).toBe(2);
    expect((await cli(sb, dir, ['apply', out])).code).toBe(1);
    expect(sb.writes()).toEqual([]);
    const { code } = await cli(sb, dir, ['apply', out, '--allow-large']);
    expect(code).toBe(0);
    expect(sb.store.org(ORG.initech).shared_tickets).toBe(false);
  });

  it('refuses a stale plan when the organization changed in Zendesk since, and writes nothing', async () => {
    const dir = await configDir(WORLD);
    const out = join(dir, 'plan.json');
    expect((await cli(sb, dir, ['plan', '--out', out])).code).toBe(2);
    sb.store.updateOrganization(ORG.acme, { details: 'Customer since 2019. Renewed 2026.' });
    sb.clearLog();

    const { code, stderr } = await cli(sb, dir, ['apply', out, '--yes']);

    expect(code).toBe(1);
    expect(stderr).toContain(`organization ${ORG.acme} changed in Zendesk since the plan`);
    expect(sb.writes()).toEqual([]);
    expect(sb.store.org(ORG.acme).shared_tickets).toBe(false);
  });

  it('refuses a stale plan when a ticket or the files changed since', async () => {
    const dir = await configDir(WORLD);
    const out = join(dir, 'plan.json');
    expect((await cli(sb, dir, ['plan', '--out', out])).code).toBe(2);

    sb.store.updateTicket(4900, { status: 'pending' });
    const ticketMoved = await cli(sb, dir, ['apply', out, '--yes']);
    expect(ticketMoved.code).toBe(1);
    expect(ticketMoved.stderr).toContain('ticket 4900 changed');

    sb.reset();
    expect((await cli(sb, dir, ['plan', '--out', out])).code).toBe(2);
    await writeFile(join(dir, 'orgs', 'initech.yaml'), `${FILES.initech}# reviewed again\n`, 'utf8');
    const filesMoved = await cli(sb, dir, ['apply', out, '--yes']);
    expect(filesMoved.code).toBe(1);
    expect(filesMoved.stderr).toContain('files in orgs/');
    expect(sb.writes()).toEqual([]);
  });

  it('refuses a plan made for another account', async () => {
    const dir = await configDir(WORLD);
    const out = join(dir, 'plan.json');
    expect((await cli(sb, dir, ['plan', '--out', out])).code).toBe(2);
    const other = await startSandbox({ port: 0 });
    try {
      const io = { env: { ...sandboxEnv(other) } };
      const { code, stderr } = await cli(sb, dir, ['apply', out, '--yes'], io);
      expect(code).toBe(1);
      expect(stderr).toContain('the plan was made for');
      expect(other.writes()).toEqual([]);
    } finally {
      await other.close();
    }
  });
});

describe('crash recovery: a second apply converges to one Details line and one comment per change', () => {
  const WORLD3 = { 'acme-corp': FILES.acme, initech: FILES.initech, hooli: FILES.hooliReadWrite };
  const crashes: { name: string; fault: Parameters<Sandbox['script']>[0]; firstExit: number }[] = [
    {
      name: 'before any step (ticket metadata rejected)',
      fault: { match: { method: 'PUT', path: /tickets\/4821/ }, fault: { kind: 'status', status: 403 } },
      firstExit: 1,
    },
    {
      name: 'after the ticket metadata (organization update rejected)',
      fault: { match: { method: 'PUT', path: /update_many/ }, fault: { kind: 'status', status: 422 } },
      firstExit: 1,
    },
    {
      name: 'after the organization update (connection dropped before the comment landed)',
      fault: { match: { method: 'PUT', path: /tickets\/4821/ }, skip: 1, fault: { kind: 'drop' } },
      firstExit: 1,
    },
    {
      name: 'after the comment (it landed, the answer was lost)',
      fault: { match: { method: 'PUT', path: /tickets\/4821/ }, skip: 1, fault: { kind: 'drop', applied: true } },
      firstExit: 0,
    },
  ];

  for (const crash of crashes) {
    it(crash.name, async () => {
      sb.store.updateOrganization(ORG.hooli, { shared_tickets: true, shared_comments: false });
      hooliConfirmsReadWrite(sb);
      const dir = await configDir(WORLD3);
      sb.script(crash.fault);
      const first = await cli(sb, dir, ['apply', '--yes']);
      expect(first.code).toBe(crash.firstExit);

      sb.clearFaults();
      const second = await cli(sb, dir, ['apply', '--yes']);
      expect(second.code).toBe(0);
      assertConverged();

      sb.clearLog();
      const third = await cli(sb, dir, ['apply', '--yes']);
      expect(third.stdout).toContain('Nothing to apply.');
      expect(sb.writes()).toEqual([]);
    });
  }

  function assertConverged(): void {
    expect(countLines(detailsOf(sb, ORG.acme), READ_ONLY_LINE(4821))).toBe(1);
    expect(countLines(detailsOf(sb, ORG.initech), DISABLED_LINE(4900))).toBe(1);
    expect(countLines(detailsOf(sb, ORG.hooli), READ_WRITE_LINE(5010))).toBe(1);
    for (const t of [4821, 4900, 5010]) {
      expect(confirmationsOn(sb, t), `confirmations on ticket ${t}`).toHaveLength(1);
      expect(sb.store.ticket(t).status).toBe('solved');
    }
  }

  it('after the built binary is killed mid-apply (child process, SIGKILL)', async () => {
    const bin = resolve('dist/src/cli.js');
    expect(existsSync(bin), 'run `npm run build` first (npm test does)').toBe(true);
    sb.store.updateOrganization(ORG.hooli, { shared_tickets: true, shared_comments: false });
    hooliConfirmsReadWrite(sb);
    const dir = await configDir(WORLD3);
    // Acme's comment request never gets an answer; the process is killed while it waits.
    sb.script({ match: { method: 'PUT', path: /tickets\/4821/ }, skip: 1, fault: { kind: 'hang' } });
    const child = spawn(process.execPath, [bin, '--dir', dir, 'apply', '--yes'], { env: sandboxEnv(sb), stdio: 'ignore' });
    let gone = false;
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => ((gone = true), done(code))));
    await waitFor(() => sb.log().filter((e) => e.method === 'PUT' && e.path.endsWith('/tickets/4821.json')).length === 2, () => gone);
    child.kill('SIGKILL');
    await exited;
    expect(sb.store.org(ORG.acme).shared_tickets).toBe(true); // the organization step had run
    expect(confirmationsOn(sb, 4821)).toHaveLength(0);

    sb.clearFaults();
    const second = await cli(sb, dir, ['apply', '--yes']);
    expect(second.code).toBe(0);
    assertConverged();
  });
});

describe('the built binary', () => {
  it('plans in a child process with the contract exit code and no writes', async () => {
    const bin = resolve('dist/src/cli.js');
    expect(existsSync(bin), 'run `npm run build` first (npm test does)').toBe(true);
    const dir = await configDir(WORLD);
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, [bin, '--dir', dir, 'plan'], { env: sandboxEnv(sb) });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => done({ code, stdout, stderr }));
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('Acme Corp');
    // Not a terminal: no progress drawn on stderr, and the token never printed.
    expect(result.stderr).not.toContain('\r');
    expect(result.stdout + result.stderr).not.toContain('sandbox-token');
    expect(sb.writes()).toEqual([]);
  });
});

describe('at scale', () => {
  /** N shared organizations, each with an open ticket from one of its users asking to disable. */
  function disableWorld(n: number): { seed: SeedData; files: Record<string, string> } {
    const seed = generateAccount({ orgs: n, users: n * 2, sharedFraction: 1, readWriteFraction: 0.5, ticketsPerOrg: 1, multiOrgFraction: 0 });
    const files: Record<string, string> = {};
    for (const t of seed.tickets ?? []) t.status = 'open';
    for (const org of seed.organizations) {
      const ticket = (seed.tickets ?? []).find((t) => t.organization_id === org.id)!;
      const requester = seed.users.find((u) => u.id === ticket.requester_id)!;
      files[`org-${org.id}`] = `organization:
  id: ${org.id}
  name: ${org.name}
sharing: private
request:
  ticket: ${TICKET(ticket.id)}
  requester: ${requester.email}
`;
    }
    return { seed, files };
  }

  it('changes 50 organizations with one bulk organization write (blast radius needs --allow-large)', async () => {
    const { seed, files } = disableWorld(50);
    sb.reset(seed);
    const dir = await configDir(files, FAST_CONFIG);

    const refused = await cli(sb, dir, ['apply', '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('blast_radius');
    expect(sb.writes()).toEqual([]);

    const applied = await cli(sb, dir, ['--format', 'json', 'apply', '--yes', '--allow-large']);
    expect(applied.code).toBe(0);
    expect(orgWrites().length).toBeLessThanOrEqual(2);
    expect(orgWrites()).toHaveLength(1);
    const ticketWrites = sb.writes().filter((w) => w.path.includes('/tickets/'));
    expect(ticketWrites).toHaveLength(50); // comment + solve, one request per ticket
    for (const org of seed.organizations) expect(sb.store.org(org.id).shared_tickets).toBe(false);
    const polls = sb.log().filter((e) => e.path.includes('/job_statuses/'));
    expect(polls.length).toBeGreaterThanOrEqual(1);
    console.info(
      `[measured] 50 disables: ${sb.writes().length} writes (${orgWrites().length} organization), ${polls.length} job polls, ${sb.log().length} requests in all`,
    );

    sb.clearLog();
    const again = await cli(sb, dir, ['apply', '--yes', '--allow-large']);
    expect(again.code).toBe(0);
    expect(sb.writes()).toEqual([]);
  });
});

/** Polls until `cond` holds; fails as soon as the child it watches has exited without it. */
async function waitFor(cond: () => boolean, exited: () => boolean): Promise<void> {
  while (!cond()) {
    if (exited()) throw new Error('the child process exited before the condition held');
    await new Promise((r) => setTimeout(r, 20));
  }
}
