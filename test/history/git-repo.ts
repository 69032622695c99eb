/**
 * A throwaway git repository for history tests: commits with pinned author and committer
 * dates (GIT_AUTHOR_DATE / GIT_COMMITTER_DATE), no global or system git config.
 */
import { execFileSync } from 'node:child_process';

function gitEnv(dir: string, date?: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: dir,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    TZ: 'UTC',
    ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}),
  };
}

export function git(dir: string, args: string[], date?: string): string {
  return execFileSync('git', ['-c', 'user.name=Rita Reviewer', '-c', 'user.email=rita@acme.example', '-c', 'commit.gpgsign=false', ...args], {
    cwd: dir,
    env: gitEnv(dir, date),
    encoding: 'utf8',
  });
}

export function initRepo(dir: string): void {
  git(dir, ['init', '-q', '-b', 'main']);
}

/** Stages everything and commits it with `message` at `date` (ISO). Returns the hash. */
export function commitAll(dir: string, message: string, date: string): string {
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', message], date);
  return git(dir, ['rev-parse', 'HEAD']).trim();
}
