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
 *   2. write notes = the notes without stale lock lines + our line (one synchronous PUT,
 *      sent once: a 429 means Zendesk did not apply it, so acquisition starts again at 1,
 *      at most MAX_ATTEMPTS times);
 *   3. when 1→2 took longer than `settleMs` (or the write's outcome is unknown) → refuse
 *      (`lock_timeout`, `lock_failed`) and remove our line again once it must have landed;
 *   4. wait `settleMs`, read users/me again: our line is there → the lock is ours;
 *      otherwise another apply wrote after us → refuse (`lock_lost`) without touching it.
 * Why two applies cannot both hold it: say A's write landed first (at Ca) and B's later
 * (at Cb). A holds only if at its second read (≥ Ca + settle) its own line was still
 * there, so Cb came after that read. B wrote only because its first read (Rb) saw no live
 * line of A, so Rb was before Ca. Then Cb − Rb > settle, and B refuses in step 3. Every
 * apply of one account must use the same `settleMs` (the default depends only on the API
 * host), and Zendesk must show a completed write to reads that start after it (replica lag
 * counts against `settleMs`, hence the generous default). (B's late write may have
 * replaced A's line; B then removes its own line and A holds on without a visible line:
 * that needs one PUT to take longer than the settle time, 15 s, see docs/security.md.)
 *
 * Life of a line (docs/security.md, "The apply lock"): live until its expiry, which is
 * `expires` but never later than `acquired` + the maximum TTL, whatever the line says; on
 * the same host only while its process exists (same pid and, where /proc tells, the same
 * process start, so a reused pid does not keep it alive). A line orgshare cannot read
 * (no id, no times, acquired in the future) was not written by orgshare: it is reported
 * and ignored, and kept byte for byte. Stale lines are removed by the next write of any
 * apply (`acquireApplyLock`, and `cleanStaleLockLines` for an apply with nothing to do).
 *
 * Release removes only our own line and keeps everything else in the notes byte for byte;
 * it never throws for Zendesk errors (the lock then expires by itself), so a failed
 * release cannot hide the apply report.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleepMs } from 'node:timers/promises';
import { ApplyLockError, InternalError, ReadOnlyViolation, RemoteError, redact } from '../errors.js';
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
  /** No line lives longer than this after its `acquired`, whatever its `expires` says (default 30 min, at least ttlMs). */
  maxTtlMs?: number;
  /** See the protocol above; default by API host (15 s, 1 s for a loopback sandbox). */
  settleMs?: number;
  /** Wall clock for `acquired`/`expires` (default: the system clock). */
  now?: () => Date;
  /** Monotonic milliseconds, for measuring the write (default performance.now). */
  monotonic?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** This process: shown in the lock line (defaults: os.hostname(), process.pid, its start from /proc). */
  host?: string;
  pid?: number;
  start?: string | null;
  /** Whether a pid on this host still runs as the process that started at `start` (default: kill(pid, 0) and /proc). */
  isAlive?: (pid: number, start: string | null) => boolean;
  /** Lines that are ignored (unreadable or absurd) or removed, for a warning; never contains secrets. */
  onNotice?: (message: string) => void;
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
  /** The owner process's start (clock ticks since boot, from /proc), when its host has /proc. */
  start: string | null;
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
  /** The notes as we wrote them, and as they were without our line. */
  written: string;
  before: string;
}

export { ApplyLockError, type ApplyLockCode } from '../errors.js';

/** Lowest settle time the sandbox override accepts. */
const MIN_LOOPBACK_SETTLE_MS = 100;
/** Acquisitions started again after a 429 on the lock write (Zendesk applied nothing). */
const MAX_ATTEMPTS = 3;

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

function isLockLine(raw: string): boolean {
  return raw.replace(/\r$/, '').trimStart().startsWith(LOCK_PREFIX);
}

/** The lock lines in a notes text (lines starting with LOCK_PREFIX). */
export function parseLockLines(notes: string | null): LockLine[] {
  if (!notes) return [];
  const out: LockLine[] = [];
  for (const raw of notes.split('\n')) {
    if (!isLockLine(raw)) continue;
    const text = raw.replace(/\r$/, '');
    const field = (name: string, re: string) => new RegExp(`(?:^|\\s)${name}=(${re})(?=\\s|$)`).exec(text)?.[1] ?? null;
    const pid = field('pid', '\\d{1,10}');
    const orgs = field('orgs', '\\d{1,20}(?:,\\d{1,20}){0,' + String(MAX_LOCK_ORGS) + '}');
    out.push({
      text,
      id: field('id', '[0-9a-f]{8,64}'),
      host: field('host', '\\S{1,255}'),
      pid: pid === null ? null : Number(pid),
      start: field('start', '\\d{1,20}'),
      acquired: field('acquired', '\\S+'),
      expires: field('expires', '\\S+'),
      orgs: orgs === null ? null : orgs.split(',').map(Number),
    });
  }
  return out;
}

/** The notes without the lock lines `drop` selects; every other byte kept. */
function withoutLines(notes: string | null, drop: (line: LockLine) => boolean): string {
  if (!notes) return '';
  // Each line with its own terminator, so removing one keeps the others' bytes exactly.
  return notes
    .split(/(?<=\n)/)
    .filter((piece) => {
      const raw = piece.replace(/\n$/, '');
      if (!isLockLine(raw)) return true;
      const line = parseLockLines(raw)[0];
      return line === undefined || !drop(line);
    })
    .join('');
}

/** The notes without any lock line; every other byte kept. */
export function withoutLockLines(notes: string | null): string {
  return withoutLines(notes, () => true);
}

function appendLine(text: string, line: string): string {
  if (text === '') return line;
  return text.endsWith('\n') ? `${text}${line}` : `${text}\n${line}`;
}

function formatLine(id: string, host: string, pid: number, start: string | null, acquired: string, expires: string, orgIds?: number[]): string {
  const started = start === null ? '' : ` start=${start}`;
  const ids = orgIds === undefined ? [] : [...new Set(orgIds)].sort((a, b) => a - b);
  const orgs = orgIds === undefined ? '' : ` orgs=${ids.length === 0 || ids.length > MAX_LOCK_ORGS ? '*' : ids.join(',')}`;
  return `${LOCK_PREFIX} id=${id} host=${host} pid=${pid}${started} acquired=${acquired} expires=${expires}${orgs} ${LOCK_SUFFIX}`;
}

/**
 * When a process started, as clock ticks since boot (field 22 of /proc/PID/stat), or null
 * where there is no /proc. Compared only with values read the same way on the same host.
 */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) may contain spaces and parentheses: count after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = fields[19];
    return start !== undefined && /^\d+$/.test(start) ? start : null;
  } catch {
    return null;
  }
}

function defaultIsAlive(pid: number, start: string | null): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A pid the system gave to a newer process is not the owner any more.
  if (start === null) return true;
  const now = processStart(pid);
  return now === null || now === start;
}

/**
 * Lock ids this process holds right now. A line written by this very process (same host
 * and pid) whose id is not here was left behind by an earlier apply of this process whose
 * release failed: it is stale, whatever its expiry (a long-lived process such as a test
 * run or a service must not lock itself out for the TTL).
 */
const heldHere = new Set<string>();

interface Self {
  host: string;
  pid?: number;
  isAlive: (pid: number, start: string | null) => boolean;
  maxTtlMs: number;
}

/** What a line means now: held by someone (until when), stale (why), or not orgshare's (why). */
export type LineStatus =
  | { kind: 'live'; until: string }
  | { kind: 'stale'; reason: string }
  | { kind: 'unreadable'; reason: string };

export function lineStatus(line: LockLine, now: Date, self: Self): LineStatus {
  const acquired = line.acquired === null ? NaN : Date.parse(line.acquired);
  const expires = line.expires === null ? NaN : Date.parse(line.expires);
  if (line.id === null || Number.isNaN(acquired) || Number.isNaN(expires)) {
    return { kind: 'unreadable', reason: 'it has no id, acquired or expires orgshare can read' };
  }
  if (acquired > now.getTime() + self.maxTtlMs) return { kind: 'unreadable', reason: `it was acquired in the future (${line.acquired})` };
  // Bounded by the maximum lifetime whatever the line says (expires=9999-… is not forever).
  const until = Math.min(expires, acquired + self.maxTtlMs);
  if (until <= now.getTime()) return { kind: 'stale', reason: `expired at ${new Date(until).toISOString()}` };
  if (self.pid !== undefined && line.host === self.host && line.pid === self.pid && !heldHere.has(line.id)) {
    return { kind: 'stale', reason: `left behind by an earlier apply of this process (${line.pid} on ${line.host})` };
  }
  if (line.host !== null && line.host === self.host && line.pid !== null && !self.isAlive(line.pid, line.start)) {
    return { kind: 'stale', reason: `process ${line.pid} on ${line.host} is gone` };
  }
  return { kind: 'live', until: new Date(until).toISOString() };
}

/** Why a lock line no longer counts, or null when it is live (unreadable lines do not count). */
export function staleReason(line: LockLine, now: Date, self: Omit<Self, 'maxTtlMs'> & { maxTtlMs?: number }): string | null {
  const status = lineStatus(line, now, { maxTtlMs: DEFAULT_LOCK_TTL_MS, ...self });
  return status.kind === 'live' ? null : status.reason;
}

/**
 * The live lock lines in the notes of the API user, as another process sees them (drift):
 * live as for apply (lineStatus); lines orgshare cannot read are not orgshare's and do not
 * count.
 */
export function liveLockLines(notes: string | null, now: Date, isAlive: (pid: number, start: string | null) => boolean = defaultIsAlive): LockLine[] {
  const host = hostname().replace(/\s+/g, '_') || 'unknown-host';
  return parseLockLines(notes).filter((l) => lineStatus(l, now, { host, isAlive, maxTtlMs: DEFAULT_LOCK_TTL_MS }).kind === 'live');
}

/** A bounded, single-line excerpt of a line nobody can vouch for (it is never echoed whole). */
function excerpt(text: string): string {
  const flat = [...text].map((c) => (/[\p{Cc}\p{Cf}]/u.test(c) ? '?' : c)).join('');
  return JSON.stringify(redact(flat.length > 120 ? `${flat.slice(0, 120)}…` : flat));
}

/** "another apply (host runner-7, pid 2412, since …, until …, lock id …)"; `until` defaults to the bounded expiry. */
export function describeHolder(line: LockLine, until?: string): string {
  let end = until;
  if (end === undefined) {
    const acquired = line.acquired === null ? NaN : Date.parse(line.acquired);
    const expires = line.expires === null ? NaN : Date.parse(line.expires);
    end = Number.isNaN(acquired) || Number.isNaN(expires) ? (line.expires ?? '?') : new Date(Math.min(expires, acquired + DEFAULT_LOCK_TTL_MS)).toISOString();
  }
  return `another apply (host ${line.host ?? '?'}, pid ${line.pid ?? '?'}, since ${line.acquired ?? '?'}, until ${end}, lock id ${line.id ?? '?'})`;
}

function releaseHint(user: ObservedUser, until: string | null, id: string | null): string {
  const who = user.email ?? `user ${user.id}`;
  return (
    'wait for the other apply to finish and run apply again. If no apply is running (it crashed), the lock expires by itself ' +
    `${until ? `at ${until}` : 'at the time shown'}; or remove it now${id ? ` with \`orgshare apply --force-unlock ${id}\`` : ''}, or an admin can delete the line starting with ${LOCK_PREFIX} from the notes of ${who} in Zendesk`
  );
}

interface Resolved {
  now: () => Date;
  monotonic: () => number;
  sleep: (ms: number) => Promise<void>;
  ttlMs: number;
  settleMs: number;
  self: Self & { pid: number; start: string | null };
  notice: (message: string) => void;
}

function resolveOptions(adapter: Adapter, opts: ApplyLockOptions): Resolved {
  const ttlMs = opts.ttlMs ?? DEFAULT_LOCK_TTL_MS;
  const settleMs = opts.settleMs ?? defaultSettleMs(adapter.baseUrl);
  if (!(ttlMs > settleMs)) throw new InternalError(`apply lock: ttlMs (${ttlMs}) must exceed settleMs (${settleMs})`);
  const pid = opts.pid ?? process.pid;
  return {
    now: opts.now ?? (() => new Date()),
    monotonic: opts.monotonic ?? (() => performance.now()),
    sleep: opts.sleep ?? ((ms: number) => sleepMs(ms).then(() => undefined)),
    ttlMs,
    settleMs,
    self: {
      host: (opts.host ?? hostname()).replace(/\s+/g, '_') || 'unknown-host',
      pid,
      start: opts.start !== undefined ? opts.start : opts.pid === undefined ? processStart(pid) : null,
      isAlive: opts.isAlive ?? defaultIsAlive,
      maxTtlMs: Math.max(opts.maxTtlMs ?? DEFAULT_LOCK_TTL_MS, ttlMs),
    },
    notice: opts.onNotice ?? (() => undefined),
  };
}

/** Sorts the lock lines of a notes text, reporting the ones orgshare ignores. */
function classify(notes: string | null, at: Date, o: Resolved): { live: { line: LockLine; until: string }[]; stale: LockLine[] } {
  const live: { line: LockLine; until: string }[] = [];
  const stale: LockLine[] = [];
  for (const line of parseLockLines(notes)) {
    const status = lineStatus(line, at, o.self);
    if (status.kind === 'live') live.push({ line, until: status.until });
    else if (status.kind === 'stale') stale.push(line);
    else o.notice(`ignoring a line in the API user's notes that looks like an apply lock but is not one orgshare wrote (${status.reason}): ${excerpt(line.text)}`);
  }
  return { live, stale };
}

/**
 * Takes the apply lock for the account behind `adapter` (a writing adapter), or throws
 * ApplyLockError. Call it after the plan was accepted and before the first write, and
 * plan again once it is held: another apply may have finished in the meantime. Give it
 * an adapter whose transport does not retry (maxRetries 0): a 429 on the lock write then
 * starts the acquisition again instead of landing late.
 */
export async function acquireApplyLock(adapter: Adapter, opts: ApplyLockOptions = {}): Promise<ApplyLock> {
  const o = resolveOptions(adapter, opts);
  for (let attempt = 1; ; attempt++) {
    const started = o.monotonic();
    const me = await readMe(adapter, 'read the apply lock', o);
    const at = o.now();
    const { live, stale } = classify(me.notes, at, o);
    const held = live[0];
    if (held) {
      throw new ApplyLockError(
        'locked',
        `refusing to apply: ${describeHolder(held.line, held.until)} holds the apply lock for this account; nothing was written`,
        releaseHint(me, held.until, held.line.id),
        held.line,
      );
    }

    const id = randomBytes(8).toString('hex');
    const acquiredAt = at.toISOString();
    const expiresAt = new Date(at.getTime() + o.ttlMs).toISOString();
    const line = formatLine(id, o.self.host, o.self.pid, o.self.start, acquiredAt, expiresAt, opts.orgIds);
    const staleIds = new Set(stale.map((l) => l.text));
    for (const l of stale) o.notice(`removing a stale apply lock line (${staleReason(l, at, o.self) ?? 'stale'}): ${excerpt(l.text)}`);
    const before = withoutLines(me.notes, (l) => staleIds.has(l.text));
    const written = appendLine(before, line);
    try {
      await adapter.updateUser(me.id, { notes: written });
    } catch (err) {
      if (err instanceof ReadOnlyViolation || err instanceof InternalError) throw err;
      // 429: Zendesk did not apply the write, so there is no line of ours: start again.
      if (err instanceof RemoteError && err.status === 429 && attempt < MAX_ATTEMPTS) {
        await o.sleep(o.settleMs);
        continue;
      }
      const cleaned = err instanceof RemoteError && err.status === 429 ? 'no line of it was written' : await removeOwnLine(adapter, me.id, id, { written, before }, o);
      throw new ApplyLockError(
        'lock_failed',
        `refusing to apply: could not write the apply lock: ${redact(err instanceof Error ? err.message : String(err))}; ${cleaned}; nothing else was written`,
        'the apply lock lives in the notes of the API user (users/me): the token must be allowed to update that user. Run apply again',
      );
    }
    const took = o.monotonic() - started;
    if (took > o.settleMs) {
      const cleaned = await removeOwnLine(adapter, me.id, id, { written, before }, o);
      throw new ApplyLockError(
        'lock_timeout',
        `refusing to apply: writing the apply lock took ${Math.round(took)} ms (limit ${o.settleMs} ms), so another apply may have started meanwhile; ${cleaned}; nothing else was written`,
        'run apply again',
      );
    }

    await o.sleep(o.settleMs);
    const again = await readMe(adapter, 'confirm the apply lock', o);
    if (!parseLockLines(again.notes).some((l) => l.id === id)) {
      const other = classify(again.notes, o.now(), { ...o, notice: () => undefined }).live[0] ?? null;
      throw new ApplyLockError(
        'lock_lost',
        `refusing to apply: ${other ? describeHolder(other.line, other.until) : 'another apply'} took the apply lock at the same time; nothing else was written`,
        releaseHint(again, other?.until ?? null, other?.line.id ?? null),
        other?.line ?? null,
      );
    }
    heldHere.add(id);
    return { userId: me.id, id, line, host: o.self.host, pid: o.self.pid, acquiredAt, expiresAt, written, before };
  }
}

/**
 * A failed acquisition's cleanup: once our write must have landed (one settle time), read
 * the notes and remove our line if it is there. Returns what happened, for the message.
 */
async function removeOwnLine(adapter: Adapter, userId: number, id: string, ours: { written: string; before: string }, o: Resolved): Promise<string> {
  try {
    await o.sleep(o.settleMs);
    const me = await adapter.me();
    if (!parseLockLines(me.notes).some((l) => l.id === id)) return 'its lock line is not in Zendesk';
    await adapter.updateUser(userId, { notes: me.notes === ours.written ? ours.before : withoutLines(me.notes, (l) => l.id === id) });
    return 'its lock line was removed again';
  } catch (err) {
    if (err instanceof ReadOnlyViolation || err instanceof InternalError) throw err;
    return `its lock line (id=${id}) could not be removed and expires by itself`;
  }
}

/**
 * For a run that can write but has nothing to apply: removes stale lock lines (expired, or
 * of a process of this host that is gone) so a crashed apply's line does not outlive it.
 * One read; a write only when there is something to remove. Never throws for Zendesk
 * errors. Returns the number of lines removed.
 */
export async function cleanStaleLockLines(adapter: Adapter, opts: ApplyLockOptions = {}): Promise<number> {
  const o = resolveOptions(adapter, opts);
  try {
    const me = await adapter.me();
    const at = o.now();
    const { stale } = classify(me.notes, at, o);
    if (stale.length === 0) return 0;
    for (const l of stale) o.notice(`removing a stale apply lock line (${staleReason(l, at, o.self) ?? 'stale'}): ${excerpt(l.text)}`);
    const texts = new Set(stale.map((l) => l.text));
    await adapter.updateUser(me.id, { notes: withoutLines(me.notes, (l) => texts.has(l.text)) });
    return stale.length;
  } catch (err) {
    if (err instanceof ReadOnlyViolation || err instanceof InternalError) throw err;
    o.notice(`could not check the apply lock for stale lines: ${redact(err instanceof Error ? err.message : String(err))}`);
    return 0;
  }
}

/** The lock line with this id in the API user's notes, with its holder described, or null. */
export async function findLockLine(adapter: Adapter, id: string, opts: ApplyLockOptions = {}): Promise<{ line: LockLine; holder: string } | null> {
  const o = resolveOptions(adapter, opts);
  const me = await readMe(adapter, 'read the apply lock', o);
  const line = parseLockLines(me.notes).find((l) => l.id === id);
  if (!line) return null;
  const status = lineStatus(line, o.now(), o.self);
  const until = status.kind === 'live' ? `live until ${status.until}` : `stale: ${status.reason}`;
  return { line, holder: `host ${line.host ?? '?'}, pid ${line.pid ?? '?'}, since ${line.acquired ?? '?'} (${until})` };
}

/** Removes the lock line with this id, whoever holds it (`apply --force-unlock`). True when it was there. */
export async function forceUnlock(adapter: Adapter, id: string, opts: ApplyLockOptions = {}): Promise<boolean> {
  const o = resolveOptions(adapter, opts);
  const me = await readMe(adapter, 'read the apply lock', o);
  if (!parseLockLines(me.notes).some((l) => l.id === id)) return false;
  try {
    await adapter.updateUser(me.id, { notes: withoutLines(me.notes, (l) => l.id === id) });
  } catch (err) {
    if (err instanceof ReadOnlyViolation || err instanceof InternalError) throw err;
    throw new ApplyLockError('lock_failed', `could not remove the apply lock: ${redact(err instanceof Error ? err.message : String(err))}`, 'run the command again');
  }
  return true;
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
    const next = me.notes === lock.written ? lock.before : withoutLines(me.notes, (l) => l.id === lock.id);
    await adapter.updateUser(me.id, { notes: next });
    return { released: true };
  } catch (err) {
    if (err instanceof ReadOnlyViolation || err instanceof InternalError) throw err;
    return { released: false, reason: redact(err instanceof Error ? err.message : String(err)) };
  }
}

/** Reads users/me; a retryable failure (429, 5xx) is tried again, MAX_ATTEMPTS in all. */
async function readMe(adapter: Adapter, what: string, o: Resolved): Promise<ObservedUser> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await adapter.me();
    } catch (err) {
      if (err instanceof ReadOnlyViolation || err instanceof InternalError) throw err;
      if (!(err instanceof RemoteError && err.retryable && attempt < MAX_ATTEMPTS)) throw readFailed(what, err);
      await o.sleep(Math.min(o.settleMs, 1_000));
    }
  }
}

function readFailed(what: string, err: unknown): ApplyLockError {
  return new ApplyLockError(
    'lock_failed',
    `refusing to apply: could not ${what}: ${redact(err instanceof Error ? err.message : String(err))}; nothing else was written`,
    'the apply lock lives in the notes of the API user (users/me): the token must be allowed to update that user. Run apply again',
  );
}
