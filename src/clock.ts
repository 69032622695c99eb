/**
 * orgshare's clock: the one source of "now" for every date orgshare writes or shows (the
 * Details line's UTC date, plan and report timestamps).
 *
 * `ORGSHARE_NOW` pins it to an ISO 8601 instant with an explicit zone, e.g.
 * `ORGSHARE_NOW=2026-11-23T10:00:00Z`, so a run can be reproduced: the test suite, the
 * demo, a recorded scenario replayed against the sandbox (docs/testing.md). A pinned
 * clock can never date a real change: apply refuses to write with one unless the API is a
 * sandbox on this machine (`writeAdapter` in src/commands/pipeline.ts).
 *
 * The apply lock keeps the wall clock on purpose (src/apply/lock.ts): its expiry is
 * compared with other hosts' clocks.
 */
import { UsageError } from './errors.js';

export const NOW_ENV = 'ORGSHARE_NOW';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** The pinned instant, or null when ORGSHARE_NOW is unset or empty. */
export function pinnedNow(env: NodeJS.ProcessEnv): Date | null {
  const raw = env[NOW_ENV]?.trim();
  if (!raw) return null;
  const ms = ISO_INSTANT.test(raw) && isCalendarDate(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(
      `${NOW_ENV} is not an ISO 8601 instant with a zone: ${JSON.stringify(raw.slice(0, 40))}`,
      `e.g. ${NOW_ENV}=2026-11-23T10:00:00Z, or unset it to use the system clock`,
    );
  }
  return new Date(ms);
}

/** Date.parse rolls 2028-02-30 over into March: a day must exist in its month. */
function isCalendarDate(iso: string): boolean {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number) as [number, number, number];
  return m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** `now()` for a process: the pinned instant when ORGSHARE_NOW is set, else the system clock. */
export function clockFor(env: NodeJS.ProcessEnv): () => Date {
  const pinned = pinnedNow(env);
  return pinned === null ? () => new Date() : () => new Date(pinned.getTime());
}
