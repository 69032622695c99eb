/**
 * The git side of an organization's history (docs/history-and-review.md): the commits
 * that changed its file, read with `git log --follow --first-parent` in a child process.
 * First-parent history shows the commit that landed on the branch: the merge commit of a
 * pull request ("Merge pull request #12 from …") or the squash commit ("… (#12)"), which
 * is when the change was reviewed, rather than the branch's work-in-progress commits.
 */
import { execFile } from 'node:child_process';

export interface GitCommit {
  hash: string;
  author: string;
  email: string;
  /** Committer date (when the commit landed), ISO 8601 with offset as git prints it. */
  at: string;
  subject: string;
  /** Pull-request number from a merge subject or a `(#123)` squash suffix, else null. */
  pr: number | null;
}

export type GitHistory = { available: true; commits: Map<string, GitCommit[]> } | { available: false; reason: string };

const FIELD = '\x1f';
const RECORD = '\x1e';
/** Commits read per file: enough for any organization's history, bounded for safety. */
const MAX_COMMITS = 1000;
/** Output read per file (bytes). */
const MAX_BUFFER = 4 * 1024 * 1024;

/** PR number from a commit subject: GitHub merge subjects and squash suffixes. */
export function prNumber(subject: string): number | null {
  const merge = /^Merge pull request #(\d+)\b/.exec(subject);
  if (merge) return Number(merge[1]);
  const squash = /\(#(\d+)\)\s*$/.exec(subject);
  return squash ? Number(squash[1]) : null;
}

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ ok: true; out: string } | { ok: false; err: string }> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, env, maxBuffer: MAX_BUFFER, windowsHide: true }, (error, stdout, stderr) => {
      if (error) resolve({ ok: false, err: (stderr || error.message).trim().split('\n')[0] ?? 'git failed' });
      else resolve({ ok: true, out: stdout });
    });
  });
}

/** The environment git runs with: the caller's, without pagers or terminal prompts. */
function gitEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, GIT_PAGER: 'cat', PAGER: 'cat', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
}

/**
 * Commits of each file (paths relative to `dir`), newest first as git lists them. When
 * `dir` is not inside a git work tree, or git is missing, says why instead.
 */
export async function readGitHistory(dir: string, files: string[], env: NodeJS.ProcessEnv, concurrency = 4): Promise<GitHistory> {
  const genv = gitEnv(env);
  const probe = await run(['rev-parse', '--is-inside-work-tree'], dir, genv);
  if (!probe.ok || probe.out.trim() !== 'true') {
    return { available: false, reason: probe.ok ? 'not a git work tree' : probe.err };
  }
  const commits = new Map<string, GitCommit[]>();
  const queue = [...new Set(files)];
  const worker = async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const res = await run(
        ['-c', 'log.showSignature=false', 'log', '--follow', '--first-parent', '--no-color', `--max-count=${MAX_COMMITS}`,
          `--format=%H${FIELD}%an${FIELD}%ae${FIELD}%cI${FIELD}%s${RECORD}`, '--', file],
        dir,
        genv,
      );
      commits.set(file, res.ok ? parseLog(res.out) : []);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
  return { available: true, commits };
}

export function parseLog(out: string): GitCommit[] {
  const commits: GitCommit[] = [];
  for (const record of out.split(RECORD)) {
    const fields = record.replace(/^\s+/, '').split(FIELD);
    if (fields.length < 5) continue;
    const [hash, author, email, at, subject] = fields as [string, string, string, string, string];
    commits.push({ hash, author, email, at, subject, pr: prNumber(subject) });
  }
  return commits;
}
