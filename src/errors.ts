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

/** Registers a secret value so `redact` removes it wherever it appears, in any letter case. */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 4) extraSecrets.add(value);
}

/** Registers the secrets of an environment (the CLI does this first, for the env it was given). */
export function registerSecretsFrom(env: NodeJS.ProcessEnv): void {
  for (const name of SECRET_ENV) registerSecret(env[name]?.trim());
}

function knownSecrets(): string[] {
  const secrets = [...extraSecrets];
  for (const name of SECRET_ENV) {
    const v = process.env[name];
    if (v && v.length >= 4) secrets.push(v);
  }
  return secrets;
}

const ECHO_LIMIT = 40;
const SHARED_RUN = 6;

/**
 * How a message may show the value of an environment variable (docs/security.md): quoted,
 * control characters escaped, at most 40 characters, and never when it shares six
 * characters in a row with a secret (in any letter case) or looks like a token itself
 * (24+ characters of letters and digits mixed): then only its length is shown.
 */
export function echoEnvValue(value: string | undefined): string {
  if (value === undefined) return '(unset)';
  const lower = value.toLowerCase();
  const overlaps = knownSecrets().some((secret) => {
    const s = secret.toLowerCase();
    if (lower.includes(s)) return true;
    for (let i = 0; i + SHARED_RUN <= lower.length; i++) if (s.includes(lower.slice(i, i + SHARED_RUN))) return true;
    return false;
  });
  const tokenLike = value.length >= 24 && /^[A-Za-z0-9_\-+/=.]+$/.test(value) && /\d/.test(value) && /[A-Za-z]/.test(value);
  if (overlaps || tokenLike) return `(${value.length} characters, not shown: it looks like a secret)`;
  const shown = value.length > ECHO_LIMIT ? `${value.slice(0, ECHO_LIMIT)}…` : value;
  return JSON.stringify(shown).replace(/[\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Removes registered secrets, secret env values, and Authorization header values. */
export function redact(text: string): string {
  let out = text;
  for (const s of knownSecrets()) {
    // Any letter case: a value may have been lowercased on its way (a subdomain is).
    out = out.replace(new RegExp(escapeRegExp(s), 'gi'), '[REDACTED]');
    for (const b64 of [Buffer.from(s).toString('base64').replace(/=+$/, ''), Buffer.from(s).toString('base64url')]) {
      if (b64.length >= 8) out = out.split(b64).join('[REDACTED]');
    }
  }
  out = out.replace(/(authorization["']?\s*[:=]\s*["']?)(basic|bearer)\s+[A-Za-z0-9+/=._~-]+/gi, '$1$2 [REDACTED]');
  out = out.replace(/(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]{16,}/g, '$1 [REDACTED]');
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
