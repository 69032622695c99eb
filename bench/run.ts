/**
 * `npm run bench`: orgshare at account scale, against the in-process sandbox with no rate
 * limit, next to a naive per-organization baseline (bench/naive.ts).
 *
 *   npm run bench                                # sizes 100, 1,000, 10,000
 *   npm run build && node dist/bench/run.js --sizes 100,1000
 *   node dist/bench/run.js --sizes 10000 --cpu-prof /tmp/prof   # V8 CPU profiles of each orgshare run
 *
 * Options: --sizes a,b,c (managed organizations; default 100,1000,10000),
 * --users-per-org N (end-users per organization, default 5: 50,000 at 10,000),
 * --repeat N (runs of each orgshare command; the table shows the median wall/CPU and the
 * highest RSS; default 3), --naive-repeat N (runs of the baseline, default 1: its request
 * counts are exact and its wall time is not a target), --cpu-prof DIR, --keep (keep the
 * generated repos), --endpoints (requests by endpoint for every size, not only the largest),
 * --budget RPM (also run plan and apply (1 % changed) at the largest size with the sandbox
 * limited to RPM requests/minute and `rpm: RPM` in orgshare.config.yaml: the real
 * client-side budget at work; adds about a minute at 700), --drift-rpm RPM (also run drift
 * at the largest size the same way, for real: 601 requests at 200 rpm take 3 minutes;
 * the row shows the busiest 60-second window the sandbox saw), --no-naive (skip the
 * baseline, e.g. for --sizes 100000), --only a,b (run only these commands, by their name
 * before any parenthesis: validate, plan, apply, drift, access).
 *
 * Per size: build the world (bench/lib/world.ts), start the sandbox in this process
 * (rpm 0), then for each command reset the sandbox to the seed, run the command as a
 * child process (bench/lib/measure.ts: wall, CPU, peak RSS of that process alone) and
 * count what reached the sandbox by kind (bench/lib/classify.ts). Output: Markdown on
 * stdout (docs/performance.md), progress on stderr. Exit 1 when a command exits with an
 * unexpected code or an acceptance target misses.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { classify, type RequestCounts } from './lib/classify.js';
import { measureChild, type Measured } from './lib/measure.js';
import { busiestWindow, endpointTable, mainTable, naiveTable, verdicts, verdictTable, type CommandName, type Row, type Timing } from './lib/report.js';
import { BENCH_CONFIG, buildWorld, writeRepo, type World } from './lib/world.js';
import { isEntryPoint } from '../src/entry-point.js';

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const NAIVE = fileURLToPath(new URL('./naive.js', import.meta.url));

interface Options {
  sizes: number[];
  usersPerOrg: number;
  repeat: number;
  naiveRepeat: number;
  cpuProf: string | null;
  keep: boolean;
  endpoints: boolean;
  budget: number | null;
  driftRpm: number | null;
  naive: boolean;
  only: string[] | null;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { sizes: [100, 1000, 10_000], usersPerOrg: 5, repeat: 3, naiveRepeat: 1, cpuProf: null, keep: false, endpoints: false, budget: null, driftRpm: null, naive: true, only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const positive = (v: string) => {
      const n = Number(v.replace(/_/g, ''));
      if (!Number.isInteger(n) || n < 1) throw new Error(`${a}: not a positive integer: ${v}`);
      return n;
    };
    if (a === '--sizes') opts.sizes = value().split(',').map(positive);
    else if (a === '--users-per-org') opts.usersPerOrg = positive(value());
    else if (a === '--repeat') opts.repeat = positive(value());
    else if (a === '--naive-repeat') opts.naiveRepeat = positive(value());
    else if (a === '--cpu-prof') opts.cpuProf = value();
    else if (a === '--keep') opts.keep = true;
    else if (a === '--endpoints') opts.endpoints = true;
    else if (a === '--budget') opts.budget = positive(value());
    else if (a === '--drift-rpm') opts.driftRpm = positive(value());
    else if (a === '--no-naive') opts.naive = false;
    else if (a === '--only') opts.only = value().split(',').map((s) => s.trim());
    else throw new Error(`unknown option ${a} (see the header of bench/run.ts)`);
  }
  return opts;
}

const log = (msg: string) => process.stderr.write(`${msg}\n`);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface Job {
  command: CommandName;
  /** Budget row: sandbox rate limit and client `rpm` both at this value. */
  rpm?: number;
  expectedExit: number;
  args: string[];
  naive?: { mode: 'refresh' | 'apply'; desired: string };
  /** Checks the sandbox (and the command's stdout) after the run; returns a problem or null. */
  check?: (sb: Sandbox, stdout: string) => string | null;
}

/** Runs one measured child `repeat` times, each against a freshly reset sandbox. */
async function measure(
  sb: Sandbox,
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  repeat: number,
  nodeArgs: string[] = [],
): Promise<{ last: Measured; counts: RequestCounts; timing: Timing; busiestMinute: number }> {
  const runs: Measured[] = [];
  let counts: RequestCounts | null = null;
  let busiestMinute = 0;
  for (let i = 0; i < repeat; i++) {
    sb.reset();
    const m = await measureChild(script, args, { env, nodeArgs });
    counts = classify(sb.log());
    busiestMinute = Math.max(busiestMinute, busiestWindow(sb.log().map((e) => e.at)));
    runs.push(m);
  }
  const last = runs.at(-1)!;
  return {
    last,
    busiestMinute,
    counts: counts!,
    timing: {
      wallMs: median(runs.map((r) => r.wallMs)),
      cpuMs: median(runs.map((r) => r.cpuMs)),
      maxRssMiB: Math.max(...runs.map((r) => r.maxRssMiB)),
      sandboxCpuMs: median(runs.map((r) => r.parentCpuMs)),
    },
  };
}

async function benchSize(n: number, opts: Options): Promise<Row[]> {
  const t = performance.now();
  const world: World = buildWorld({ orgs: n, usersPerOrg: opts.usersPerOrg });
  const root = mkdtempSync(join(tmpdir(), `orgshare-bench-${n}-`));
  const converged = join(root, 'converged');
  const changed = join(root, 'changed');
  writeRepo(converged, world, 'converged');
  writeRepo(changed, world, 'changed');
  const desiredConverged = join(root, 'desired-converged.json');
  const desiredChanged = join(root, 'desired-changed.json');
  writeFileSync(desiredConverged, JSON.stringify(world.desiredConverged));
  const budgeted = join(root, 'changed-budget');
  const budget = opts.budget !== null && n === Math.max(...opts.sizes) ? opts.budget : null;
  if (budget !== null) {
    writeRepo(budgeted, world, 'changed');
    writeFileSync(join(budgeted, 'orgshare.config.yaml'), BENCH_CONFIG.replace('rpm: 10000', `rpm: ${budget}`));
  }
  const driftRpm = opts.driftRpm !== null && n === Math.max(...opts.sizes) ? opts.driftRpm : null;
  const driftBudgeted = join(root, 'converged-drift-budget');
  if (driftRpm !== null) {
    writeRepo(driftBudgeted, world, 'converged');
    writeFileSync(join(driftBudgeted, 'orgshare.config.yaml'), BENCH_CONFIG.replace('rpm: 10000', `rpm: ${driftRpm}`));
  }
  writeFileSync(desiredChanged, JSON.stringify(world.desiredChanged));
  const sb = await startSandbox({ port: 0, seed: world.seed, rpm: 0 });
  log(
    `\n== ${n.toLocaleString('en-US')} organizations, ${world.users.toLocaleString('en-US')} end-users, ` +
      `${world.seed.tickets?.length ?? 0} tickets, ${world.changedIds.length} changed ` +
      `(world + sandbox ready in ${((performance.now() - t) / 1000).toFixed(1)} s; ${root})`,
  );

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ZENDESK_API_URL: sb.baseUrl,
    ZENDESK_SUBDOMAIN: 'acme',
    ZENDESK_EMAIL: 'admin@acme.example',
    ZENDESK_API_TOKEN: 'sandbox-token',
    NO_COLOR: '1',
    GITHUB_ACTIONS: '',
  };
  const changedApplied = (sb: Sandbox): string | null => {
    const wrong = world.changedIds.filter((id) => !sb.store.orgs.get(id)?.shared_tickets);
    return wrong.length ? `${wrong.length} changed organizations are not shared after the run (e.g. ${wrong[0]})` : null;
  };
  const noWrites = (sb: Sandbox): string | null => (sb.writes().length ? `${sb.writes().length} write requests in a read-only command` : null);
  /** The plan JSON must list exactly the changed organizations, none blocked. */
  const plannedChanges = (sb: Sandbox, stdout: string): string | null => {
    const writes = noWrites(sb);
    if (writes) return writes;
    try {
      const doc = JSON.parse(stdout) as { blocked?: boolean; changes?: { org_id?: number; orgId?: number }[] };
      const ids = (doc.changes ?? []).map((c) => c.org_id ?? c.orgId).sort();
      const want = [...world.changedIds].sort();
      if (doc.blocked) return 'the plan is blocked';
      if (JSON.stringify(ids) !== JSON.stringify(want)) return `the plan has ${ids.length} changes, expected ${want.length}`;
      return null;
    } catch {
      return 'plan output is not JSON';
    }
  };
  const jobs: Job[] = [
    { command: 'validate', expectedExit: 0, args: ['validate', '--dir', converged, '--format', 'json'], check: noWrites },
    {
      command: 'plan (no change)',
      expectedExit: 0,
      args: ['plan', '--dir', converged, '--format', 'json'],
      naive: { mode: 'refresh', desired: desiredConverged },
      check: noWrites,
    },
    {
      command: 'plan (1 % changed)',
      expectedExit: 2,
      args: ['plan', '--dir', changed, '--format', 'json', '--allow-large'],
      naive: { mode: 'refresh', desired: desiredChanged },
      check: plannedChanges,
    },
    {
      command: 'apply (1 % changed)',
      expectedExit: 0,
      args: ['apply', '--dir', changed, '--format', 'json', '--yes', '--allow-large'],
      naive: { mode: 'apply', desired: desiredChanged },
      check: changedApplied,
    },
    {
      command: 'drift',
      expectedExit: 0,
      args: ['drift', '--dir', converged, '--format', 'json'],
      naive: { mode: 'refresh', desired: desiredConverged },
      check: noWrites,
    },
    { command: 'access', expectedExit: 0, args: ['access', '--dir', converged, '--format', 'json'], check: noWrites },
  ];
  if (!opts.naive) for (const job of jobs) delete job.naive;
  if (opts.only) {
    const only = opts.only;
    jobs.splice(0, jobs.length, ...jobs.filter((j) => only.includes(j.command.split(' ')[0]!)));
  }
  if (driftRpm !== null) {
    jobs.push({ command: 'drift', rpm: driftRpm, expectedExit: 0, args: ['drift', '--dir', driftBudgeted, '--format', 'json'], check: noWrites });
  }
  if (budget !== null) {
    jobs.push(
      { command: 'plan (1 % changed)', rpm: budget, expectedExit: 2, args: ['plan', '--dir', budgeted, '--format', 'json', '--allow-large'], check: plannedChanges },
      {
        command: 'apply (1 % changed)',
        rpm: budget,
        expectedExit: 0,
        args: ['apply', '--dir', budgeted, '--format', 'json', '--yes', '--allow-large'],
        check: changedApplied,
      },
    );
  }

  const rows: Row[] = [];
  try {
    for (const job of jobs) {
      const nodeArgs = opts.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', join(opts.cpuProf, `${n}-${job.command.replace(/[^a-z0-9]+/g, '-')}`)] : [];
      // Budget rows are slow by design and their figures are set by the budget: run once.
      sb.setRateLimit(job.rpm ?? 0);
      const ours = await measure(sb, CLI, job.args, env, job.rpm ? 1 : opts.repeat, nodeArgs);
      sb.setRateLimit(0);
      const problem = job.check?.(sb, ours.last.stdout) ?? null;
      const row: Row = {
        orgs: n,
        users: world.users,
        changes: world.changedIds.length,
        command: job.command,
        ...(job.rpm ? { rpm: job.rpm, busiestMinute: ours.busiestMinute } : {}),
        exitCode: ours.last.exitCode,
        expectedExit: job.expectedExit,
        counts: ours.counts,
        timing: ours.timing,
      };
      log(
        `${(job.command + (job.rpm ? ` @${job.rpm}` : '')).padEnd(20)} exit ${ours.last.exitCode}  ${ours.counts.total} requests  ` +
          `${(ours.timing.wallMs / 1000).toFixed(2)} s wall  ${(ours.timing.cpuMs / 1000).toFixed(2)} s CPU  ` +
          `${Math.round(ours.timing.maxRssMiB)} MiB  (sandbox CPU ${(ours.timing.sandboxCpuMs / 1000).toFixed(2)} s)`,
      );
      if (ours.last.exitCode !== job.expectedExit) {
        log(`  ⚠ expected exit ${job.expectedExit}; stderr: ${ours.last.stderr.slice(0, 1500)}`);
        log(`  stdout: ${ours.last.stdout.slice(0, 1500)}`);
      }
      if (problem) log(`  ⚠ ${problem}`);
      if (ours.counts.errors) log(`  ⚠ ${ours.counts.errors} non-2xx responses (${ours.counts.rateLimited} × 429)`);

      if (job.naive) {
        const naive = await measure(sb, NAIVE, [job.naive.mode, '--desired', job.naive.desired], env, opts.naiveRepeat);
        row.naive = { counts: naive.counts, timing: naive.timing, exitCode: naive.last.exitCode };
        log(
          `${'  naive'.padEnd(20)} exit ${naive.last.exitCode}  ${naive.counts.total} requests  ` +
            `${(naive.timing.wallMs / 1000).toFixed(2)} s wall  ${Math.round(naive.timing.maxRssMiB)} MiB  ${naive.last.stdout.trim()}`,
        );
        if (naive.last.exitCode !== 0) log(`  ⚠ naive failed: ${naive.last.stderr.slice(0, 800)}`);
        if (job.naive.mode === 'apply') {
          const p = changedApplied(sb);
          if (p) log(`  ⚠ naive: ${p}`);
        }
      }
      rows.push(row);
    }
  } finally {
    await sb.close();
    if (!opts.keep) rmSync(root, { recursive: true, force: true });
  }
  return rows;
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const rows: Row[] = [];
  for (const n of opts.sizes) rows.push(...(await benchSize(n, opts)));

  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const out: string[] = [];
  out.push(`### orgshare against the local sandbox (no rate limit)`, '');
  out.push(`Machine: ${machine}. Runs per orgshare figure: ${opts.repeat}${opts.repeat > 1 ? ' (median wall/CPU, highest RSS)' : ''}; baseline runs: ${opts.naiveRepeat}.`, '');
  out.push(mainTable(rows), '');
  out.push(`### Naive baseline (bench/naive.ts: GET per organization, PUT per change, 10 in flight)`, '');
  out.push(naiveTable(rows), '');
  const largest = Math.max(...opts.sizes);
  for (const n of opts.endpoints ? opts.sizes : [largest]) {
    out.push(`### Requests by endpoint, ${n.toLocaleString('en-US')} organizations`, '');
    out.push(endpointTable(rows.filter((r) => r.orgs === n)), '');
  }
  const v = verdicts(rows);
  if (v.length) out.push('### Acceptance', '', verdictTable(v), '');
  process.stdout.write(`${out.join('\n')}\n`);
  log(`bench finished in ${((performance.now() - started) / 1000).toFixed(0)} s`);

  const unexpected = rows.some((r) => r.exitCode !== r.expectedExit || (r.naive && r.naive.exitCode !== 0));
  return unexpected || v.some((x) => !x.pass) ? 1 : 0;
}

if (isEntryPoint(import.meta.url)) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
