/**
 * The one progress reporter of every command's long phases (docs/performance.md,
 * "Progress"). Always on stderr, never on stdout: stdout stays the command's result (plan,
 * report, JSON document).
 *
 * - On a terminal: one line, redrawn (at most every 80 ms), with done/total and an ETA.
 * - Elsewhere (a CI log, a pipe): plain lines, no carriage returns, one every 30 s while a
 *   phase runs (timer-driven, so a phase waiting on the rate limit still reports). A run
 *   shorter than that prints nothing; a run that printed gets a closing line.
 *
 * Phases are named in words ("reading users"), never by internal identifiers.
 */
import type { ApplyProgress } from '../apply/execute.js';
import type { ObservePhase, ObserveProgress } from '../remote/observe.js';
import type { Io, ProgressOptions } from './context.js';

export interface Progress {
  /** Progress of a long phase: `phase` in words, `done` of `total` (null: not known in advance). */
  step(phase: string, done: number, total?: number | null): void;
  /** Free text; a trailing "done/total" counter is read as a step of the text before it. */
  update(text: string): void;
  /** Ends the progress display (call before printing results). */
  done(): void;
}

export type { ProgressOptions };

/** Redraw at most this often; a 10,000-organization scan would otherwise flood the terminal. */
const MIN_INTERVAL_MS = 80;
export const LOG_EVERY_MS = 30_000;

/**
 * Estimated time left for a counted phase, from the rate seen since the phase's first
 * event. Null until there is a rate worth trusting.
 */
export function etaSeconds(start: { at: number; done: number }, now: number, done: number, total: number): number | null {
  const elapsed = now - start.at;
  const progressed = done - start.done;
  if (elapsed < 1000 || progressed <= 0 || done >= total) return null;
  return Math.ceil(((total - done) * elapsed) / progressed / 1000);
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m}m${String(seconds % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function n(value: number): string {
  return value.toLocaleString('en-US');
}

const systemEvery = (fn: () => void, ms: number): (() => void) => {
  const timer = setInterval(fn, ms);
  timer.unref();
  return () => clearInterval(timer);
};

interface Current {
  phase: string;
  done: number;
  total: number | null;
  /** When and where this phase started, for its rate. */
  start: { at: number; done: number };
}

export function createProgress(io: Io, opts: ProgressOptions = io.progress ?? {}): Progress {
  const clock = opts.clock ?? (() => performance.now());
  const began = clock();
  let current: Current | null = null;

  const describe = (c: Current, now: number): string => {
    const count = c.total === null ? `${n(c.done)} so far` : `${n(c.done)}/${n(c.total)}`;
    const eta = c.total === null ? null : etaSeconds(c.start, now, c.done, c.total);
    return `${c.phase} ${count}${eta === null ? '' : `, about ${formatDuration(eta)} left`}`;
  };
  const record = (phase: string, done: number, total: number | null): Current => {
    const now = clock();
    if (!current || current.phase !== phase || done < current.done) current = { phase, done, total, start: { at: now, done } };
    else current = { ...current, done, total };
    return current;
  };
  const parse = (text: string): [string, number, number | null] => {
    const m = /^(.*?)\s*(\d+)(?:\/(\d+))?$/.exec(text);
    return m && m[1] ? [m[1], Number(m[2]), m[3] === undefined ? null : Number(m[3])] : [text, 0, null];
  };

  if (io.stderrIsTTY) {
    let shown = false;
    let last = 0;
    const step = (phase: string, done: number, total: number | null = null): void => {
      const c = record(phase, done, total);
      const now = clock();
      if (shown && now - last < MIN_INTERVAL_MS) return;
      last = now;
      shown = true;
      io.stderr(`\r\x1b[2K${describe(c, now)}`);
    };
    return {
      step,
      update: (text) => step(...parse(text)),
      done() {
        if (shown) io.stderr('\r\x1b[2K');
        shown = false;
        current = null;
      },
    };
  }

  // Not a terminal: a plain line per interval while something runs.
  let printed = false;
  let stop: (() => void) | null = null;
  const tick = (): void => {
    if (!current) return;
    const now = clock();
    printed = true;
    io.stderr(`orgshare: ${describe(current, now)} (${formatDuration(Math.round((now - began) / 1000))} elapsed)\n`);
  };
  const step = (phase: string, done: number, total: number | null = null): void => {
    record(phase, done, total);
    stop ??= (opts.every ?? systemEvery)(tick, opts.logEveryMs ?? LOG_EVERY_MS);
  };
  return {
    step,
    update: (text) => step(...parse(text)),
    done() {
      stop?.();
      stop = null;
      if (printed && current) io.stderr(`orgshare: ${current.phase} finished (${formatDuration(Math.round((clock() - began) / 1000))} elapsed)\n`);
      printed = false;
      current = null;
    },
  };
}

const OBSERVE_PHASE: Record<ObservePhase, string> = {
  account: 'checking the API user',
  organizations: 'reading organizations',
  organization_users: 'reading organization members',
  tickets: 'reading request tickets',
  comments: 'reading ticket comments',
  users: 'reading people',
  memberships: 'reading memberships',
  ticket_fields: 'reading ticket fields',
  exposure: 'counting tickets for exposure',
  scan_organizations: 'scanning organizations',
  scan_users: 'scanning users',
};

/** Reports an observation event (plan, apply, drift) in words. */
export function stepObserve(progress: Progress, e: ObserveProgress): void {
  progress.step(OBSERVE_PHASE[e.phase] ?? 'reading Zendesk', e.done, e.total);
}

const APPLY_PHASE: Record<ApplyProgress['phase'], string> = {
  metadata: 'applying: ticket metadata',
  organizations: 'applying: organizations',
  users: 'applying: users',
  comments: 'applying: confirmation comments',
  verify: 'applying: verifying',
};

export function stepApply(progress: Progress, e: ApplyProgress): void {
  progress.step(APPLY_PHASE[e.phase], e.done, e.total);
}
