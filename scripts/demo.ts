/**
 * `npm run demo`: the whole GitOps loop against the embedded sandbox, no credentials needed.
 * validate → plan → apply → drift (clean) → a change made behind orgshare's back → drift found.
 * Runs the real CLI (`main`) in-process against a real HTTP sandbox seeded to match orgs/.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { main } from '../src/cli.js';
import type { Io } from '../src/commands/context.js';
import { startSandbox } from '../src/sandbox/index.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const color = !process.env.NO_COLOR && Boolean(process.stdout.isTTY);
const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[0m` : s);

interface Step {
  title: string;
  argv: string[];
  expect: number;
  explain: string;
}

async function runDemo(): Promise<number> {
  const sandbox = await startSandbox({ port: 0 });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ZENDESK_API_URL: sandbox.baseUrl,
    ZENDESK_SUBDOMAIN: 'acme',
    ZENDESK_EMAIL: 'admin@acme.example',
    ZENDESK_API_TOKEN: 'sandbox-token',
    GITHUB_ACTIONS: 'false',
  };
  const io: Io = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: false,
    stdinIsTTY: false,
    env,
    now: () => new Date(),
  };
  const dir = join(repo);
  const colorFlag = color ? [] : ['--no-color'];
  const cli = (argv: string[]) => main(['--dir', dir, ...colorFlag, ...argv], io);

  console.log(bold('orgshare demo') + dim(` — sandbox Zendesk at ${sandbox.baseUrl}, config in ${join(dir, 'orgs')}`));
  const steps: Step[] = [
    { title: 'validate', argv: ['validate'], expect: 0, explain: 'schema and offline pre-checks, no network' },
    { title: 'plan', argv: ['plan'], expect: 2, explain: 'read-only diff against live Zendesk with every pre-check verified' },
    { title: 'apply --yes', argv: ['apply', '--yes'], expect: 0, explain: 'ticket metadata → organization + Details line → comment and solve' },
    { title: 'plan again', argv: ['plan'], expect: 0, explain: 'converged: no changes, zero writes' },
    { title: 'drift', argv: ['drift'], expect: 0, explain: 'scheduled check: live Zendesk matches orgs/' },
  ];
  let failed = false;
  const runStep = async (n: number, step: Step) => {
    console.log(`\n${bold(`── ${n}. orgshare ${step.title}`)} ${dim(`(${step.explain})`)}\n`);
    const code = await cli(step.argv);
    const ok = code === step.expect;
    console.log(dim(`→ exit ${code}${ok ? '' : ` (expected ${step.expect})`}`));
    if (!ok) failed = true;
  };
  let n = 1;
  let writesAfterApply = 0;
  for (const step of steps) {
    await runStep(n++, step);
    if (step.argv[0] === 'apply') writesAfterApply = sandbox.writes().length;
  }

  console.log(`\n${bold(`── ${n++}. someone turns on sharing for Soylent in the Zendesk UI`)} ${dim('(behind orgshare’s back)')}`);
  sandbox.store.updateOrganization(360000000106, { shared_tickets: true, shared_comments: true });
  await runStep(n++, { title: 'drift', argv: ['drift'], expect: 2, explain: 'finds the unmanaged shared organization' });

  const readOnlyWrites = sandbox.writes().length - writesAfterApply;
  console.log(
    `\n${bold('Summary')}: ${sandbox.log().length} API requests in all; apply wrote ${writesAfterApply} times, ` +
      `the read-only commands after it ${readOnlyWrites} times.`,
  );
  if (readOnlyWrites !== 0) failed = true;
  await sandbox.close();
  if (failed) {
    console.log('\nDemo FAILED: a step did not exit as expected.');
    return 1;
  }
  console.log('\nDemo complete.');
  return 0;
}

runDemo().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
