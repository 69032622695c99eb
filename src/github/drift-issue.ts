/**
 * The drift issue: a single open issue, labelled (default `drift`) and marked on its first
 * body line, that mirrors the latest `orgshare drift` result.
 *
 *   drift exit 2 (drift)   → open the issue, or update the open one's body
 *   drift exit 0 (clean)   → comment and close the open one, if any
 *   drift exit 1 (error)   → touch nothing: an error says nothing about drift
 *
 * Issues that carry the label but not the marker were written by people and are left
 * alone. If more than one marked issue is open (a reopened old one, a past race), the
 * oldest is kept and the others are closed as superseded, so there is one place to look.
 */
import { hasMarker } from './body.js';
import type { GitHubClient } from './client.js';

export interface Issue {
  number: number;
  title?: string;
  body?: string | null;
  state?: string;
  html_url?: string;
  /** Present when the "issue" is a pull request (the issues API lists both). */
  pull_request?: unknown;
}

export type DriftIssueAction = 'opened' | 'updated' | 'unchanged' | 'closed' | 'deferred' | 'none' | 'skipped';

export interface DriftIssueResult {
  action: DriftIssueAction;
  /** The issue acted on (for `closed`: every issue closed). */
  numbers: number[];
  url?: string;
  /** Extra marked issues closed as superseded. */
  closedDuplicates: number[];
}

export interface DriftIssueInput {
  /** Exit code of `orgshare drift`: 0 none, 2 drift, 1 error. */
  driftExitCode: number;
  label: string;
  markerText: string;
  /** Title for a new issue (an existing issue keeps its title: people may edit it). */
  title: string;
  /** Full body, starting with the marker and within GitHub's size limit. */
  body: string;
  /** Comment posted before closing when drift is gone. */
  closeComment: string;
  /**
   * The report was made while an apply held the lock (its Markdown carries
   * APPLY_IN_PROGRESS_MARKER): a clean exit 0 then leaves an open issue as it is.
   */
  applyInProgress?: boolean;
}

/** Open issues (not pull requests) with the label and our marker, oldest first. */
export async function findOpenDriftIssues(client: GitHubClient, label: string, markerText: string): Promise<Issue[]> {
  const issues = await client.paginate<Issue>(
    client.repoPath(`issues?state=open&labels=${encodeURIComponent(label)}&sort=created&direction=asc&per_page=100`),
  );
  return issues
    .filter((i) => i.pull_request === undefined && hasMarker(i.body, markerText))
    .sort((a, b) => a.number - b.number);
}

export async function syncDriftIssue(client: GitHubClient, input: DriftIssueInput): Promise<DriftIssueResult> {
  if (input.driftExitCode === 1) return { action: 'skipped', numbers: [], closedDuplicates: [] };
  if (input.driftExitCode !== 0 && input.driftExitCode !== 2) {
    throw new Error(`unexpected orgshare drift exit code ${input.driftExitCode} (expected 0, 1 or 2)`);
  }
  if (!hasMarker(input.body, input.markerText)) {
    throw new Error('drift issue body must start with its marker, or the next run could not find it');
  }
  const open = await findOpenDriftIssues(client, input.label, input.markerText);

  if (input.driftExitCode === 0 && input.applyInProgress === true) {
    return { action: open.length ? 'deferred' : 'none', numbers: open.map((i) => i.number), closedDuplicates: [] };
  }
  if (input.driftExitCode === 0) {
    for (const issue of open) await closeIssue(client, issue.number, input.closeComment, 'completed');
    return { action: open.length ? 'closed' : 'none', numbers: open.map((i) => i.number), closedDuplicates: [] };
  }

  const [primary, ...duplicates] = open;
  let result: DriftIssueResult;
  if (!primary) {
    // Creating an issue with a label that does not exist yet creates the label.
    const res = await client.request<Issue>('POST', client.repoPath('issues'), { title: input.title, body: input.body, labels: [input.label] });
    result = { action: 'opened', numbers: [res.data.number], url: res.data.html_url, closedDuplicates: [] };
  } else if (primary.body === input.body) {
    result = { action: 'unchanged', numbers: [primary.number], url: primary.html_url, closedDuplicates: [] };
  } else {
    const res = await client.request<Issue>('PATCH', client.repoPath(`issues/${primary.number}`), { body: input.body });
    result = { action: 'updated', numbers: [primary.number], url: res.data.html_url ?? primary.html_url, closedDuplicates: [] };
  }
  const keep = result.numbers[0]!;
  for (const dup of duplicates) {
    await closeIssue(client, dup.number, `Superseded by #${keep}, which tracks the current drift report.`, 'not_planned');
    result.closedDuplicates.push(dup.number);
  }
  return result;
}

async function closeIssue(client: GitHubClient, number: number, comment: string, reason: 'completed' | 'not_planned'): Promise<void> {
  await client.request('POST', client.repoPath(`issues/${number}/comments`), { body: comment });
  await client.request('PATCH', client.repoPath(`issues/${number}`), { state: 'closed', state_reason: reason });
}
