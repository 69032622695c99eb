#!/usr/bin/env node
/**
 * orgshare command line. Parses arguments (commander), runs one command, and maps every
 * error to the contract's exit codes in one place: 0 ok, 2 changes/drift, 1 anything else.
 */
import { Command, CommanderError, Option } from 'commander';
import { pinnedNow } from './clock.js';
import { ConfigError, OrgshareError, UsageError, errorText, redact, registerSecretsFrom } from './errors.js';
import { processIo, type Format, type GlobalOptions, type Io } from './commands/context.js';
import { sandboxHelpExamples } from './commands/sandbox-help.js';
import { renderProblems } from './render/problems.js';
import { isEntryPoint } from './entry-point.js';
import { packageVersion } from './package-info.js';
import type { SandboxCommandOptions } from './commands/sandbox.js';

const ENV_HELP = `
Environment:
  ZENDESK_SUBDOMAIN     account subdomain (acme for acme.zendesk.com)
  ZENDESK_EMAIL         agent email for API-token auth
  ZENDESK_API_TOKEN     API token (Basic auth {email}/token:{token})
  ZENDESK_OAUTH_TOKEN   OAuth bearer token (instead of email + API token)
  ZENDESK_API_URL       base URL override, e.g. http://127.0.0.1:4010/api/v2
  ORGSHARE_RPM          request budget per minute (same as --rpm)
  ORGSHARE_NOW          pin the clock to an instant, e.g. 2026-11-23T10:00:00Z, for
                        reproducible sandbox runs (apply refuses it against real Zendesk)
  NO_COLOR              disable colour (FORCE_COLOR=1 forces it when not a terminal)

Exit codes: 0 success / no changes, 2 changes or drift found, 1 error, invalid or blocked.
Secrets are never printed.`;

/** Colour only on a terminal (or with FORCE_COLOR), never with --no-color or NO_COLOR. */
function globals(program: Command, io: Io): GlobalOptions {
  const o = program.opts<{ dir?: string; format: Format | 'csv'; color: boolean }>();
  // CSV is a table of grants: only `review` has one.
  if (o.format === 'csv') throw new UsageError('--format csv is only available for `orgshare review`', 'use --format text, json or markdown');
  const wanted = io.env.FORCE_COLOR ? io.env.FORCE_COLOR !== '0' : Boolean(io.stdoutIsTTY);
  return { dir: o.dir ?? process.cwd(), format: o.format, color: o.color && !io.env.NO_COLOR && wanted };
}

/** `review` also renders CSV; every other command refuses it in `globals`. */
function reviewGlobals(program: Command, io: Io): { global: GlobalOptions; format: Format | 'csv' } {
  const format = program.opts<{ format: Format | 'csv' }>().format;
  if (format !== 'csv') return { global: globals(program, io), format };
  program.setOptionValue('format', 'text');
  try {
    return { global: globals(program, io), format };
  } finally {
    program.setOptionValue('format', 'csv');
  }
}

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('orgshare');
  // --rpm travels as ORGSHARE_RPM so every command's adapter honours it the same way.
  program.hook('preAction', () => {
    const rpm = program.opts<{ rpm?: string }>().rpm;
    if (rpm !== undefined) io.env = { ...io.env, ORGSHARE_RPM: rpm };
  });
  const run = (fn: () => Promise<number>) => async () => setExit(await fn());
  program
    .description('GitOps reconciler for Zendesk organization ticket sharing.\nEach managed organization is one reviewed YAML file in orgs/.')
    .version(packageVersion())
    .option('--dir <path>', 'config repository (holds orgs/ and orgshare.config.yaml) (default: current directory)')
    .addOption(new Option('--format <format>', 'output format (csv: `review` only)').choices(['text', 'json', 'markdown', 'csv']).default('text'))
    .option('--no-color', 'disable colour in text output')
    .option('--rpm <n>', 'request budget per minute for Zendesk (overrides rpm in orgshare.config.yaml; env ORGSHARE_RPM)')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', ENV_HELP)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();

  program
    .command('validate')
    .description('check every file in orgs/ against the schema and the offline pre-check rules (no network)')
    .addHelpText('after', `
Reports all problems at once, each with file:line:col. In GitHub Actions it also emits
::error annotations on the pull request.

Examples:
  $ orgshare validate
  $ orgshare validate --dir ../support-config --format json`)
    .action(run(async () => (await import('./commands/validate.js')).run(globals(program, io), io)));

  program
    .command('init')
    .description('scaffold a config repository: orgs/, orgshare.config.yaml, package.json, GitHub workflows')
    .option('--subdomain <name>', 'your Zendesk subdomain (acme for acme.zendesk.com), written to orgshare.config.yaml')
    .option('--force', 'overwrite files that already exist')
    .addHelpText('after', `
Writes orgs/README.md, orgshare.config.yaml, package.json (pinning this orgshare
version), .gitignore, .github/dependabot.yml and the workflows ci, plan, apply and drift
(using the orgshare action). Modelines point at node_modules/orgshare/schema/, so editors
show the schema after \`npm install\`. Nothing is written if a file exists, unless --force
(a package.json that already depends on orgshare is kept as it is).

Examples:
  $ npm i -D orgshare && npx orgshare init --subdomain acme
  $ npx orgshare init --dir ../support-config`)
    .action(
      run(async () =>
        (await import('./commands/init.js')).run(globals(program, io), program.commands.find((c) => c.name() === 'init')!.opts(), io),
      ),
    );

  program
    .command('plan')
    .description('show what apply would change, with every pre-check verified against live Zendesk (read-only)')
    .option('--out <file>', 'save the plan as JSON for `orgshare apply <file>`')
    .option('--allow-large', 'allow more changes than max_changes (blast radius)')
    .addHelpText('after', `
Exit codes: 0 no changes, 2 changes planned, 1 error or a blocked pre-check.

Examples:
  $ orgshare plan
  $ orgshare plan --format markdown > plan.md     # PR comment
  $ orgshare plan --out plan.json && orgshare apply plan.json --yes`)
    .action(
      run(async () =>
        (await import('./commands/plan.js')).run(globals(program, io), program.commands.find((c) => c.name() === 'plan')!.opts(), io),
      ),
    );

  program
    .command('apply')
    .description('apply the changes (ticket metadata → organization + Details line → comment and solve)')
    .argument('[plan]', 'a plan saved with `plan --out`; refused when live state or files changed since')
    .option('--yes', 'do not ask for confirmation')
    .option('--allow-large', 'allow more changes than max_changes (blast radius)')
    .option('--force-unlock <id>', 'remove the apply lock line with this id (shown when apply is refused as locked), then stop')
    .addHelpText('after', `
Without a plan file, apply plans first, prints the plan, and writes only with --yes or an
interactive confirmation. If any change is blocked, nothing is written.

Examples:
  $ orgshare apply                 # plan, show, ask
  $ orgshare apply --yes           # CI on merge
  $ orgshare apply plan.json --yes # exactly the reviewed plan, or refuse
  $ orgshare apply --force-unlock 5c0f9a1b2c3d4e5f --yes   # a crashed apply's lock, after checking no apply runs`)
    .action(
      run(async () => {
        const cmd = program.commands.find((c) => c.name() === 'apply')!;
        return (await import('./commands/apply.js')).run(globals(program, io), { ...cmd.opts(), planFile: cmd.args[0] }, io);
      }),
    );

  program
    .command('drift')
    .description('read-only: managed orgs that differ, unmanaged shared orgs, undeclared user grants')
    .addHelpText('after', `
Exit codes: 0 no drift, 2 drift found, 1 error.

Examples:
  $ orgshare drift
  $ orgshare drift --format markdown   # for a scheduled issue`)
    .action(run(async () => (await import('./commands/drift.js')).run(globals(program, io), io)));

  program
    .command('import')
    .description('write orgs/*.yaml from live state (ticket and date from the Details history)')
    .option('--org <id...>', 'organization ids to import')
    .option('--shared', 'import every organization that is shared in Zendesk')
    .option('--all', 'import every organization of the account (never-shared private ones as baseline files)')
    .option('--force', 'overwrite existing files')
    .addHelpText('after', `
Imported files carry request.legacy: true: accepted only while live state equals the file.
A private organization that was never shared (no sharing line in its Details) gets a
baseline file without a request: it asserts that the organization stays private.

Exit codes: 0 every organization was written (or is up to date), 1 one was skipped or kept.

Examples:
  $ orgshare import --all              # adopt the whole account
  $ orgshare import --shared
  $ orgshare import --org 360001234567 360001234568`)
    .action(
      run(async () =>
        (await import('./commands/import.js')).run(globals(program, io), program.commands.find((c) => c.name() === 'import')!.opts(), io),
      ),
    );

  program
    .command('access')
    .description('effective-access report: who can see and comment on each organization’s tickets, and why')
    .option('--org <id...>', 'limit to these organization ids')
    .addHelpText('after', `
Examples:
  $ orgshare access
  $ orgshare access --org 360001234567 --format markdown`)
    .action(
      run(async () =>
        (await import('./commands/access.js')).run(globals(program, io), program.commands.find((c) => c.name() === 'access')!.opts(), io),
      ),
    );

  program
    .command('history')
    .description('read-only: the story of each organization’s sharing — Details lines, the audit log, git commits and request evidence — with findings')
    .option('--org <id...>', 'organization ids (managed or not; default: every managed organization)')
    .option('--since <date>', 'leave out events and findings before this date (YYYY-MM-DD, UTC)')
    .addHelpText('after', `
One timeline per organization, oldest first, merging the Details lines (both handbook
forms), Zendesk's audit log (Enterprise; without it the timeline is built from Details and
git), the commits of its file (git log --follow; PR numbers from merge and squash
subjects) and the request evidence of the file. Findings:
  unrecorded_change      the audit log shows a sharing change no Details line records
  unreviewed_change      a change with no commit of the organization's file before it
  evidence_after_change  the approval is dated after the change it approves

Exit codes: 0 no finding, 2 findings, 1 error.

Examples:
  $ orgshare history
  $ orgshare history --org 360001234567 --since 2026-01-01
  $ orgshare history --format markdown > history.md   # audit evidence`)
    .action(
      run(async () =>
        (await import('./commands/history.js')).run(globals(program, io), program.commands.find((c) => c.name() === 'history')!.opts(), io),
      ),
    );

  program
    .command('review')
    .description('read-only: the access review — every shared organization, user grant and partner domain with its evidence and attestation status')
    .addHelpText('after', `
For each grant: type, since when, requester, approver, ticket, people and tickets exposed,
and the last attestation (the newest approval evidence). With reattest_after (days) in
orgshare.config.yaml, grants are due (within 30 days of it) or overdue (older than it);
\`orgshare drift\` reports overdue attestations too.

Exit codes: 0 no grant due or overdue, 2 some are, 1 error.

Examples:
  $ orgshare review
  $ orgshare review --format csv > access-review.csv
  $ orgshare review --format markdown   # the report an auditor signs`)
    .action(
      run(async () => {
        const { global, format } = reviewGlobals(program, io);
        return (await import('./commands/review.js')).run(global, { format }, io);
      }),
    );

  program
    .command('sandbox')
    .description('run a local Zendesk-compatible API for trying everything (seeded to match orgs/)')
    .option('--port <n>', 'port to listen on (0 = any free port)', '4010')
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--seed <file>', 'seed file (JSON or YAML) instead of the built-in seed')
    // Not defaulted here: a defaulted --rpm would hide that the program-level --rpm took the value.
    .option('--rpm <n>', 'rate limit in requests per minute (0 = none) (default: 700)')
    .option('--faults <spec>', 'fault injection, e.g. "429:0.1,503:0.05,slow:0.1:2000,drop:0.02,seed:42"')
    .addHelpText('after', sandboxHelpExamples())
    .action(
      run(async () =>
        (await import('./commands/sandbox.js')).run(globals(program, io), sandboxOptions(program), io),
      ),
    );

  return program;
}

/**
 * The sandbox's options. Commander gives an option known to the program (the global
 * `--rpm`, a client budget) to the program wherever it appears, so `sandbox --rpm 5` lands
 * there: for `sandbox`, that number is the server's rate limit.
 */
function sandboxOptions(program: Command): SandboxCommandOptions {
  const own = program.commands.find((c) => c.name() === 'sandbox')!.opts<SandboxCommandOptions>();
  const rpm = own.rpm ?? program.opts<{ rpm?: string }>().rpm;
  return rpm === undefined ? own : { ...own, rpm };
}

/** Runs the CLI; returns the exit code. All errors end here. */
/** INVISIBLE (render/text.ts), but not the U+200B Markdown output puts after "@" to break @mentions. */
const OUTPUT_INVISIBLE = /[\u007f-\u009f\u061c\u200c-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|(?<!@)\u200b/g;

/** The subcommand named in argv (the first word that is not a global option or its value). */
function commandOf(argv: string[]): string | undefined {
  const withValue = new Set(['--dir', '--format', '--rpm']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (withValue.has(a)) i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

export async function main(argv: string[], ioGiven: Io = processIo()): Promise<number> {
  // Every byte printed passes through redaction of every secret of this environment, in
  // any letter case (docs/security.md): a message that echoes a value cannot leak one.
  // The one exception: `orgshare sandbox` prints the sandbox's own demo credentials, which
  // are not secrets even when the environment happens to hold the same value.
  const sandbox = commandOf(argv) === 'sandbox';
  if (!sandbox) registerSecretsFrom(ioGiven.env);
  // Characters that render differently from their bytes are escaped in every format
  // (valid JSON escapes there); renderers escape control characters themselves.
  const visible = (t: string) => t.replace(OUTPUT_INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const safe = (t: string) => visible(sandbox ? t : redact(t));
  const io: Io = { ...ioGiven, stdout: (t) => ioGiven.stdout(safe(t)), stderr: (t) => ioGiven.stderr(safe(t)) };
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  try {
    pinnedNow(io.env); // a malformed ORGSHARE_NOW is a usage error before anything runs
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    const format = program.opts<{ format?: Format | 'csv' }>().format;
    return handleError(err, io, format === undefined || format === 'csv' ? 'text' : format);
  }
}

export function handleError(err: unknown, io: Io, format: Format): number {
  if (err instanceof CommanderError) {
    return err.exitCode === 0 ? 0 : 1;
  }
  if (err instanceof ConfigError) {
    io.stdout(renderProblems(err.problems, format));
    return 1;
  }
  if (err instanceof OrgshareError) {
    if (format === 'json') {
      io.stdout(JSON.stringify({ format_version: 1, error: { code: err.code, message: redact(err.message), hint: err.hint } }, null, 2) + '\n');
      return 1;
    }
  }
  io.stderr(errorText(err));
  return 1;
}

if (isEntryPoint(import.meta.url)) {
  // `orgshare plan | head` closes the pipe early: stop quietly, like other CLIs.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`Internal error: ${redact(String(err))}\n`);
      process.exitCode = 1;
    },
  );
}
