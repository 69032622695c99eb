/**
 * Benchmark: `orgshare history` of every managed organization at account scale (default
 * 1,000 and 10,000 organizations: the benchmark world of bench/lib/world.ts, every
 * organization managed). Prints the requests by endpoint: the audit log is read in cursor
 * pages of the whole account, filtered by source type and time, never once per
 * organization; next to it, what a per-organization audit look-up would cost.
 *
 *   npm run build && node dist/bench/history.js [--sizes 1000,10000] [--changes 0.2]
 *
 * The audit log is filled before the run: every shared organization gets the entry of
 * the change that shared it, and a `--changes` fraction of all organizations gets one
 * more sharing change made "in the UI" plus one unrelated change (notes). The config
 * directory is not a git repository here: git is a child process per file, not a request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { collectHistory } from '../src/history/collect.js';
import { computeHistory, historyFindings } from '../src/history/compute.js';
import { startSandbox } from '../src/sandbox/index.js';
import { isEntryPoint } from '../src/entry-point.js';
import { endpointOf } from './lib/classify.js';
import { sandboxReader } from './lib/reader.js';
import { buildWorld, writeRepo } from './lib/world.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

export interface HistoryBench {
  orgs: number;
  auditEntries: number;
  total: number;
  writes: number;
  byEndpoint: Map<string, number>;
  findings: number;
  ms: number;
}

export async function benchHistory(orgs: number, changes: number): Promise<HistoryBench> {
  const world = buildWorld({ orgs });
  const sb = await startSandbox({ port: 0, seed: world.seed });
  const dir = mkdtempSync(join(tmpdir(), 'orgshare-bench-history-'));
  try {
    writeRepo(dir, world, 'converged');
    const loaded = await loadConfig(dir, { env: { ZENDESK_SUBDOMAIN: 'acme' } });
    if (loaded.problems.length > 0) throw new Error(`bench repo invalid: ${loaded.problems[0]!.message}`);
    // Fill the audit log: the sharing of every shared organization, then UI changes.
    const ids = [...sb.store.orgs.keys()].sort((a, b) => a - b);
    for (const id of ids) {
      const org = sb.store.orgs.get(id)!;
      if (org.shared_tickets) {
        sb.store.updateOrganization(id, { shared_tickets: false }, { actorId: 1001 });
        sb.store.updateOrganization(id, { shared_tickets: true, shared_comments: org.shared_comments }, { actorId: 1001 });
      }
    }
    const step = Math.max(1, Math.round(1 / changes));
    for (let i = 0; i < ids.length; i += step) {
      const org = sb.store.orgs.get(ids[i]!)!;
      sb.ui({ organization: { id: org.id, notes: `${org.notes ?? ''} reviewed`.trim() } });
      sb.ui({ organization: { id: org.id, shared_tickets: !org.shared_tickets } });
    }
    const auditEntries = sb.store.auditLogs.size;
    sb.clearLog();
    const adapter = sandboxReader(sb);
    const started = performance.now();
    const now = new Date(Date.parse(sb.store.clock.now()) + 60_000);
    const input = await collectHistory(adapter, {
      dir,
      env: { PATH: process.env.PATH },
      orgIds: loaded.desired.orgs.map((o) => o.id),
      desired: loaded.desired.orgs,
      since: null,
      now,
      generatedAt: now.toISOString(),
      account: { subdomain: 'acme', baseUrl: sb.baseUrl },
    });
    const report = computeHistory(input);
    const ms = performance.now() - started;
    const byEndpoint = new Map<string, number>();
    for (const e of sb.log()) {
      const key = `${e.method} ${endpointOf(e.path)}`;
      byEndpoint.set(key, (byEndpoint.get(key) ?? 0) + 1);
    }
    return { orgs, auditEntries, total: sb.log().length, writes: sb.writes().length, byEndpoint, findings: historyFindings(report).length, ms };
  } finally {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function mainBench(): Promise<void> {
  const sizes = arg('sizes', '1000,10000').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
  const changes = Number(arg('changes', '0.2'));
  const out: string[] = ['| organizations | audit entries | requests | audit-log pages | per-organization look-ups instead | comments reads | writes | findings | wall |', '|--:|--:|--:|--:|--:|--:|--:|--:|--:|'];
  const details: string[] = [];
  for (const n of sizes) {
    process.stderr.write(`history bench: ${n} organizations…\n`);
    const r = await benchHistory(n, changes);
    const audit = [...r.byEndpoint].filter(([k]) => k.includes('audit_logs')).reduce((a, [, v]) => a + v, 0);
    const comments = [...r.byEndpoint].filter(([k]) => k.includes('/comments')).reduce((a, [, v]) => a + v, 0);
    out.push(
      `| ${n.toLocaleString('en-US')} | ${r.auditEntries.toLocaleString('en-US')} | ${r.total.toLocaleString('en-US')} | ${audit} | ${n.toLocaleString('en-US')} | ${comments.toLocaleString('en-US')} | ${r.writes} | ${r.findings.toLocaleString('en-US')} | ${(r.ms / 1000).toFixed(1)} s |`,
    );
    details.push(`\n${n.toLocaleString('en-US')} organizations, requests by endpoint:`);
    for (const [name, count] of [...r.byEndpoint.entries()].sort((a, b) => b[1] - a[1])) details.push(`  ${String(count).padStart(6)}  ${name}`);
  }
  process.stdout.write(`${out.join('\n')}\n${details.join('\n')}\n`);
}

if (isEntryPoint(import.meta.url)) {
  mainBench().catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  });
}
