import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Applies against the loopback sandbox wait the lock's settle time once each; 500 ms
    // (instead of 1 s) keeps the suite fast. Ignored for any non-loopback host.
    env: { ORGSHARE_LOCK_SETTLE_MS: '500' },
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
  },
});
