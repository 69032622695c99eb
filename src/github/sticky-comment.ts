/**
 * One comment per pull request that is edited in place on every push ("sticky"), found by
 * the hidden marker on its first line. Level-based: whatever the history of runs, after a
 * successful call exactly the oldest marked comment carries the new body.
 */
import { hasMarker } from './body.js';
import type { GitHubClient } from './client.js';

export interface IssueComment {
  id: number;
  body?: string | null;
  html_url?: string;
}

export interface StickyResult {
  action: 'created' | 'updated' | 'unchanged';
  id: number;
  url?: string;
}

/** All comments of an issue or pull request (PRs are issues for comments), every page. */
export function listIssueComments(client: GitHubClient, issueNumber: number): Promise<IssueComment[]> {
  return client.paginate<IssueComment>(client.repoPath(`issues/${issueNumber}/comments?per_page=100`));
}

/**
 * Creates the marked comment, or edits the existing one. `body` must already start with
 * the marker and fit GitHub's size limit (see `githubBody`).
 */
export async function upsertStickyComment(
  client: GitHubClient,
  input: { issueNumber: number; markerText: string; body: string },
): Promise<StickyResult> {
  if (!hasMarker(input.body, input.markerText)) {
    throw new Error('sticky comment body must start with its marker, or the next run could not find it');
  }
  const comments = await listIssueComments(client, input.issueNumber);
  // Oldest first (the API's order): a stray duplicate from a past race never takes over.
  const existing = comments.find((c) => hasMarker(c.body, input.markerText));
  if (existing) {
    if (existing.body === input.body) return { action: 'unchanged', id: existing.id, url: existing.html_url };
    const res = await client.request<IssueComment>('PATCH', client.repoPath(`issues/comments/${existing.id}`), { body: input.body });
    return { action: 'updated', id: res.data.id, url: res.data.html_url };
  }
  const res = await client.request<IssueComment>('POST', client.repoPath(`issues/${input.issueNumber}/comments`), { body: input.body });
  return { action: 'created', id: res.data.id, url: res.data.html_url };
}
