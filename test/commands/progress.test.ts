import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/commands/context.js';
import { createProgress, etaSeconds } from '../../src/commands/progress.js';

function ttyIo(tty: boolean): { io: Io; err: string[] } {
  const err: string[] = [];
  const io: Io = { stdout: () => undefined, stderr: (t) => err.push(t), stderrIsTTY: tty, stdinIsTTY: false, env: {}, now: () => new Date() };
  return { io, err };
}

describe('progress on long runs', () => {
  it('shows an ETA from the rate seen so far in a counted phase', () => {
    let now = 0;
    const { io, err } = ttyIo(true);
    const progress = createProgress(io, () => now);
    progress.update('reading Zendesk: organizations 10/100');
    now = 2_000;
    progress.update('reading Zendesk: organizations 20/100');
    // 10 pages in 2 s → 80 pages left take 16 s
    expect(err.at(-1)).toBe('\r\x1b[2Kreading Zendesk: organizations 20/100  (about 16s left)');
    now = 2_100;
    progress.update('apply: comments 1/300');
    expect(err.at(-1)).toBe('\r\x1b[2Kapply: comments 1/300');
    now = 62_100;
    progress.update('apply: comments 61/300');
    expect(err.at(-1)).toContain('(about 3m59s left)');
  });

  it('draws nothing when stderr is not a terminal (CI logs stay clean)', () => {
    const { io, err } = ttyIo(false);
    const progress = createProgress(io);
    progress.update('reading Zendesk: organizations 1/10');
    progress.done();
    expect(err).toEqual([]);
  });

  it('gives no estimate before a second of progress or after the end', () => {
    expect(etaSeconds({ at: 0, done: 0 }, 500, 5, 10)).toBeNull();
    expect(etaSeconds({ at: 0, done: 0 }, 5_000, 10, 10)).toBeNull();
    expect(etaSeconds({ at: 0, done: 0 }, 5_000, 5, 10)).toBe(5);
  });
});
