import { describe, expect, it } from 'vitest';
import { flagsFromSharing, isWidening, sharingFromFlags, SHARING_LEVELS } from '../../src/model/sharing.js';

describe('sharing levels', () => {
  it('round-trips every level through Zendesk flags', () => {
    for (const level of SHARING_LEVELS) expect(sharingFromFlags(flagsFromSharing(level))).toBe(level);
  });
  it('reads shared_comments without shared_tickets as private', () => {
    expect(sharingFromFlags({ shared_tickets: false, shared_comments: true })).toBe('private');
  });
  it('orders widening', () => {
    expect(isWidening('private', 'read_only')).toBe(true);
    expect(isWidening('read_only', 'read_write')).toBe(true);
    expect(isWidening('read_write', 'read_only')).toBe(false);
    expect(isWidening('read_only', 'private')).toBe(false);
  });
});
