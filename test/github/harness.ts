/** Runs the GitHub helper CLI in-process against a FakeGitHub, as a workflow step would. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Io } from '../../src/commands/context.js';
import { main } from '../../src/github/cli.js';
import type { FakeGitHub } from './fake-github.js';

export const HEAD_SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export class Workspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'orgshare-gh-'));
  readonly summaryFile = join(this.dir, 'step-summary.md');
  readonly outputFile = join(this.dir, 'github-output');
  now = new Date('2026-11-23T06:23:00.000Z');

  constructor(private readonly fake: FakeGitHub) {}

  write(name: string, content: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, content);
    return path;
  }

  summary(): string {
    return existsSync(this.summaryFile) ? readFileSync(this.summaryFile, 'utf8') : '';
  }

  outputs(): string {
    return existsSync(this.outputFile) ? readFileSync(this.outputFile, 'utf8') : '';
  }

  env(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
    return {
      GITHUB_ACTIONS: 'true',
      GITHUB_TOKEN: this.fake.token,
      GITHUB_REPOSITORY: this.fake.repository,
      GITHUB_API_URL: this.fake.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '4242',
      GITHUB_SHA: HEAD_SHA,
      GITHUB_STEP_SUMMARY: this.summaryFile,
      GITHUB_OUTPUT: this.outputFile,
      ...overrides,
    };
  }

  async run(argv: string[], envOverrides: Record<string, string | undefined> = {}): Promise<Run> {
    let stdout = '';
    let stderr = '';
    const io: Io = {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      stderrIsTTY: false,
      stdinIsTTY: false,
      env: this.env(envOverrides),
      now: () => this.now,
    };
    const code = await main(argv, io, { client: { retryDelayMs: 5, maxRetryWaitMs: 1000 } });
    return { code, stdout, stderr };
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A plan report shaped like `orgshare plan --format markdown` output. */
export function planReport(lines: string[] = ['- **Acme Corp** (360000000101): private → read_only']): string {
  return ['## Plan', '', ...lines, '', '| check | result |', '|---|---|', '| risk_approved | ✅ |', ''].join('\n');
}
