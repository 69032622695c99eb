/**
 * Benchmark: the effective-access report over a generated account (default 1,000
 * organizations, 20,000 end-users) in the local sandbox. Prints requests by endpoint and
 * wall time, and what the same request count costs at Zendesk's rate limits.
 *
 *   npm run build && node dist/bench/access.js [--orgs 1000] [--users 20000] [--concurrency 8]
 *
 * The sandbox runs without a rate limit and the client budget is lifted, so wall time here
 * measures orgshare and the sandbox, not Zendesk; the estimate line gives the real floor.
 */
import { computeAccess } from '../src/access/compute.js';
import { readAccess } from '../src/access/observe.js';
import { renderAccess } from '../src/access/render.js';
import { generateAccount, startSandbox } from '../src/sandbox/index.js';
import { isEntryPoint } from '../src/entry-point.js';
import { sandboxReader } from './lib/reader.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** "/api/v2/organizations/361000000001/users.json" → "GET /organizations/{id}/users". */
function endpoint(method: string, path: string): string {
  return `${method} ${path.replace(/^\/api\/v2/, '').replace(/\.json$/, '').replace(/\/\d+(?=\/|$)/g, '/{id}')}`;
}

export async function benchAccess(opts: { orgs: number; users: number; concurrency: number }) {
  const seed = generateAccount({ orgs: opts.orgs, users: opts.users, ticketsPerOrg: 1 });
  const sb = await startSandbox({ port: 0, seed });
  try {
    const adapter = sandboxReader(sb);
    const started = performance.now();
    const input = await readAccess(adapter, { concurrency: opts.concurrency });
    const readMs = performance.now() - started;
    const report = computeAccess(input.orgs, input.users, input.memberships, input.counts, {
      generatedAt: new Date().toISOString(),
      account: { subdomain: 'acme', baseUrl: sb.baseUrl },
      unlistedMembers: input.unlistedMembers,
    });
    const computeMs = performance.now() - started - readMs;
    const rendered = renderAccess(report, 'json').length;
    const byEndpoint = new Map<string, number>();
    for (const e of sb.log()) byEndpoint.set(endpoint(e.method, e.path), (byEndpoint.get(endpoint(e.method, e.path)) ?? 0) + 1);
    const total = sb.log().length;
    return { report, readMs, computeMs, rendered, byEndpoint, total, writes: sb.writes().length };
  } finally {
    await sb.close();
  }
}

async function mainBench(): Promise<void> {
  const orgs = arg('orgs', 1000);
  const users = arg('users', 20000);
  const concurrency = arg('concurrency', 8);
  const r = await benchAccess({ orgs, users, concurrency });
  const out: string[] = [];
  out.push(`access report: ${orgs.toLocaleString('en-US')} organizations, ${users.toLocaleString('en-US')} end-users (concurrency ${concurrency})`);
  out.push(`requests: ${r.total.toLocaleString('en-US')} (writes: ${r.writes})`);
  for (const [name, n] of [...r.byEndpoint.entries()].sort((a, b) => b[1] - a[1])) out.push(`  ${String(n).padStart(6)}  ${name}`);
  out.push(`wall time: read ${(r.readMs / 1000).toFixed(2)} s, compute ${r.computeMs.toFixed(0)} ms; JSON report ${(r.rendered / 1024).toFixed(0)} KiB`);
  out.push(
    `report: ${r.report.totals.usersSeeingAll.toLocaleString('en-US')} users see all tickets of some organization (${r.report.totals.userGrants} via user grants only)`,
  );
  for (const rpm of [400, 700, 2500]) out.push(`at ${rpm} requests/minute the same reads take at least ${(r.total / rpm).toFixed(1)} min`);
  process.stdout.write(out.join('\n') + '\n');
}

if (isEntryPoint(import.meta.url)) {
  mainBench().catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  });
}
