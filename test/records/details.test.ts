import { describe, expect, it } from 'vitest';
import {
  accessLine,
  accessRecorded,
  appendLine,
  detailsLine,
  entryRecords,
  lastHistoryEntry,
  lastPartnerEntry,
  parseAccessHistory,
  parseHistory,
  parsePartnerHistory,
  partnerLine,
  partnerRecorded,
} from '../../src/records/details.js';
import { citedTicket } from '../../src/records/ticket-url.js';
import { ticketRef } from '../plan/builders.js';

const T4821 = ticketRef(4821);

describe('Details lines are written exactly as the handbook prescribes', () => {
  it('Read only', () => {
    expect(detailsLine('read_only', '2026-11-23', T4821)).toBe(
      'Shared organization (Read only) enabled 2026-11-23 as per https://acme.zendesk.com/agent/tickets/4821',
    );
  });
  it('Read+write', () => {
    expect(detailsLine('read_write', '2026-11-23', T4821)).toBe(
      'Shared organization (Read+write) enabled 2026-11-23 as per https://acme.zendesk.com/agent/tickets/4821',
    );
  });
  it('disabled', () => {
    expect(detailsLine('private', '2026-11-23', T4821)).toBe(
      'Shared organization disabled 2026-11-23 as per https://acme.zendesk.com/agent/tickets/4821',
    );
  });
  it('always cites the canonical agent URL, even when the file used a help-center URL', () => {
    const hc = ticketRef(4821, 'acme.zendesk.com', 'https://acme.zendesk.com/hc/en-us/requests/4821');
    expect(detailsLine('read_only', '2026-11-23', hc)).toMatch(/ as per https:\/\/acme\.zendesk\.com\/agent\/tickets\/4821$/);
  });
});

describe('appendLine keeps the existing text byte for byte', () => {
  const line = 'NEW';
  it.each([
    ['null', null, 'NEW'],
    ['empty', '', 'NEW'],
    ['text without a final newline', 'Customer since 2019.', 'Customer since 2019.\nNEW'],
    ['text with a final newline', 'Customer since 2019.\n', 'Customer since 2019.\nNEW'],
    ['CRLF text ending in CRLF', 'a\r\nb\r\n', 'a\r\nb\r\nNEW'],
    ['CRLF text without a final newline', 'a\r\nb', 'a\r\nb\nNEW'],
    ['trailing spaces and blank lines', 'a  \n\n', 'a  \n\nNEW'],
  ])('%s', (_name, before, after) => {
    expect(appendLine(before, line)).toBe(after);
    if (before) expect(appendLine(before, line).startsWith(before)).toBe(true);
  });
});

describe('parseHistory reads both handbook forms', () => {
  it('reads the current form', () => {
    const h = parseHistory('Shared organization (Read only) enabled 2026-11-23 as per https://acme.zendesk.com/agent/tickets/4821');
    expect(h).toEqual([
      {
        action: 'enabled',
        type: 'read_only',
        date: '2026-11-23',
        ticketUrl: 'https://acme.zendesk.com/agent/tickets/4821',
        ticketId: 4821,
        host: 'acme.zendesk.com',
        line: 1,
        text: 'Shared organization (Read only) enabled 2026-11-23 as per https://acme.zendesk.com/agent/tickets/4821',
      },
    ]);
  });

  it('reads the older lowercase form of seed 001 (Globex)', () => {
    const [e] = parseHistory('Shared organization (read+write) enabled 2024-03-02 as per https://acme.zendesk.com/agent/tickets/3100');
    expect(e).toMatchObject({ action: 'enabled', type: 'read_write', date: '2024-03-02', ticketId: 3100 });
    const [ro] = parseHistory('Shared organization (read only) enabled 2023-01-05 as per https://acme.zendesk.com/agent/tickets/12');
    expect(ro).toMatchObject({ action: 'enabled', type: 'read_only', ticketId: 12 });
  });

  it('reads every line in order, among other text, with CRLF, bullets and trailing punctuation', () => {
    const details = [
      'Customer since 2019.',
      '- Shared organization (read only) enabled 2023-01-05 as per https://acme.zendesk.com/agent/tickets/12.',
      'Account manager: Kim',
      '* Shared organization disabled 2024-02-01 as per https://acme.zendesk.com/hc/en-us/requests/77 (customer asked)',
      'Shared organization (Read+write) enabled 2026-11-23 as per https://acme.zendesk.com/agent/tickets/4821',
    ].join('\r\n');
    const h = parseHistory(details);
    expect(h.map((e) => [e.action, e.type, e.date, e.ticketId, e.line])).toEqual([
      ['enabled', 'read_only', '2023-01-05', 12, 2],
      ['disabled', null, '2024-02-01', 77, 4],
      ['enabled', 'read_write', '2026-11-23', 4821, 5],
    ]);
    expect(h[0]?.ticketUrl).toBe('https://acme.zendesk.com/agent/tickets/12');
    expect(lastHistoryEntry(details)?.ticketId).toBe(4821);
  });

  it('ignores lines that only look similar', () => {
    expect(parseHistory('Shared organization was discussed on 2024-01-01\nShared organization (Read only) enabled yesterday as per ticket 5')).toEqual([]);
    expect(parseHistory(null)).toEqual([]);
  });

  it('keeps a URL that is not a ticket URL, with a null ticket id', () => {
    const [e] = parseHistory('Shared organization disabled 2024-02-01 as per https://wiki.example/page');
    expect(e).toMatchObject({ ticketId: null, host: 'wiki.example' });
  });
});

describe('entryRecords matches a history line to a change', () => {
  const enabled = lastHistoryEntry('Shared organization (Read only) enabled 2026-11-23 as per https://acme.zendesk.com/agent/tickets/4821');
  it('same ticket, action and type', () => expect(entryRecords(enabled, 'read_only', T4821)).toBe(true));
  it('other type', () => expect(entryRecords(enabled, 'read_write', T4821)).toBe(false));
  it('other action', () => expect(entryRecords(enabled, 'private', T4821)).toBe(false));
  it('other ticket', () => expect(entryRecords(enabled, 'read_only', ticketRef(4822))).toBe(false));
  it('same id on another host', () => expect(entryRecords(enabled, 'read_only', ticketRef(4821, 'other.zendesk.com'))).toBe(false));
});

describe('user notes access lines', () => {
  it('are written exactly', () => {
    expect(accessLine('organization', '2026-11-23', ticketRef(5010))).toBe(
      'Ticket access (All organization tickets) granted 2026-11-23 as per https://acme.zendesk.com/agent/tickets/5010',
    );
    expect(accessLine('requested', '2026-11-23', ticketRef(5010))).toBe(
      'Ticket access (Own tickets only) set 2026-11-23 as per https://acme.zendesk.com/agent/tickets/5010',
    );
  });
  it('are read back, and the last one decides whether a grant is recorded', () => {
    const notes = `VIP\n${accessLine('organization', '2026-01-01', ticketRef(1))}\r\n${accessLine('requested', '2026-02-01', ticketRef(2))}`;
    expect(parseAccessHistory(notes).map((e) => [e.access, e.ticketId])).toEqual([
      ['organization', 1],
      ['requested', 2],
    ]);
    expect(accessRecorded(notes, 'requested', ticketRef(2))).toBe(true);
    expect(accessRecorded(notes, 'organization', ticketRef(1))).toBe(false);
  });
});

describe('Details partner lines', () => {
  it('are written with the lowercased domain, the date and the canonical ticket URL', () => {
    expect(partnerLine('PartnerCo.example', '2026-11-23', ticketRef(4821, 'acme.zendesk.com', 'https://acme.zendesk.com/hc/en-us/requests/4821'))).toBe(
      'Partner domain partnerco.example added 2026-11-23 as per https://acme.zendesk.com/agent/tickets/4821',
    );
  });

  it('are read back per domain, the last line for a domain deciding, and are not sharing history', () => {
    const details = [
      'Customer since 2019.',
      'Partner domain partnerco.example added 2026-01-02 as per https://acme.zendesk.com/agent/tickets/100',
      'Shared organization (Read only) enabled 2026-02-03 as per https://acme.zendesk.com/agent/tickets/200',
      'Partner domain other.example added 2026-03-04 as per https://acme.zendesk.com/agent/tickets/300.',
      'Partner domain PartnerCo.example added 2026-04-05 as per https://acme.zendesk.com/agent/tickets/4821\r',
    ].join('\n');
    expect(parsePartnerHistory(details).map((e) => [e.domain, e.date, e.ticketId, e.line])).toEqual([
      ['partnerco.example', '2026-01-02', 100, 2],
      ['other.example', '2026-03-04', 300, 4],
      ['partnerco.example', '2026-04-05', 4821, 5],
    ]);
    expect(lastPartnerEntry(details, 'PARTNERCO.EXAMPLE')?.ticketId).toBe(4821);
    expect(partnerRecorded(details, 'partnerco.example', T4821)).toBe(true);
    expect(partnerRecorded(details, 'partnerco.example', ticketRef(100))).toBe(false);
    expect(partnerRecorded(details, 'other.example', T4821)).toBe(false);
    expect(partnerRecorded(details, 'partnerco.example', ticketRef(4821, 'other.zendesk.com'))).toBe(false);
    expect(parseHistory(details).map((e) => e.ticketId)).toEqual([200]);
    expect(partnerRecorded(null, 'partnerco.example', T4821)).toBe(false);
  });
});

describe('citedTicket (the URL a record cites)', () => {
  it.each([
    ['https://acme.zendesk.com/agent/tickets/4821', 4821],
    ['https://acme.zendesk.com/agent/tickets/4821/', 4821],
    ['https://support.acme.example/agent/tickets/4821', 4821],
    ['https://acme.zendesk.com/hc/en-US/requests/4821', 4821],
    ['https://acme.zendesk.com/tickets/4821', null],
    ['https://acme.zendesk.com/hc/requests/4821', 4821],
    ['https://acme.zendesk.com/hc/en-us/requests/4821', 4821],
    ['https://acme.zendesk.com/agent/tickets/abc', null],
    ['not a url', null],
  ])('%s', (url, id) => {
    expect(citedTicket(url)?.id ?? null).toBe(id);
  });
});
