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

export function createProgress(io: Io): Progress {
  if (!io.stderrIsTTY) return NOOP;
  let shown = false;
  let last = 0;
  return {
    update(text) {
      const now = Date.now();
      if (shown && now - last < MIN_INTERVAL_MS) return;
      last = now;
      shown = true;
      io.stderr(`\r\x1b[2K${text}`);
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
