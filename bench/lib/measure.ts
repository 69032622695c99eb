/**
 * Per-command measurement in a child process, so start-up, CPU and peak memory belong to
 * the one command measured (and not to the sandbox, which runs in the parent).
 *
 * Parent side: `measureChild(script, args, opts)` spawns
 *   node dist/bench/lib/measure.js <script> <args…>
 * asynchronously (a synchronous spawn would freeze the in-process sandbox it talks to).
 * Child side (this file as entry point): points `process.argv` at `script`, imports it
 * (the script runs as if started directly: its own entry-point check passes), and on
 * exit writes `process.resourceUsage()` and `process.cpuUsage()` to the file named by
 * ORGSHARE_BENCH_RESULT. `maxRSS` is the kernel's peak resident set of the child: no
 * sampling gaps.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface Measured {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Spawn to exit, as seen by the parent (node start-up included). */
  wallMs: number;
  /** User + system CPU of the child. */
  cpuMs: number;
  /** Peak resident set size of the child, MiB. */
  maxRssMiB: number;
  /** CPU the parent (the sandbox) used meanwhile. */
  parentCpuMs: number;
}

const RESULT_ENV = 'ORGSHARE_BENCH_RESULT';
const SELF = fileURLToPath(import.meta.url);

export function measureChild(
  script: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; nodeArgs?: string[] } = {},
): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'orgshare-measure-'));
  const resultFile = join(dir, 'usage.json');
  return new Promise<Measured>((resolvePromise, reject) => {
    const parentCpu = process.cpuUsage();
    const started = performance.now();
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), SELF, resolve(script), ...args], {
      cwd: opts.cwd,
      env: { ...(opts.env ?? process.env), [RESULT_ENV]: resultFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const cpu = process.cpuUsage(parentCpu);
      let usage: { cpuMs: number; maxRssKiB: number } = { cpuMs: NaN, maxRssKiB: NaN };
      try {
        usage = JSON.parse(readFileSync(resultFile, 'utf8')) as typeof usage;
      } catch {
        // The child died before its exit hook ran; the NaNs show it in the table.
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      resolvePromise({
        exitCode: code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        wallMs,
        cpuMs: usage.cpuMs,
        maxRssMiB: usage.maxRssKiB / 1024,
        parentCpuMs: (cpu.user + cpu.system) / 1000,
      });
    });
  });
}

async function runAsChild(): Promise<void> {
  const resultFile = process.env[RESULT_ENV];
  const script = process.argv[2];
  if (!resultFile || !script) {
    process.stderr.write('usage: ORGSHARE_BENCH_RESULT=file node measure.js <script> [args…]\n');
    process.exitCode = 1;
    return;
  }
  process.on('exit', () => {
    const cpu = process.cpuUsage();
    const usage = process.resourceUsage();
    writeFileSync(resultFile, JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, maxRssKiB: usage.maxRSS }));
  });
  // The script sees itself as the entry point: argv = [node, script, …its args].
  process.argv = [process.argv[0]!, script, ...process.argv.slice(3)];
  await import(pathToFileURL(script).href);
}

function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(SELF);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  runAsChild().catch((err: unknown) => {
    process.stderr.write(`measure: ${String(err)}\n`);
    process.exitCode = 1;
  });
}
