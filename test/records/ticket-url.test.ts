import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTicketUrl } from '../../src/records/ticket-url.js';

const acme = { subdomain: 'acme', ticketHosts: ['support.acme.example'] };
const unknownAccount = { subdomain: null, ticketHosts: [] };

describe('parseTicketUrl', () => {
  it.each([
    ['https://acme.zendesk.com/agent/tickets/4821', 'acme.zendesk.com', 'acme'],
    ['https://acme.zendesk.com/hc/requests/4821', 'acme.zendesk.com', 'acme'],
    ['https://acme.zendesk.com/hc/en-us/requests/4821', 'acme.zendesk.com', 'acme'],
    ['https://acme.zendesk.com/hc/pt-BR/requests/4821', 'acme.zendesk.com', 'acme'],
    ['https://ACME.zendesk.com/agent/tickets/4821', 'acme.zendesk.com', 'acme'],
    ['https://support.acme.example/hc/requests/4821', 'support.acme.example', null],
    ['https://support.acme.example/agent/tickets/4821', 'support.acme.example', null],
  ])('accepts %s', (url, host, subdomain) => {
    // The canonical URL is on the account's subdomain, whatever host the file used.
    expect(parseTicketUrl(url, acme)).toEqual({
      ok: true,
      ref: { url, id: 4821, host, subdomain, canonical: 'https://acme.zendesk.com/agent/tickets/4821' },
    });
  });

  it.each([
    ['http://acme.zendesk.com/agent/tickets/1', 'not_https'],
    ['javascript:alert(1)//acme.zendesk.com/agent/tickets/1', 'not_https'],
    ['//acme.zendesk.com/agent/tickets/1', 'not_https'],
    ['HTTPS://acme.zendesk.com/agent/tickets/1', 'not_https'],
    ['https:acme.zendesk.com/agent/tickets/1', 'not_https'],
    ['acme.zendesk.com/agent/tickets/1', 'not_https'],
    ['https://jane@acme.zendesk.com/agent/tickets/1', 'userinfo'],
    ['https://acme.zendesk.com@evil.example/agent/tickets/1', 'userinfo'],
    ['https://acme.zendesk.com:443/agent/tickets/1', 'port'],
    ['https://[::1]/agent/tickets/1', 'port'],
    ['https://acme.zendesk.com/agent/tickets/1?x=1', 'query'],
    ['https://evil.example/?https://acme.zendesk.com/agent/tickets/1', 'query'],
    ['https://acme.zendesk.com/agent/tickets/1#x', 'fragment'],
    ['https://acme.zendesk.com/agent/tickets/%31', 'encoded_path'],
    ['https://acme.zendesk.com/agent/%2e%2e/tickets/1', 'encoded_path'],
    ['https://acme.zendesk.com\\@evil.example/agent/tickets/1', 'bad_characters'],
    ['https://acme.zendesk.com/agent/tickets/1 ', 'bad_characters'],
    ['https://acmé.zendesk.com/agent/tickets/1', 'bad_characters'],
    ['https://acme.zendesk.com./agent/tickets/1', 'bad_host'],
    ['https://127.0.0.1/agent/tickets/1', 'bad_host'],
    ['https://acme..zendesk.com/agent/tickets/1', 'bad_host'],
    ['https://acme.zendesk.com.evil.example/agent/tickets/1', 'lookalike_host'],
    ['https://acme-zendesk.com/agent/tickets/1', 'lookalike_host'],
    ['https://acme.zendesk.co/agent/tickets/1', 'lookalike_host'],
    ['https://zendesk.com/agent/tickets/1', 'lookalike_host'],
    ['https://acme.eu.zendesk.com/agent/tickets/1', 'lookalike_host'],
    ['https://xn--acm-5ma.zendesk.com/agent/tickets/1', 'lookalike_host'],
    ['https://support.acme.example.evil.example/agent/tickets/1', 'unknown_host'],
    ['https://evil.example/agent/tickets/1', 'unknown_host'],
    ['https://globex.zendesk.com/agent/tickets/1', 'wrong_subdomain'],
    ['https://acme.zendesk.com/agent/tickets/', 'bad_path'],
    ['https://acme.zendesk.com/agent/tickets/1/', 'bad_path'],
    ['https://acme.zendesk.com//agent/tickets/1', 'bad_path'],
    ['https://acme.zendesk.com/agent/tickets/../users/1', 'bad_path'],
    ['https://acme.zendesk.com/agent/users/1', 'bad_path'],
    ['https://acme.zendesk.com', 'bad_path'],
    ['https://acme.zendesk.com/hc/en-us/articles/1', 'bad_path'],
    ['https://acme.zendesk.com/agent/tickets/0', 'bad_id'],
    ['https://acme.zendesk.com/agent/tickets/0012', 'bad_id'],
    ['https://acme.zendesk.com/agent/tickets/1e3', 'bad_id'],
    ['https://acme.zendesk.com/agent/tickets/99999999999999999', 'bad_id'],
  ])('rejects %s as %s', (url, code) => {
    const r = parseTicketUrl(url, acme);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      expect(r.message).not.toBe('');
      expect(r.hint).not.toBe('');
    }
  });

  it('keeps a ticket_hosts host out of the canonical URL once the account is known, and only then', () => {
    expect(parseTicketUrl('https://support.acme.example/hc/requests/7', acme)).toMatchObject({
      ok: true,
      ref: { host: 'support.acme.example', canonical: 'https://acme.zendesk.com/agent/tickets/7' },
    });
    const hostsOnly = { subdomain: null, ticketHosts: ['support.acme.example'] };
    expect(parseTicketUrl('https://support.acme.example/hc/requests/7', hostsOnly)).toMatchObject({
      ok: true,
      ref: { canonical: 'https://support.acme.example/agent/tickets/7' },
    });
  });

  it('accepts any single-label zendesk.com subdomain while the account is unknown', () => {
    expect(parseTicketUrl('https://globex.zendesk.com/agent/tickets/7', unknownAccount)).toMatchObject({
      ok: true,
      ref: { subdomain: 'globex', canonical: 'https://globex.zendesk.com/agent/tickets/7' },
    });
    expect(parseTicketUrl('https://support.acme.example/agent/tickets/7', unknownAccount)).toMatchObject({ ok: false, code: 'unknown_host' });
  });

  it('rejects anything that is not a string', () => {
    expect(parseTicketUrl(4821, acme)).toMatchObject({ ok: false, code: 'not_a_string' });
  });

  it('never accepts a URL whose canonical form points at a different host or ticket', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (url) => {
        const r = parseTicketUrl(url, acme);
        if (!r.ok) return;
        expect(['acme.zendesk.com', 'support.acme.example']).toContain(r.ref.host);
        expect(url.toLowerCase().startsWith(`https://${r.ref.host}/`)).toBe(true);
        expect(url.endsWith(`/${r.ref.id}`)).toBe(true);
      }),
      { numRuns: 2000, seed: 4821 },
    );
  });
});
