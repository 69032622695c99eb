/**
 * What every command receives: global options and the process edges (streams, env,
 * clock). Commands never touch `process` directly so tests can run them in-process too.
 */
import { clockFor } from '../clock.js';
import type { Format } from '../render/format.js';

export type { Format };

export interface GlobalOptions {
  /** Config repository (contains orgs/, optional orgshare.config.yaml). */
  dir: string;
  format: Format;
  color: boolean;
}

/** The progress reporter's clock and interval (src/commands/progress.ts). */
export interface ProgressOptions {
  /** Milliseconds, monotonic (default performance.now). */
  clock?: () => number;
  /** Runs `fn` every `ms` until the returned function is called (default setInterval, unref'd). */
  every?: (fn: () => void, ms: number) => () => void;
  /** Interval of the plain log lines when stderr is not a terminal (default 30 s). */
  logEveryMs?: number;
}

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** stdout is a terminal: text output is coloured (unless --no-color / NO_COLOR). */
  stdoutIsTTY?: boolean;
  /** stderr is a terminal: progress may be drawn. */
  stderrIsTTY: boolean;
  stdinIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  /** Interactive yes/no prompt (only used when stdin is a TTY). */
  confirm?: (question: string) => Promise<boolean>;
  /** Clock and interval of the progress reporter (tests pin them; default: the system's). */
  progress?: ProgressOptions;
}

export function processIo(): Io {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    env: process.env,
    // Read at each call, so a malformed ORGSHARE_NOW surfaces as a usage error (src/clock.ts).
    now: () => clockFor(process.env)(),
  };
}
