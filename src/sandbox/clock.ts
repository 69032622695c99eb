/**
 * The sandbox's logical clock. Every write takes `next()`, which moves one second forward,
 * so `updated_at` strictly increases even for writes within the same millisecond, and a
 * run from the same seed and the same requests yields the same timestamps. Zendesk
 * timestamps have second precision ("2024-06-03T09:00:00Z"); so do ours.
 */
export class LogicalClock {
  private ms: number;

  constructor(start: string) {
    const t = Date.parse(start);
    if (Number.isNaN(t)) throw new Error(`invalid clock start: ${start}`);
    this.ms = Math.floor(t / 1000) * 1000;
  }

  /** The current time, without moving the clock. */
  now(): string {
    return iso(this.ms);
  }

  /** Moves one second forward and returns the new time. */
  next(): string {
    this.ms += 1000;
    return iso(this.ms);
  }

  /** Makes sure later `next()` values come after `timestamp` (used while seeding). */
  observe(timestamp: string): void {
    const t = Date.parse(timestamp);
    if (!Number.isNaN(t) && t > this.ms) this.ms = Math.floor(t / 1000) * 1000;
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
