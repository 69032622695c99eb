import type { PacerClock } from '../../src/remote/transport.js';

/**
 * A clock that only moves when someone sleeps: minutes of pacing and retry waits in no
 * wall time. `waits` records every wait in order, so a test reads the transport's
 * decisions instead of timing them (docs/testing.md).
 */
export function virtualClock(): PacerClock & { readonly sleeps: number; waits: number[] } {
  let t = 0;
  const waits: number[] = [];
  return {
    waits,
    get sleeps() {
      return waits.length;
    },
    now: () => t,
    sleep: async (ms: number) => {
      waits.push(ms);
      t += ms;
    },
  };
}
