/**
 * Validate benchmark: `node dist/bench/validate.js [N]` (default 10,000).
 *
 * Generates N valid organization files (a realistic mix: read_only, read_write, private
 * disables, user grants, comments, flow lists) in a temp dir, then times
 *   1. `orgshare validate` as a child process (what CI runs: start-up included), best of 5;
 *   2. `loadConfig` in-process (warm), wall and CPU time.
 * Other processes skew wall times: the machine's load average is printed alongside.
 * Budget: 10,000 files in ≤ 1.5 s wall time for the child process on 2 cores.
 * Exit 1 when the child run reports problems (the generated files must be valid).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/load.js';

const BUDGET_MS = 1500;
const BUDGET_FILES = 10_000;

/** The text of the i-th generated organization file. */
export function orgFile(i: number): string {
  const id = 360100000000 + i;
  const ticket = 10000 + i;
  const who = `user${i}@org${i}.example`;
  const header = `# yaml-language-server: $schema=../schema/organization.schema.json\n# Generated organization ${i}.\n`;
  switch (i % 4) {
    case 0:
      return `${header}organization:
  id: ${id}
  name: Org ${i} Ltd
sharing: read_only
request:
  ticket: https://acme.zendesk.com/agent/tickets/${ticket}
  requester: ${who}
  confirmed_type: read_only
  risk_approval:
    approved_by: ${who}
    comment_id: ${ticket * 10}
    quote: "we accept the security risk"
authorized_requesters: [${who}, boss${i}@org${i}.example]
`;
    case 1:
      return `${header}organization:
  id: ${id}
  name: "Org ${i}, Inc."
sharing: read_write   # both flags
request:
  ticket: https://acme.zendesk.com/hc/en-us/requests/${ticket}
  requester: ${who}
  confirmed_type: read_write
  risk_approval:
    approved_by: ${who}
    comment_id: ${ticket * 10 + 1}
    quote: 'We accept the security risk'
`;
    case 2:
      return `${header}organization:
  id: ${id}
  name: Org ${i}
sharing: private
request:
  ticket: https://acme.zendesk.com/agent/tickets/${ticket}
  requester: ${who}
restrictions:
  hipaa: ${i % 8 === 2 ? 'true' : 'false'}
`;
    default:
      return `${header}organization:
  id: ${id}
  name: Org ${i} GmbH
sharing: private
request:
  ticket: https://acme.zendesk.com/agent/tickets/${ticket}
  requester: ${who}
user_access:
  - email: lead${i}@org${i}.example
    access: organization
    ticket: https://acme.zendesk.com/agent/tickets/${ticket}
    risk_approval:
      approved_by: ${who}
      comment_id: ${ticket * 10 + 2}
      quote: "We accept the security risk for lead${i}"
`;
  }
}

export function generate(dir: string, n: number): void {
  mkdirSync(join(dir, 'orgs'), { recursive: true });
  writeFileSync(join(dir, 'orgshare.config.yaml'), 'subdomain: acme\nmax_changes: 50\n');
  for (let i = 0; i < n; i++) writeFileSync(join(dir, 'orgs', `org-${String(i).padStart(6, '0')}.yaml`), orgFile(i));
}

async function main(): Promise<number> {
  const n = Number(process.argv[2] ?? BUDGET_FILES);
  if (!Number.isInteger(n) || n < 1) {
    console.error('usage: node dist/bench/validate.js [N]');
    return 1;
  }
  const dir = mkdtempSync(join(tmpdir(), 'orgshare-bench-'));
  try {
    let t = performance.now();
    generate(dir, n);
    console.log(`generated ${n} files in ${(performance.now() - t).toFixed(0)} ms (${dir})`);

    const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));
    const runs: number[] = [];
    for (let r = 0; r < 5; r++) {
      t = performance.now();
      const child = spawnSync(process.execPath, [cli, 'validate', '--dir', dir, '--format', 'json'], {
        encoding: 'utf8',
        env: { ...process.env, GITHUB_ACTIONS: '', ZENDESK_SUBDOMAIN: '' },
        maxBuffer: 64 * 1024 * 1024,
      });
      runs.push(performance.now() - t);
      if (child.status !== 0) {
        console.error(`validate exited ${child.status}:\n${(child.stdout + child.stderr).slice(0, 2000)}`);
        return 1;
      }
    }
    const best = Math.min(...runs);
    console.log(
      `child process  orgshare validate: best ${best.toFixed(0)} ms of [${runs.map((x) => x.toFixed(0)).join(', ')}] ` +
        `→ ${Math.round((n / best) * 1000)} files/s`,
    );

    await loadConfig(dir, { env: {} }); // warm-up
    t = performance.now();
    const cpu = process.cpuUsage();
    const loaded = await loadConfig(dir, { env: {} });
    const inProcess = performance.now() - t;
    const used = process.cpuUsage(cpu);
    console.log(
      `in-process     loadConfig:        ${inProcess.toFixed(0)} ms (CPU ${((used.user + used.system) / 1000).toFixed(0)} ms) ` +
        `→ ${Math.round((n / inProcess) * 1000)} files/s (${loaded.desired.orgs.length} orgs, ${loaded.problems.length} problems)`,
    );
    console.log(`machine: ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const budget = (BUDGET_MS * n) / BUDGET_FILES;
    console.log(`budget ${budget.toFixed(0)} ms for ${n} files: ${best <= budget ? 'within' : 'OVER'}`);
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
