/**
 * `orgshare sandbox`: runs the local Zendesk-compatible API until SIGINT/SIGTERM, then
 * closes it cleanly and returns 0. Prints the base URL and the environment to point
 * orgshare at it. The credentials printed are the sandbox's own built-in demo values (or
 * the seed file's), never a real account's secret.
 */
import type { GlobalOptions, Io } from './context.js';
import { UsageError } from '../errors.js';
import { startSandbox } from '../sandbox/index.js';
import { loadSeedFile } from '../sandbox/seed-file.js';
import { parseFaultSpec } from '../sandbox/faults.js';

export interface SandboxCommandOptions {
  port?: string | number;
  host?: string;
  seed?: string;
  rpm?: string | number;
  faults?: string;
}

function intOption(name: string, value: string | number | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number ≥ 0, got "${value}"`);
  return n;
}

export async function run(
  _global: GlobalOptions,
  opts: SandboxCommandOptions,
  io: Io,
  /** Resolves when the sandbox should stop (tests); default: SIGINT or SIGTERM. */
  stopSignal?: Promise<unknown>,
): Promise<number> {
  const port = intOption('port', opts.port, 4010);
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
  const rpm = intOption('rpm', opts.rpm, 700);
  if (opts.faults) {
    try {
      parseFaultSpec(opts.faults);
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err), 'example: --faults "429:0.1,503:0.05,slow:0.1:2000,drop:0.02,seed:42"');
    }
  }
  let seed;
  if (opts.seed) {
    try {
      seed = await loadSeedFile(opts.seed);
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
  }

  let sandbox;
  try {
    sandbox = await startSandbox({
      port,
      host: opts.host ?? '127.0.0.1',
      rpm,
      ...(seed ? { seed } : {}),
      ...(opts.faults ? { faults: opts.faults } : {}),
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`port ${port} is already in use`, 'choose another with --port, or --port 0 for any free port');
    throw err;
  }

  const account = sandbox.store.account;
  const faultsLine = opts.faults ? `Faults:   ${opts.faults}\n` : '';
  io.stdout(
    `Zendesk sandbox listening on ${sandbox.url}\n` +
      `API base: ${sandbox.baseUrl}\n` +
      `Seed:     ${opts.seed ?? 'built-in (the shared sandbox world, matches orgs/)'}\n` +
      `Rate:     ${rpm > 0 ? `${rpm} requests/minute` : 'unlimited'}\n` +
      faultsLine +
      `Control:  ${sandbox.url}/__sandbox/log · POST ${sandbox.url}/__sandbox/reset\n` +
      `\n` +
      `Point orgshare at it (sandbox demo credentials, not a real account):\n` +
      `  export ZENDESK_API_URL=${sandbox.baseUrl}\n` +
      `  export ZENDESK_SUBDOMAIN=${account.subdomain}\n` +
      `  export ZENDESK_EMAIL=${account.email}\n` +
      `  export ZENDESK_API_TOKEN=${account.apiToken}\n` +
      `\n` +
      `Press Ctrl+C to stop.\n`,
  );

  const stop =
    stopSignal ??
    new Promise<string>((resolve) => {
      const onSignal = (sig: NodeJS.Signals) => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve(sig);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
  await stop;
  await sandbox.close();
  io.stderr('Sandbox stopped.\n');
  return 0;
}
