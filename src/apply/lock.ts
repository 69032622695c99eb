/**
 * The apply lock: at most one `orgshare apply` writes to a Zendesk account at a time,
 * whichever machine runs it (the CI apply job, an engineer's laptop), with nothing but
 * Zendesk to coordinate through. `plan`, `drift`, `validate` and `import` never take it.
 *
 * Where it lives: one line in the `notes` of the API user (the user the token belongs to),
 * read with GET users/me and written with PUT users/{id} (synchronous, no bulk job). An admin can see it in
 * Zendesk (the user's profile → Notes) and delete it by hand:
 *
 *   [orgshare-apply-lock] id=5c0f… host=runner-7 pid=2412 acquired=2026-11-23T10:00:00.000Z expires=2026-11-23T10:30:00.000Z orgs=360000000101,360000000103 (delete this line to release a stale lock)
 *
 * `orgs=` names the organizations the apply changes (`*` past MAX_LOCK_ORGS, or when
 * absent: any), so that `drift` reports them as "apply in progress" instead of drift
 * (docs/drift-and-import.md). It is informational: the lock itself covers the account.
 *
 * Protocol. Zendesk has no compare-and-set for users, so a lock is taken by writing and
 * then looking again after everyone else's write must have landed:
 *   1. read users/me. A live line of another apply → refuse before writing anything;
 *   2. write notes = the notes without lock lines + our line (the bulk job is awaited);
 *   3. when 1→2 took longer than `settleMs` → refuse (`lock_timeout`), leaving our line;
 *   4. wait `settleMs`, read users/me again: our line is there → the lock is ours;
 *      otherwise another apply wrote after us → refuse (`lock_lost`) without touching it.
 * Why two applies cannot both hold it: say A's write landed first (at Ca) and B's later
 * (at Cb). A holds only if at its second read (≥ Ca + settle) its own line was still
 * there, so Cb came after that read. B wrote only because its first read (Rb) saw no live
 * line of A, so Rb was before Ca. Then Cb − Rb > settle, and B refuses in step 3. Every
 * apply of one account must use the same `settleMs` (the default depends only on the API
 * host), and Zendesk must show a completed write to reads that start after it (replica lag
 * counts against `settleMs`, hence the generous default).
 *
 * Expiry: a line is live until `expires` (the owner's clock; default TTL 30 min) and, on
 * the same host, only while its process exists, so a crashed apply blocks others at most
 * until its lock expires (at once on its own machine). A line that cannot be parsed counts
 * as held: refusing is the safe reading of a lock nobody understands.
 *
 * Release removes only our own line and keeps everything else in the notes byte for byte;
 * it never throws for Zendesk errors (the lock then expires by itself), so a failed
 * release cannot hide the apply report. Step 3 leaves our line in place on purpose: a slow
 * write may have replaced the line of an apply that holds the lock, and ours now stands
 * in for it until it expires.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleepMs } from 'node:timers/promises';
import { ApplyLockError, InternalError, ReadOnlyViolation, redact } from '../errors.js';
import type { ObservedUser } from '../model/observed.js';
import { isLoopbackUrl } from '../remote/env.js';
import type { Adapter } from '../remote/types.js';

export const LOCK_PREFIX = '[orgshare-apply-lock]';
const LOCK_SUFFIX = '(delete this line to release a stale lock)';

/** More organizations than this are written as `orgs=*` (the notes field stays short). */
export const MAX_LOCK_ORGS = 100;

/** Default lifetime of a lock that is never released (a crashed apply). */
export const DEFAULT_LOCK_TTL_MS = 30 * 60_000;
/** Settle time against Zendesk: well above a bulk job's usual 1–5 s, plus replica lag. */
export const DEFAULT_SETTLE_MS = 15_000;
/** Settle time against a sandbox on this machine (its jobs finish within ~0.3 s). */
export const LOOPBACK_SETTLE_MS = 1_000;


export interface ApplyLockOptions {
  /** How long the lock stays valid if never released (default 30 min). */
  ttlMs?: number;
  /** See the protocol above; default by API host (15 s, 1 s for a loopback sandbox). */
  settleMs?: number;
  /** Wall clock for `acquired`/`expires` (default: the system clock). */
  now?: () => Date;
  /** Monotonic milliseconds, for measuring the write (default performance.now). */
  monotonic?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** This process: shown in the lock line (defaults: os.hostname(), process.pid). */
  host?: string;
  pid?: number;
  /** Whether a pid on this host still runs (default: process.kill(pid, 0)). */
  isAlive?: (pid: number) => boolean;
  /** The organizations this apply changes, written as `orgs=` for drift to see. */
  orgIds?: number[];
}

/** A lock line as read from the notes. */
export interface LockLine {
  /** The whole line, as written. */
  text: string;
  id: string | null;
  host: string | null;
  pid: number | null;
  acquired: string | null;
  expires: string | null;
  /** The organizations being applied; null when the line does not say (any of them). */
  orgs: number[] | null;
}

/** The held lock; pass it to releaseApplyLock. */
export interface ApplyLock {
  userId: number;
  id: string;
  line: string;
  host: string;
  pid: number;
  acquiredAt: string;
  expiresAt: string;
  /** The notes as we wrote them, and as they were without any lock line. */
  written: string;
  before: string;
}

export { ApplyLockError, type ApplyLockCode } from '../errors.js';

/** Lowest settle time the sandbox override accepts. */
const MIN_LOOPBACK_SETTLE_MS = 100;

/**
 * The default settle time for an API base URL: short only for a sandbox on this machine.
 * `ORGSHARE_LOCK_SETTLE_MS` may shorten it further, for a loopback sandbox only (the test
 * suite runs hundreds of applies); against any other host it is ignored.
 */
export function defaultSettleMs(baseUrl: string | undefined, env: NodeJS.ProcessEnv = process.env): number {
  if (!baseUrl) return DEFAULT_SETTLE_MS;
  if (!isLoopbackUrl(baseUrl)) return DEFAULT_SETTLE_MS;
  const override = Number(env.ORGSHARE_LOCK_SETTLE_MS);
  return Number.isFinite(override) && override >= MIN_LOOPBACK_SETTLE_MS ? override : LOOPBACK_SETTLE_MS;
}

/** The lock lines in a notes text (lines starting with LOCK_PREFIX). */
export function parseLockLines(notes: string | null): LockLine[] {
  if (!notes) return [];
  const out: LockLine[] = [];
  for (const raw of notes.split('\n')) {
    const text = raw.replace(/\r$/, '');
    if (!text.trimStart().startsWith(LOCK_PREFIX)) continue;
    const field = (name: string, re: string) => new RegExp(`(?:^|\\s)${name}=(${re})(?=\\s|$)`).exec(text)?.[1] ?? null;
    const pid = field('pid', '\\d{1,10}');
    const orgs = field('orgs', '\\d{1,20}(?:,\\d{1,20}){0,' + String(MAX_LOCK_ORGS) + '}');
    out.push({
      text,
      id: field('id', '[0-9a-f]{8,64}'),
      host: field('host', '\\S{1,255}'),
      pid: pid === null ? null : Number(pid),
      acquired: field('acquired', '\\S+'),
      expires: field('expires', '\\S+'),
      orgs: orgs === null ? null : orgs.split(',').map(Number),
    });
  }
  return out;
}

/** The notes without any lock line; every other byte kept. */
export function withoutLockLines(notes: string | null): string {
  if (!notes) return '';
  const kept = notes.split('\n').filter((l) => !l.replace(/\r$/, '').trimStart().startsWith(LOCK_PREFIX));
  return kept.join('\n');
}

function appendLine(text: string, line: string): string {
  if (text === '') return line;
  return text.endsWith('\n') ? `${text}${line}` : `${text}\n${line}`;
}

function formatLine(id: string, host: string, pid: number, acquired: string, expires: string, orgIds?: number[]): string {
  const ids = orgIds === undefined ? [] : [...new Set(orgIds)].sort((a, b) => a - b);
  const orgs = orgIds === undefined ? '' : ` orgs=${ids.length === 0 || ids.length > MAX_LOCK_ORGS ? '*' : ids.join(',')}`;
  return `${LOCK_PREFIX} id=${id} host=${host} pid=${pid} acquired=${acquired} expires=${expires}${orgs} ${LOCK_SUFFIX}`;
}

function defaultIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Lock ids this process holds right now. A line written by this very process (same host
 * and pid) whose id is not here was left behind by an earlier apply of this process whose
 * release failed: it is stale, whatever its expiry (a long-lived process such as a test
 * run or a service must not lock itself out for the TTL).
 */
const heldHere = new Set<string>();

/** Why a lock line no longer counts, or null when it is live. */
export function staleReason(
  line: LockLine,
  now: Date,
  self: { host: string; isAlive: (pid: number) => boolean; pid?: number },
): string | null {
  const expires = line.expires === null ? NaN : Date.parse(line.expires);
  if (!Number.isNaN(expires) && expires <= now.getTime()) return `expired at ${line.expires}`;
  if (self.pid !== undefined && line.host === self.host && line.pid === self.pid && line.id !== null && !heldHere.has(line.id)) {
    return `left behind by an earlier apply of this process (${line.pid} on ${line.host})`;
  }
  if (line.host !== null && line.host === self.host && line.pid !== null && !self.isAlive(line.pid)) {
    return `process ${line.pid} on ${line.host} is gone`;
  }
  // Live, including a line whose expiry or owner cannot be read (see the header).
  return null;
}

/**
 * The live lock lines in the notes of the API user, as another process sees them (drift):
 * not expired and, on this host, held by a running process. Lines that cannot be read
 * count as live, as for apply.
 */
export function liveLockLines(notes: string | null, now: Date, isAlive: (pid: number) => boolean = defaultIsAlive): LockLine[] {
  const host = hostname().replace(/\s+/g, '_') || 'unknown-host';
  return parseLockLines(notes).filter((l) => staleReason(l, now, { host, isAlive }) === null);
}

/** "another apply (host runner-7, pid 2412, since …, until …)". */
export function describeHolder(line: LockLine): string {
  if (line.id === null || line.expires === null) return `an unreadable lock line ("${line.text.slice(0, 200)}")`;
  return `another apply (host ${line.host ?? '?'}, pid ${line.pid ?? '?'}, since ${line.acquired ?? '?'}, until ${line.expires})`;
}

function releaseHint(user: ObservedUser): string {
  const who = user.email ?? `user ${user.id}`;
  return (
    'wait for the other apply to finish and run apply again. If no apply is running (it crashed), the lock expires by itself ' +
    `at the time shown, or an admin can delete the line starting with ${LOCK_PREFIX} from the notes of ${who} in Zendesk`
  );
}

/**
 * Takes the apply lock for the account behind `adapter` (a writing adapter), or throws
 * ApplyLockError. Call it after the plan was accepted and before the first write, and
 * plan again once it is held: another apply may have finished in the meantime.
 */
export async function acquireApplyLock(adapter: Adapter, opts: ApplyLockOptions = {}): Promise<ApplyLock> {
  const now = opts.now ?? (() => new Date());
  const monotonic = opts.monotonic ?? (() => performance.now());
  const sleep = opts.sleep ?? ((ms: number) => sleepMs(ms).then(() => undefined));
  const ttlMs = opts.ttlMs ?? DEFAULT_LOCK_TTL_MS;
  const settleMs = opts.settleMs ?? defaultSettleMs(adapter.baseUrl);
  const host = (opts.host ?? hostname()).replace(/\s+/g, '_') || 'unknown-host';
  const pid = opts.pid ?? process.pid;
  const isAlive = opts.isAlive ?? defaultIsAlive;
  if (!(ttlMs > settleMs)) throw new InternalError(`apply lock: ttlMs (${ttlMs}) must exceed settleMs (${settleMs})`);

  const started = monotonic();
  const me = await readMe(adapter, 'read the apply lock');
  const at = now();
  const held = parseLockLines(me.notes).find((l) => staleReason(l, at, { host, isAlive, pid }) === null);
  if (held) {
    throw new ApplyLockError(
      'locked',
      `refusing to apply: ${describeHolder(held)} holds the apply lock for this account; nothing was written`,
      releaseHint(me),
      held,
    );
  }

  const id = randomBytes(8).toString('hex');
  const acquiredAt = at.toISOString();
  const expiresAt = new Date(at.getTime() + ttlMs).toISOString();
  const line = formatLine(id, host, pid, acquiredAt, expiresAt, opts.orgIds);
  const before = withoutLockLines(me.notes);
  const written = appendLine(before, line);
  await writeNotes(adapter, me.id, written, 'write the apply lock');
  const took = monotonic() - started;
  if (took > settleMs) {
    throw new ApplyLockError(
      'lock_timeout',
      `refusing to apply: writing the apply lock took ${Math.round(took)} ms (limit ${settleMs} ms), so another apply may have started meanwhile; nothing else was written`,
      `run apply again. The lock line written (id=${id}) expires at ${expiresAt}; if no other apply runs, an admin may delete it from the notes of ${me.email ?? `user ${me.id}`}`,
    );
  }

  await sleep(settleMs);
  const again = await readMe(adapter, 'confirm the apply lock');
  const lines = parseLockLines(again.notes);
  if (!lines.some((l) => l.id === id)) {
    const other = lines.find((l) => l.id !== id && staleReason(l, now(), { host, isAlive, pid }) === null) ?? null;
    throw new ApplyLockError(
      'lock_lost',
      `refusing to apply: ${other ? describeHolder(other) : 'another apply'} took the apply lock at the same time; nothing else was written`,
      releaseHint(again),
      other,
    );
  }
  heldHere.add(id);
  return { userId: me.id, id, line, host, pid, acquiredAt, expiresAt, written, before };
}

export interface ReleaseResult {
  released: boolean;
  /** Why not, for a warning; never contains secrets. */
  reason?: string;
}

/**
 * Removes our lock line. Other lines and text are kept; when the notes are exactly as we
 * wrote them, the notes as they were before are restored. Never throws for Zendesk
 * errors: the lock then expires at `lock.expiresAt`.
 */
export async function releaseApplyLock(adapter: Adapter, lock: ApplyLock): Promise<ReleaseResult> {
  // From here on the apply is over: a line that survives a failed release is stale here.
  heldHere.delete(lock.id);
  try {
    const me = await adapter.me();
    if (me.id !== lock.userId) return { released: false, reason: `the API user is ${me.id}, the lock is in the notes of ${lock.userId}` };
    const lines = parseLockLines(me.notes);
    if (!lines.some((l) => l.id === lock.id)) return { released: false, reason: 'the lock line is no longer there (removed or replaced)' };
    const next =
      me.notes === lock.written
        ? lock.before
        : (me.notes ?? '')
            .split('\n')
            .filter((l) => parseLockLines(l)[0]?.id !== lock.id)
            .join('\n');
    await writeNotes(adapter, me.id, next, 'release the apply lock');
    return { released: true };
  } catch (err) {
    if (err instanceof ReadOnlyViolation || err instanceof InternalError) throw err;
    return { released: false, reason: redact(err instanceof Error ? err.message : String(err)) };
  }
}

async function readMe(adapter: Adapter, what: string): Promise<ObservedUser> {
  try {
    return await adapter.me();
  } catch (err) {
    if (err instanceof ReadOnlyViolation || err instanceof InternalError) throw err;
    throw lockFailed(what, err);
  }
}

/** One synchronous user update (not a bulk job): the write must land within the settle time. */
async function writeNotes(adapter: Adapter, userId: number, notes: string, what: string): Promise<void> {
  try {
    await adapter.updateUser(userId, { notes });
  } catch (err) {
    if (err instanceof ReadOnlyViolation || err instanceof InternalError) throw err;
    throw lockFailed(what, err);
  }
}

function lockFailed(what: string, err: unknown): ApplyLockError {
  return new ApplyLockError(
    'lock_failed',
    `refusing to apply: could not ${what}: ${redact(err instanceof Error ? err.message : String(err))}; nothing else was written`,
    'the apply lock lives in the notes of the API user (users/me): the token must be allowed to update that user. Run apply again',
  );
}
