/**
 * Progress for long runs, drawn on stderr and only when stderr is a terminal: stdout stays
 * the command's result (plan, report) and CI logs stay free of carriage-return noise.
 */
import type { ApplyProgress } from '../apply/execute.js';
import type { Io } from './context.js';

export interface Progress {
  /** Replaces the progress line. */
  update(text: string): void;
  /** Clears the progress line (call before printing results). */
  done(): void;
}

const NOOP: Progress = { update: () => undefined, done: () => undefined };
/** Redraw at most this often; a 10,000-organization scan would otherwise flood the terminal. */
const MIN_INTERVAL_MS = 80;

/**
 * Estimated time left for a counted phase ("… 40/1000"), from the rate seen since the
 * phase's first event. Null until there is a rate worth trusting.
 */
export function etaSeconds(start: { at: number; done: number }, now: number, done: number, total: number): number | null {
  const elapsed = now - start.at;
  const progressed = done - start.done;
  if (elapsed < 1000 || progressed <= 0 || done >= total) return null;
  return Math.ceil(((total - done) * elapsed) / progressed / 1000);
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m}m${String(seconds % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function createProgress(io: Io, clock: () => number = Date.now): Progress {
  if (!io.stderrIsTTY) return NOOP;
  let shown = false;
  let last = 0;
  // Phase starts, keyed by the text before the "done/total" counter.
  const starts = new Map<string, { at: number; done: number }>();
  return {
    update(text) {
      const now = clock();
      const counted = /^(.*?)(\d+)\/(\d+)$/.exec(text);
      let line = text;
      if (counted) {
        const [, key = '', d = '0', t = '0'] = counted;
        const done = Number(d);
        const start = starts.get(key) ?? { at: now, done };
        if (!starts.has(key)) starts.set(key, start);
        const eta = etaSeconds(start, now, done, Number(t));
        if (eta !== null) line = `${text}  (about ${formatDuration(eta)} left)`;
      }
      if (shown && now - last < MIN_INTERVAL_MS) return;
      last = now;
      shown = true;
      io.stderr(`\r\x1b[2K${line}`);
    },
    done() {
      if (shown) io.stderr('\r\x1b[2K');
      shown = false;
    },
  };
}

const PHASE_LABEL: Record<ApplyProgress['phase'], string> = {
  metadata: 'ticket metadata',
  organizations: 'organizations',
  users: 'users',
  comments: 'comments',
  verify: 'verifying',
};

export function applyProgressText(e: ApplyProgress): string {
  return `apply: ${PHASE_LABEL[e.phase]} ${e.done}/${e.total}`;
}

/** Text for an observation progress event, whatever its shape (the remote layer owns it). */
export function observeProgressText(e: unknown): string {
  if (typeof e === 'string') return `reading Zendesk: ${e}`;
  if (e && typeof e === 'object') {
    const o = e as Record<string, unknown>;
    const what = typeof o.phase === 'string' ? o.phase : typeof o.what === 'string' ? o.what : typeof o.message === 'string' ? o.message : 'reading';
    const count = typeof o.done === 'number' ? ` ${o.done}${typeof o.total === 'number' ? `/${o.total}` : ''}` : '';
    return `reading Zendesk: ${what}${count}`;
  }
  return 'reading Zendesk…';
}
