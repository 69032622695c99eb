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
    // Applies against the loopback sandbox wait the lock's settle time once each; 500 ms
    // (instead of 1 s) keeps the suite fast. Ignored for any non-loopback host.
    env: { ORGSHARE_LOCK_SETTLE_MS: '500', ORGSHARE_NOW: PINNED_NOW },
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
  },
});
