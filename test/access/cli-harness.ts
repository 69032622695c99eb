/**
 * Runs the real CLI (`main` from src/cli.ts) in-process against a sandbox over real HTTP,
 * capturing stdout/stderr. Shared by test/access, test/drift and test/importer; built on
 * the same sandbox environment and captured Io as test/apply/helpers.ts.
 */
import { main } from '../../src/cli.js';
import type { ProgressOptions } from '../../src/commands/progress.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { captureIo, sandboxEnv } from '../apply/helpers.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export { sandboxEnv };

export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  now = new Date('2026-11-23T12:00:00Z'),
  tty = false,
  progress?: ProgressOptions,
): Promise<CliRun> {
  const io = captureIo(env, { now: () => now, stderrIsTTY: tty, ...(progress ? { progress } : {}) });
  const code = await main(argv, io);
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}

/** Paths of the API requests in the sandbox log, without /api/v2 and .json. */
export function requestPaths(sb: Sandbox): string[] {
  return sb.log().map((e) => `${e.method} ${e.path.replace(/^\/api\/v2/, '').replace(/\.json$/, '')}`);
}
