/**
 * The error model: few classes, each with a stable code. One top-level handler
 * (src/cli.ts) maps them to the contract's exit codes. Messages must never carry secrets:
 * anything that may contain request data goes through `redact` first.
 */
import type { CheckId } from './model/plan.js';

export const EXIT = { ok: 0, failed: 1, changes: 2 } as const;

/** One problem in the user's input, located in a file. */
export interface Problem {
  code: string;
  /** The contract's pre-check id this problem belongs to. */
  check: CheckId;
  message: string;
  file: string;
  line: number;
  col: number;
  value?: unknown;
  hint?: string;
}

export class OrgshareError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad command-line usage or arguments. */
export class UsageError extends OrgshareError {
  constructor(message: string, hint?: string) {
    super('usage', message, hint);
  }
}

/** Invalid configuration: carries every problem found, reported at once. */
export class ConfigError extends OrgshareError {
  constructor(readonly problems: Problem[]) {
    super('invalid_config', `${problems.length} problem${problems.length === 1 ? '' : 's'} in the configuration`);
  }
}

/** A Zendesk request failed. `retryable` separates 429/5xx/timeouts from terminal errors. */
export class RemoteError extends OrgshareError {
  constructor(
    code: string,
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
    readonly details?: unknown,
  ) {
    super(code, message);
  }
}

/** A write was attempted through a read-only transport. Nothing was sent. */
export class ReadOnlyViolation extends OrgshareError {
  constructor(method: string, path: string) {
    super('read_only', `refused ${method} ${path}: this command is read-only`);
  }
}

/** Apply refused (blocked pre-check, stale plan, no confirmation). Nothing was written. */
export class RefusedError extends OrgshareError {}

export type ApplyLockCode = 'locked' | 'lock_lost' | 'lock_timeout' | 'lock_failed';

/**
 * Apply refused because of the apply lock (docs/apply.md). Nothing but (maybe) the lock
 * line was written. `holder` is the other apply's lock line, when one was read.
 */
export class ApplyLockError extends RefusedError {
  constructor(
    code: ApplyLockCode,
    message: string,
    hint: string,
    readonly holder: { readonly text: string } | null = null,
  ) {
    super(code, message, hint);
  }
}

/** A bug: should never happen. */
export class InternalError extends OrgshareError {
  constructor(message: string) {
    super('internal', message);
  }
}

/**
 * The text printed on stderr for an error that ends a command: code-carrying errors as
 * "Error:"/"Hint:", anything else as a bug. Redacted.
 */
export function errorText(err: unknown): string {
  if (err instanceof OrgshareError) return `Error: ${redact(err.message)}\n${err.hint ? `Hint: ${redact(err.hint)}\n` : ''}`;
  const message = err instanceof Error ? err.message : String(err);
  return `Internal error: ${redact(message)}\nThis is a bug in orgshare; please report it with the command you ran.\n`;
}

const SECRET_ENV = ['ZENDESK_API_TOKEN', 'ZENDESK_OAUTH_TOKEN', 'GITHUB_TOKEN'];
const extraSecrets = new Set<string>();

/** Registers a secret value so `redact` removes it wherever it appears. */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 4) extraSecrets.add(value);
}

/** Removes registered secrets, secret env values, and Authorization header values. */
export function redact(text: string): string {
  let out = text;
  const secrets = [...extraSecrets];
  for (const name of SECRET_ENV) {
    const v = process.env[name];
    if (v && v.length >= 4) secrets.push(v);
  }
  for (const s of secrets) {
    out = out.split(s).join('[REDACTED]');
    const b64 = Buffer.from(s).toString('base64');
    if (b64.length >= 8) out = out.split(b64).join('[REDACTED]');
  }
  out = out.replace(/(authorization["']?\s*[:=]\s*["']?)(basic|bearer)\s+[A-Za-z0-9+/=._~-]+/gi, '$1$2 [REDACTED]');
  out = out.replace(/(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]{16,}/g, '$1 [REDACTED]');
  return out;
}
