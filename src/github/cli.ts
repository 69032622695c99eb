#!/usr/bin/env node
/**
 * GitHub delivery helpers run by the workflows in .github/workflows (after `npm run build`):
 *
 *   node dist/src/github/cli.js sticky-comment --pr N --file plan.md --exit-code N [--summary]
 *   node dist/src/github/cli.js drift-issue --file drift.md --drift-exit-code N [--summary]
 *   node dist/src/github/cli.js summary --kind apply --file apply.md --exit-code N
 *   node dist/src/github/cli.js check-latest --branch main [--sha SHA]
 *   node dist/src/github/cli.js plan-fingerprint --plan plan.json [--expect sha256:…]
 *
 * Installed from the package, the same program is the `orgshare-github` command; the
 * repository's action.yml runs it (docs/workflows.md).
 *
 * They post what an orgshare command printed; they never decide whether a job passes.
 * Exit codes: 0 done, 1 error (bad arguments, GitHub refused or unreachable).
 * Environment: GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL (default
 * https://api.github.com), and the runner's GITHUB_SHA, GITHUB_SERVER_URL, GITHUB_RUN_ID,
 * GITHUB_STEP_SUMMARY, GITHUB_OUTPUT. The token is never printed.
 */
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { clockFor } from '../clock.js';
import { UsageError, errorText, redact, registerSecret } from '../errors.js';
import { appendStepSummary, clientFromEnv, loggedGroup, runUrl, setOutput } from './actions-env.js';
import { composeReport, githubBody, marker, REPORT_KINDS, summaryBody, type ReportKind } from './body.js';
import { planFingerprint } from '../plan/saved.js';
import type { GitHubClientOptions } from './client.js';
import { APPLY_IN_PROGRESS_MARKER } from '../model/reports.js';
import { syncDriftIssue } from './drift-issue.js';
import { compareConfigWithBranch, DEFAULT_CONFIG_PATHS } from './latest.js';
import { upsertStickyComment } from './sticky-comment.js';
import { isEntryPoint } from '../entry-point.js';

export interface GithubCliDeps {
  /** Test hook: client tuning (short retry delays, request log). */
  client?: Partial<GitHubClientOptions>;
}

const KINDS = REPORT_KINDS;

/** Exit codes each command may end with (docs/workflows.md): 2 means "found something" where the command has it. */
function allowedExitCodes(kind: ReportKind): number[] {
  return kind === 'apply' || kind === 'validate' || kind === 'review' ? [0, 1] : [0, 1, 2];
}

/** The fingerprint of a saved plan file (`plan --out`); a file that is not JSON is a usage error. */
function fingerprintOf(file: string): string {
  const text = readReport(file);
  try {
    return planFingerprint(JSON.parse(text));
  } catch {
    throw new UsageError(`${file} is not a saved plan (not JSON)`, 'pass the file written by `orgshare plan --out`');
  }
}

function exitCodeArg(name: string, value: string | undefined, allowed: readonly number[]): number {
  const n = value !== undefined && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!allowed.includes(n)) {
    throw new UsageError(
      `${name} must be one of ${allowed.join(', ')}, got "${value ?? ''}"`,
      'pass the exit code of the orgshare command (captured with: echo "exit-code=$?" >> "$GITHUB_OUTPUT")',
    );
  }
  return n;
}

function readReport(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

function inActions(io: Io): boolean {
  return io.env.GITHUB_ACTIONS === 'true';
}

/** Full report into the step log (collapsed): where to look when a body had to be truncated. */
function logReport(io: Io, title: string, composed: string): void {
  if (inActions(io)) io.stdout(loggedGroup(title, composed));
}

function writeSummary(io: Io, composed: string): void {
  if (!appendStepSummary(io.env, summaryBody(composed))) {
    io.stderr('GITHUB_STEP_SUMMARY is not set: job summary skipped.\n');
  }
}

export function buildGithubProgram(io: Io, deps: GithubCliDeps = {}): Command {
  const program = new Command('orgshare-github');
  program
    .description('Post orgshare reports to GitHub: sticky PR comment, drift issue, job summary.')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();

  program
    .command('sticky-comment')
    .description('create or update the one PR comment marked <!-- orgshare-<kind> --> with a report')
    .requiredOption('--pr <number>', 'pull request number')
    .requiredOption('--file <path>', 'Markdown report (e.g. from `orgshare plan --format markdown`)')
    .requiredOption('--exit-code <n>', 'exit code of the orgshare command that wrote the report')
    .addOption(new Option('--kind <kind>', 'which command wrote the report').choices(KINDS).default('plan'))
    .option('--marker <name>', 'hidden marker name (default orgshare-<kind>)')
    .option('--sha <sha>', 'commit the report is for (default $GITHUB_SHA; on PRs pass the head SHA)')
    .option('--summary', 'also append the report to the job summary')
    .option('--plan <file>', 'saved plan (`plan --out`) whose fingerprint the comment shows')
    .action(async (opts: { pr: string; file: string; exitCode: string; kind: ReportKind; marker?: string; sha?: string; summary?: boolean; plan?: string }) => {
      if (!/^[1-9]\d*$/.test(opts.pr)) throw new UsageError(`--pr must be a pull request number, got "${opts.pr}"`);
      const exitCode = exitCodeArg('--exit-code', opts.exitCode, allowedExitCodes(opts.kind));
      const markerText = marker(opts.marker ?? `orgshare-${opts.kind}`);
      const url = runUrl(io.env);
      const composed = composeReport({
        kind: opts.kind,
        exitCode,
        report: readReport(opts.file),
        sha: opts.sha ?? io.env.GITHUB_SHA,
        runUrl: url,
        note: 'This comment is updated in place on every push.',
        ...(opts.plan ? { planFingerprint: fingerprintOf(opts.plan) } : {}),
      });
      logReport(io, `orgshare ${opts.kind} report`, composed);
      // The summary first: it survives a token that cannot comment (e.g. PRs from forks).
      if (opts.summary) writeSummary(io, composed);
      const client = clientFromEnv(io.env, deps.client);
      const result = await upsertStickyComment(client, {
        issueNumber: Number(opts.pr),
        markerText,
        body: githubBody(markerText, composed, `The full report is in the log of the workflow run${url ? ` (${url})` : ''}.`),
      });
      io.stdout(`sticky comment ${result.action}: ${result.url ?? `#${result.id}`}\n`);
    });

  program
    .command('drift-issue')
    .description('open/update the drift issue on drift (exit 2), close it when clean (exit 0), leave it on error (exit 1)')
    .requiredOption('--file <path>', 'Markdown report from `orgshare drift --format markdown`')
    .requiredOption('--drift-exit-code <n>', 'exit code of `orgshare drift`')
    .option('--label <name>', 'label that identifies the drift issue', 'drift')
    .option('--marker <name>', 'hidden marker name', 'orgshare-drift')
    .option('--title <text>', 'title for a newly opened issue', 'orgshare drift: live Zendesk differs from orgs/')
    .option('--sha <sha>', 'commit the check ran on (default $GITHUB_SHA)')
    .option('--summary', 'also append the report to the job summary')
    .action(async (opts: { file: string; driftExitCode: string; label: string; marker: string; title: string; sha?: string; summary?: boolean }) => {
      const exitCode = exitCodeArg('--drift-exit-code', opts.driftExitCode, [0, 1, 2]);
      const markerText = marker(opts.marker);
      const url = runUrl(io.env);
      const checked = io.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const report = readReport(opts.file);
      const composed = composeReport({
        kind: 'drift',
        exitCode,
        report,
        sha: opts.sha ?? io.env.GITHUB_SHA,
        runUrl: url,
        note:
          `Checked ${checked}. This issue is maintained by the drift workflow: updated while drift persists, ` +
          'closed automatically once live Zendesk matches orgs/ again.',
      });
      logReport(io, 'orgshare drift report', composed);
      if (opts.summary) writeSummary(io, composed);
      const client = clientFromEnv(io.env, deps.client);
      const result = await syncDriftIssue(client, {
        driftExitCode: exitCode,
        label: opts.label,
        markerText,
        title: opts.title,
        body: githubBody(markerText, composed, `The full report is in the log of the workflow run${url ? ` (${url})` : ''}.`),
        closeComment: `No drift found at ${checked}${url ? ` ([workflow run](${url}))` : ''}: live Zendesk matches \`orgs/\` again. Closing.`,
        applyInProgress: report.includes(APPLY_IN_PROGRESS_MARKER),
      });
      const where = result.url ?? result.numbers.map((n) => `#${n}`).join(', ');
      const line: Record<typeof result.action, string> = {
        opened: `drift issue opened: ${where}`,
        updated: `drift issue updated: ${where}`,
        unchanged: `drift issue unchanged: ${where}`,
        closed: `drift issue closed: ${where}`,
        deferred: `no drift outside an apply in progress: the drift issue was left open until a run without one (${where})`,
        none: 'no drift and no open drift issue: nothing to do',
        skipped: 'orgshare drift failed (exit 1): the drift issue was left as it is',
      };
      io.stdout(`${line[result.action]}\n`);
      if (result.closedDuplicates.length) {
        io.stdout(`closed superseded drift issues: ${result.closedDuplicates.map((n) => `#${n}`).join(', ')}\n`);
      }
    });

  program
    .command('summary')
    .description('append a report to the job summary ($GITHUB_STEP_SUMMARY)')
    .requiredOption('--file <path>', 'Markdown report')
    .requiredOption('--exit-code <n>', 'exit code of the orgshare command that wrote the report')
    .addOption(new Option('--kind <kind>', 'which command wrote the report').choices(KINDS).makeOptionMandatory())
    .option('--sha <sha>', 'commit the report is for (default $GITHUB_SHA)')
    .option('--plan <file>', 'saved plan (`plan --out`, or the plan apply ran) whose fingerprint the summary shows')
    .action(async (opts: { file: string; exitCode: string; kind: ReportKind; sha?: string; plan?: string }) => {
      const exitCode = exitCodeArg('--exit-code', opts.exitCode, allowedExitCodes(opts.kind));
      const composed = composeReport({
        kind: opts.kind,
        exitCode,
        report: readReport(opts.file),
        sha: opts.sha ?? io.env.GITHUB_SHA,
        runUrl: runUrl(io.env),
        ...(opts.plan ? { planFingerprint: fingerprintOf(opts.plan) } : {}),
      });
      logReport(io, `orgshare ${opts.kind} report`, composed);
      writeSummary(io, composed);
      io.stdout(`orgshare ${opts.kind} report written to the job summary\n`);
    });

  program
    .command('plan-fingerprint')
    .description('print a saved plan\'s fingerprint (sha256 of its canonical JSON), set output `fingerprint`; with --expect, fail unless it matches')
    .requiredOption('--plan <file>', 'saved plan from `orgshare plan --out`')
    .option('--expect <fingerprint>', 'the fingerprint the reviewers saw (e.g. the preview job\'s output)')
    .action(async (opts: { plan: string; expect?: string }) => {
      const fingerprint = fingerprintOf(opts.plan);
      setOutput(io.env, 'fingerprint', fingerprint);
      if (opts.expect !== undefined && opts.expect.trim() !== fingerprint) {
        throw new UsageError(
          `${opts.plan} has fingerprint ${fingerprint}, not the reviewed ${opts.expect.trim() || '(none)'}: refusing to use it`,
          'apply only the plan the preview saved and showed; re-run the workflow to plan again',
        );
      }
      io.stdout(`${opts.plan}: ${fingerprint}${opts.expect !== undefined ? ' (matches the reviewed plan)' : ''}\n`);
    });

  program
    .command('check-latest')
    .description('set output latest=true when the commit\'s orgs/, schema/ and orgshare.config.yaml equal the branch tip\'s')
    .requiredOption('--branch <name>', 'branch to compare with (e.g. main)')
    .option('--sha <sha>', 'commit to check (default $GITHUB_SHA)')
    .option('--paths <list>', 'comma-separated top-level paths that make up the configuration', DEFAULT_CONFIG_PATHS.join(','))
    .action(async (opts: { branch: string; sha?: string; paths: string }) => {
      const sha = opts.sha ?? io.env.GITHUB_SHA ?? '';
      if (!/^[0-9a-f]{40}$/i.test(sha)) throw new UsageError(`--sha (or GITHUB_SHA) must be a full 40-hex commit SHA, got "${sha}"`);
      const paths = opts.paths.split(',').map((p) => p.trim().replace(/\/+$/, '')).filter(Boolean);
      for (const p of paths) {
        if (p.includes('/')) throw new UsageError(`--paths entries must be top-level names, got "${p}"`);
      }
      const client = clientFromEnv(io.env, deps.client);
      const result = await compareConfigWithBranch(client, { sha, branch: opts.branch, paths });
      setOutput(io.env, 'latest', String(result.latest));
      if (result.latest) {
        io.stdout(`configuration at ${sha.slice(0, 12)} is the configuration on ${opts.branch}: applying is current\n`);
        return;
      }
      const message =
        `${opts.branch} has moved on: ${result.differing.join(', ')} changed at ${result.tipSha.slice(0, 12)}. ` +
        `Skipping apply for ${sha.slice(0, 12)} so it cannot roll those changes back; the run for the newer commit applies them.`;
      io.stdout(`${inActions(io) ? '::notice title=orgshare apply skipped::' : ''}${message}\n`);
      appendStepSummary(io.env, `### orgshare apply\n\n⏭️ ${message}\n`);
    });

  return program;
}

/**
 * What the helper needs from its process: output streams and the environment. Narrower
 * than the commands' `Io`, which satisfies it.
 */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  now: () => Date;
}

function processIo(): Io {
  return { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), env: process.env, now: () => clockFor(process.env)() };
}

/** Runs the helper CLI; returns the exit code (0 done, 1 error). */
export async function main(argv: string[], io: Io = processIo(), deps: GithubCliDeps = {}): Promise<number> {
  registerSecret(io.env.GITHUB_TOKEN);
  const program = buildGithubProgram(io, deps);
  try {
    if (argv.length === 0) {
      io.stderr(program.helpInformation());
      return 1;
    }
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    io.stderr(errorText(err));
    return 1;
  }
}

if (isEntryPoint(import.meta.url)) {
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
