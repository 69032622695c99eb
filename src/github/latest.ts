/**
 * "Is this commit's configuration still the configuration on main?"
 *
 * apply runs for the merged commit, possibly hours later (environment approval), and
 * anyone can press "Re-run" on an old apply run. Applying an old commit's orgs/ would roll
 * back every merge since. So before applying, compare the top-level entries that make up
 * the configuration (tree SHAs of `orgs/`, `schema/`, the blob of `orgshare.config.yaml`)
 * between the commit and the branch tip: equal means applying this commit is the same as
 * applying main, different means a newer commit changed them and its own apply run (queued
 * behind this one by the concurrency group) is the one that must apply.
 */
import { RemoteError } from '../errors.js';
import type { GitHubClient } from './client.js';

export const DEFAULT_CONFIG_PATHS = ['orgs', 'schema', 'orgshare.config.yaml'] as const;

interface TreeEntry {
  path: string;
  type: string;
  sha: string;
}
interface Tree {
  sha: string;
  tree: TreeEntry[];
  truncated?: boolean;
}

export interface LatestResult {
  latest: boolean;
  /** Commit at the tip of the branch. */
  tipSha: string;
  /** Config paths whose content differs between the commit and the branch tip. */
  differing: string[];
}

interface Branch {
  commit: { sha: string; commit: { tree: { sha: string } } };
}
interface GitCommit {
  sha: string;
  tree: { sha: string };
}

export async function compareConfigWithBranch(
  client: GitHubClient,
  input: { sha: string; branch: string; paths?: readonly string[] },
): Promise<LatestResult> {
  const paths = input.paths ?? DEFAULT_CONFIG_PATHS;
  for (const p of paths) {
    if (!p || p.includes('/')) throw new Error(`config path "${p}" must be a top-level file or folder name`);
  }
  if (!/^[0-9a-f]{40}$/i.test(input.sha)) throw new Error(`--sha must be a full 40-hex commit SHA, got "${input.sha}"`);
  const branch = (await client.request<Branch>('GET', client.repoPath(`branches/${encodeURIComponent(input.branch)}`))).data;
  const tipSha = branch.commit.sha;
  if (tipSha.toLowerCase() === input.sha.toLowerCase()) return { latest: true, tipSha, differing: [] };

  const mine = (await client.request<GitCommit>('GET', client.repoPath(`git/commits/${input.sha}`))).data;
  const [myTree, tipTree] = await Promise.all([rootTree(client, mine.tree.sha), rootTree(client, branch.commit.commit.tree.sha)]);
  const entry = (t: Tree, p: string) => t.tree.find((e) => e.path === p)?.sha ?? null;
  const differing = paths.filter((p) => entry(myTree, p) !== entry(tipTree, p));
  return { latest: differing.length === 0, tipSha, differing };
}

/** The root listing only (not recursive): entries carry the tree/blob SHA of each top-level path. */
async function rootTree(client: GitHubClient, treeSha: string): Promise<Tree> {
  const tree = (await client.request<Tree>('GET', client.repoPath(`git/trees/${treeSha}`))).data;
  if (tree.truncated) {
    throw new RemoteError('github_response', 'repository root listing was truncated; cannot compare configuration', null, false);
  }
  return tree;
}
