import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/commands/context.js';
import { createProgress, etaSeconds, LOG_EVERY_MS } from '../../src/commands/progress.js';

function captureIo(tty: boolean): { io: Io; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), stderrIsTTY: tty, stdinIsTTY: false, env: {}, now: () => new Date(0) };
  return { io, out, err };
}

/** A pinned clock and a hand-driven interval: the test decides when time passes. */
function fakeTime() {
  const t = {
    now: 0,
    timers: [] as { fn: () => void; ms: number; stopped: boolean }[],
    every(fn: () => void, ms: number) {
      const timer = { fn, ms, stopped: false };
      t.timers.push(timer);
      return () => void (timer.stopped = true);
    },
    /** Moves the clock by `ms` and fires every running interval as often as it falls due. */
    advance(ms: number) {
      const target = t.now + ms;
      for (const timer of t.timers.filter((x) => !x.stopped)) {
        let next = Math.floor(t.now / timer.ms) * timer.ms + timer.ms;
        for (; next <= target && !timer.stopped; next += timer.ms) {
          t.now = next;
          timer.fn();
        }
      }
      t.now = target;
    },
  };
  return t;
}

describe('progress on a terminal', () => {
  it('redraws one line with done/total and an ETA from the rate seen so far', () => {
    const time = fakeTime();
    const { io, err, out } = captureIo(true);
    const progress = createProgress(io, { clock: () => time.now, every: time.every });
    progress.step('reading organizations', 10, 100);
    time.now = 2_000;
    progress.step('reading organizations', 20, 100);
    // 10 pages in 2 s → 80 pages left take 16 s
    expect(err.at(-1)).toBe('\r\x1b[2Kreading organizations 20/100, about 16s left');
    time.now = 2_100;
    progress.step('applying: confirmation comments', 1, 300);
    expect(err.at(-1)).toBe('\r\x1b[2Kapplying: confirmation comments 1/300');
    time.now = 62_100;
    progress.step('applying: confirmation comments', 61, 300);
    expect(err.at(-1)).toContain('about 3m59s left');
    progress.done();
    expect(err.at(-1)).toBe('\r\x1b[2K');
    expect(out).toEqual([]);
    expect(time.timers).toEqual([]);
  });

  it('gives no estimate before a second of progress or after the end', () => {
    expect(etaSeconds({ at: 0, done: 0 }, 500, 5, 10)).toBeNull();
    expect(etaSeconds({ at: 0, done: 0 }, 5_000, 10, 10)).toBeNull();
    expect(etaSeconds({ at: 0, done: 0 }, 5_000, 5, 10)).toBe(5);
  });
});

describe('progress without a terminal (CI logs, pipes)', () => {
  it('prints a plain line at least every 30 s while a phase runs, and nothing on stdout', () => {
    const time = fakeTime();
    const { io, err, out } = captureIo(false);
    const progress = createProgress(io, { clock: () => time.now, every: time.every });
    // 5 minutes of a 600-page scan at 2 pages a second, then a phase without a total.
    for (let page = 1; page <= 600; page++) {
      time.advance(500);
      progress.step('reading users', page, 600);
    }
    time.advance(10_000); // waiting on the rate limit: no events, lines still come
    progress.step('counting tickets', 0, null);
    time.advance(LOG_EVERY_MS);
    progress.done();
    time.advance(5 * LOG_EVERY_MS);

    expect(out).toEqual([]);
    expect(err.join('')).not.toMatch(/\r|\x1b/);
    expect(err.every((line) => line.endsWith('\n') && line.split('\n').length === 2)).toBe(true);
    expect(err[0]).toBe('orgshare: reading users 59/600, about 4m36s left (30s elapsed)\n');
    expect(err[9]).toBe('orgshare: reading users 599/600, about 1s left (5m00s elapsed)\n');
    expect(err.at(-2)).toBe('orgshare: counting tickets 0 so far (5m30s elapsed)\n');
    expect(err.at(-1)).toBe('orgshare: counting tickets finished (5m40s elapsed)\n');
    // One line per 30 s of the 5 min 40 s, then silence after done().
    expect(err).toHaveLength(Math.floor(340_000 / LOG_EVERY_MS) + 1);
  });

  it('prints nothing for a run shorter than the interval (converged plans stay silent)', () => {
    const time = fakeTime();
    const { io, err } = captureIo(false);
    const progress = createProgress(io, { clock: () => time.now, every: time.every });
    progress.step('reading organizations', 1, 10);
    time.advance(LOG_EVERY_MS - 1);
    progress.step('reading organizations', 10, 10);
    progress.done();
    time.advance(LOG_EVERY_MS * 3);
    expect(err).toEqual([]);
    expect(time.timers.every((t) => t.stopped)).toBe(true);
  });
});
