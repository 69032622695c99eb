import { describe, expect, it } from 'vitest';
import { sameComment } from '../../src/records/comments.js';
import { appendLine } from '../../src/records/details.js';
import { countLine, detailsRecord, notesRecord } from '../../src/records/recorded.js';

const T = 'https://acme.zendesk.com/agent/tickets/4821';
const line = `Shared organization (Read only) enabled 2026-11-23 as per ${T}`;

describe('Details text rules used by apply', () => {
  it('appends after existing text, keeping it byte for byte', () => {
    expect(appendLine('Customer since 2019.', line)).toBe(`Customer since 2019.\n${line}`);
    expect(appendLine('Customer since 2019.\n', line)).toBe(`Customer since 2019.\n${line}`);
    expect(appendLine('  odd  spacing\t', line)).toBe(`  odd  spacing\t\n${line}`);
    expect(appendLine(null, line)).toBe(line);
    expect(appendLine('', line)).toBe(line);
  });

  it('recognises the exact line anywhere in the Details', () => {
    expect(detailsRecord(`Customer since 2019.\n${line}\nLater note.`, line)).toBe(true);
    expect(countLine(`${line}\r\n${line}`, line)).toBe(2);
  });

  it('recognises the same change recorded on another day as the latest history line', () => {
    const earlier = `Shared organization (Read only) enabled 2026-11-20 as per ${T}`;
    expect(detailsRecord(`Customer since 2019.\n${earlier}`, line)).toBe(true);
  });

  it('does not mistake an older, superseded record of the same ticket for this change', () => {
    const earlier = `Shared organization (Read only) enabled 2026-01-02 as per ${T}`;
    const later = 'Shared organization disabled 2026-05-05 as per https://acme.zendesk.com/agent/tickets/5000';
    expect(detailsRecord(`${earlier}\n${later}`, line)).toBe(false);
  });

  it('does not mistake another type or another ticket for this change', () => {
    expect(detailsRecord(`Shared organization (Read+write) enabled 2026-11-23 as per ${T}`, line)).toBe(false);
    expect(detailsRecord('Shared organization (Read only) enabled 2026-11-23 as per https://acme.zendesk.com/agent/tickets/4822', line)).toBe(false);
    expect(detailsRecord(null, line)).toBe(false);
  });

  it('recognises a partner domain recorded on another day for the same ticket, and only for that domain', () => {
    const partner = `Partner domain partnerco.example added 2026-11-23 as per ${T}`;
    const earlier = `Partner domain partnerco.example added 2026-11-20 as per ${T}`;
    expect(detailsRecord(`Customer since 2019.\n${earlier}\n${line}`, partner)).toBe(true);
    expect(detailsRecord(`Partner domain other.example added 2026-11-20 as per ${T}`, partner)).toBe(false);
    expect(detailsRecord(`Partner domain partnerco.example added 2026-11-20 as per https://acme.zendesk.com/agent/tickets/4822`, partner)).toBe(false);
    // A partner line is not a sharing record, and a sharing line is not a partner record.
    expect(detailsRecord(partner, line)).toBe(false);
    expect(detailsRecord(line, partner)).toBe(false);
  });

  it('applies the same rule to user notes', () => {
    const grant = `Ticket access (All organization tickets) granted 2026-11-23 as per ${T}`;
    expect(notesRecord(`VIP\nTicket access (All organization tickets) granted 2026-11-01 as per ${T}`, grant)).toBe(true);
    expect(notesRecord('VIP', grant)).toBe(false);
  });

  it('compares comment bodies ignoring whitespace differences', () => {
    expect(sameComment('Hello,\r\n\r\nShared   organization enabled.', 'Hello,\n\nShared organization enabled.')).toBe(true);
    expect(sameComment('Hello, something else.', 'Hello,\n\nShared organization enabled.')).toBe(false);
    expect(sameComment('anything', '   ')).toBe(false);
  });
});
