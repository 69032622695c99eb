import { defineConfig } from 'vitest/config';

/**
 * The suite's clock (src/clock.ts): every orgshare run in a test, in-process or as a child
 * process, sees this instant. CI also runs the suite with another instant and a far time
 * zone (.ci/run), so a test that silently depends on today's date or on UTC fails there.
 */
const PINNED_NOW = process.env.ORGSHARE_NOW || '2026-11-23T10:00:00Z';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most of the suite waits on sockets, the lock's settle time and job polls, not on the
    // CPU: vitest's default (cores − 1, i.e. ONE worker on a 2-core CI machine) ran the files
    // one after another. Four workers overlap the waits (docs/testing.md, "Suite time").
    maxWorkers: 4,
    // Applies against the loopback sandbox wait the lock's settle time once each; 500 ms
    // (instead of 1 s) keeps the suite fast. Retried requests back off from 25 ms instead
    // of 250 ms (the suite injects thousands of faults). Both are ignored for any
    // non-loopback host (src/apply/lock.ts, src/remote/env.ts).
    env: { ORGSHARE_LOCK_SETTLE_MS: '500', ORGSHARE_RETRY_BASE_MS: '25', ORGSHARE_NOW: PINNED_NOW },
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
  },
});
