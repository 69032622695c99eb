/**
 * Runs the real CLI (`main` from src/cli.ts) in-process against a sandbox over real HTTP,
 * capturing stdout/stderr. Shared by test/access, test/drift and test/importer.
 */
import type { Io } from '../../src/commands/context.js';
import { main } from '../../src/cli.js';
import type { Sandbox } from '../../src/sandbox/index.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function sandboxEnv(sb: Sandbox): NodeJS.ProcessEnv {
  return {
    ZENDESK_API_URL: sb.baseUrl,
    ZENDESK_SUBDOMAIN: 'acme',
    ZENDESK_EMAIL: 'admin@acme.example',
    ZENDESK_API_TOKEN: 'sandbox-token',
  };
}

export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  now = new Date('2026-11-23T12:00:00Z'),
  tty = false,
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stderrIsTTY: tty,
    stdinIsTTY: false,
    env,
    now: () => now,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** Paths of the API requests in the sandbox log, without /api/v2 and .json. */
export function requestPaths(sb: Sandbox): string[] {
  return sb.log().map((e) => `${e.method} ${e.path.replace(/^\/api\/v2/, '').replace(/\.json$/, '')}`);
}
