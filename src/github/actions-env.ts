/**
 * The GitHub Actions runner's side channels: environment variables it sets, the job
 * summary file and step outputs. Everything reads from the `env` given (the process
 * environment in production, a test's own map in tests).
 */
import { appendFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import { GitHubClient, type GitHubClientOptions } from './client.js';

type Env = NodeJS.ProcessEnv;

/** Client for the repository the workflow runs in. */
export function clientFromEnv(env: Env, extra: Partial<GitHubClientOptions> = {}): GitHubClient {
  const token = env.GITHUB_TOKEN;
  if (!token) {
    throw new UsageError('GITHUB_TOKEN is not set', 'pass it to the step: env: { GITHUB_TOKEN: ${{ github.token }} }');
  }
  const repository = env.GITHUB_REPOSITORY;
  if (!repository) throw new UsageError('GITHUB_REPOSITORY is not set (owner/name)', 'the Actions runner sets it; set it yourself when running locally');
  return new GitHubClient({ apiUrl: env.GITHUB_API_URL || 'https://api.github.com', token, repository, ...extra });
}

/** Link to this workflow run, when the runner variables are present. */
export function runUrl(env: Env): string | undefined {
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  if (!env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID) return undefined;
  const attempt = env.GITHUB_RUN_ATTEMPT && env.GITHUB_RUN_ATTEMPT !== '1' ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : '';
  return `${server.replace(/\/$/, '')}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}${attempt}`;
}

/** Appends Markdown to the job summary; returns false when not running in Actions. */
export function appendStepSummary(env: Env, markdown: string): boolean {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return false;
  appendFileSync(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
  return true;
}

/** Sets a step output (`steps.<id>.outputs.<name>`); single-line values only. */
export function setOutput(env: Env, name: string, value: string): boolean {
  if (/[\r\n]/.test(value)) throw new Error(`output ${name} must be a single line`);
  const file = env.GITHUB_OUTPUT;
  if (!file) return false;
  appendFileSync(file, `${name}=${value}\n`);
  return true;
}

/**
 * Echoes untrusted text (reports quote PR-controlled YAML) into the log as a collapsible
 * group, with workflow-command processing stopped so a line like `::add-mask::…` or
 * `::error::…` inside the text is printed, not executed.
 */
export function loggedGroup(title: string, text: string): string {
  const resume = `orgshare-${randomBytes(12).toString('hex')}`;
  const body = text.endsWith('\n') ? text : `${text}\n`;
  return `::group::${escapeCommandData(title)}\n::stop-commands::${resume}\n${body}::${resume}::\n::endgroup::\n`;
}

/** Escapes data for a workflow command message (`::notice::…`), per the runner's rules. */
export function escapeCommandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
