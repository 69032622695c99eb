/**
 * Ticket URLs with tricks (test/fixtures/hostile/ticket-urls.json): user info, other and
 * lookalike hosts, punycode and Unicode lookalikes, encoded and dot-segment paths, other
 * schemes, ports, trailing dots, fragments, queries, ids that are not plain numbers. The
 * ticket URL decides which ticket is the evidence and is written into the Details line, so
 * what a reviewer reads and what orgshare reads must be the same ticket on this account.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseTicketUrl } from '../../src/records/ticket-url.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { DATE } from '../apply/helpers.js';
import { HOSTILE, acmeFile, envFor, removeRepos, repo, run, writesOf } from './helpers.js';

interface UrlCase {
  code: string;
  url: string;
  why: string;
  canonical?: string;
}

const CASES = JSON.parse(readFileSync(join(HOSTILE, 'ticket-urls.json'), 'utf8')) as UrlCase[];
const REFUSED = CASES.filter((c) => c.code !== 'ok');
const ACCEPTED = CASES.filter((c) => c.code === 'ok');

/** A minimal private organization file whose only ticket is `url` (any string, quoted). */
function fileWithTicket(id: number, url: string): string {
  return `organization:\n  id: ${id}\n  name: Org ${id}\nsharing: private\nrequest:\n  ticket: ${JSON.stringify(url)}\n`;
}

interface Problem {
  file: string;
  line: number;
  col: number;
  check: string;
  code: string;
  message: string;
}

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.close();
  await removeRepos();
});
beforeEach(() => sb.reset());

describe('every tricky ticket URL is refused offline, with a ticket_url problem on its line', () => {
  it(`refuses all ${REFUSED.length} URLs of the corpus, each with its code`, async () => {
    const files: Record<string, string> = {};
    REFUSED.forEach((c, i) => (files[`orgs/u${String(i).padStart(3, '0')}.yaml`] = fileWithTicket(360000001000 + i, c.url)));
    const dir = await repo(files);
    const { code, stdout } = await run({ ZENDESK_SUBDOMAIN: 'acme' }, dir, ['--format', 'json', 'validate']);
    expect(code).toBe(1);
    const problems = (JSON.parse(stdout) as { problems: Problem[] }).problems;
    const outcome = REFUSED.map((c, i) => {
      const mine = problems.filter((p) => p.file === `orgs/u${String(i).padStart(3, '0')}.yaml`);
      return { url: c.url, codes: mine.map((p) => `${p.check}/${p.code}`), lines: mine.map((p) => p.line) };
    });
    expect(outcome).toEqual(REFUSED.map((c) => ({ url: c.url, codes: [c.code.includes('/') ? c.code : `ticket_url/${c.code}`], lines: [6] })));
  });

  it('the ticket URL parser alone also refuses every one of them (not only the schema)', () => {
    const policy = { subdomain: 'acme', ticketHosts: [] };
    const accepted = REFUSED.filter((c) => parseTicketUrl(c.url, policy).ok).map((c) => c.url);
    expect(accepted).toEqual([]);
    for (const c of ACCEPTED) expect(parseTicketUrl(c.url, policy)).toMatchObject({ ok: true, ref: { canonical: c.canonical } });
  });

  it('applies the same rules to user_access and partner tickets', async () => {
    const tricky = ['https://acme.zendesk.com@evil.example/agent/tickets/4821', 'https://acme.zendesk.com.evil.example/agent/tickets/4821', 'javascript:alert(1)'];
    const file = `organization:\n  id: 360000000105\n  name: Hooli\nsharing: private\nrequest:\n  ticket: https://acme.zendesk.com/agent/tickets/5010\nuser_access:\n${tricky
      .map((u, i) => `  - email: u${i}@hooli.example\n    access: requested\n    ticket: ${JSON.stringify(u)}\n`)
      .join('')}partners:\n  - domain: partner.example\n    ticket: "https://evil.example/agent/tickets/5010"\n    consent: {approved_by: gavin@hooli.example, comment_id: 50110, quote: "We accept the security risk"}\n`;
    const dir = await repo({ 'orgs/hooli.yaml': file });
    const { code, stdout } = await run({ ZENDESK_SUBDOMAIN: 'acme' }, dir, ['--format', 'json', 'validate']);
    expect(code).toBe(1);
    const problems = (JSON.parse(stdout) as { problems: Problem[] }).problems;
    expect(problems.map((p) => `${p.line} ${p.code}`)).toEqual(['10 userinfo', '13 lookalike_host', '16 not_https', '19 unknown_host']);
  });

  it('plan and apply with those files send no request at all', async () => {
    const files: Record<string, string> = {};
    REFUSED.forEach((c, i) => (files[`orgs/u${i}.yaml`] = fileWithTicket(360000001000 + i, c.url)));
    const dir = await repo(files);
    expect((await run(envFor(sb), dir, ['plan'])).code).toBe(1);
    expect((await run(envFor(sb), dir, ['apply', '--yes'])).code).toBe(1);
    expect(sb.log()).toEqual([]);
  });
});

describe('the URL forms that are accepted are written canonically', () => {
  for (const c of ACCEPTED) {
    it(`${c.url} → ${c.canonical} (${c.why})`, async () => {
      const dir = await repo({ 'orgs/acme.yaml': acmeFile({ ticket: c.url }) });
      const plan = await run(envFor(sb), dir, ['--format', 'json', 'plan']);
      expect(plan.code).toBe(2);
      const change = (JSON.parse(plan.stdout) as { changes: { ticket: { canonical: string } }[] }).changes[0]!;
      expect(change.ticket.canonical).toBe(c.canonical);
      expect((await run(envFor(sb), dir, ['apply', '--yes'])).code).toBe(0);
      expect(sb.store.org(360000000101).details).toBe(`Customer since 2019.\nShared organization (Read only) enabled ${DATE} as per ${c.canonical}`);
    });
  }
});

describe('ticket_hosts changes how a URL may be spelled, never where the evidence is read', () => {
  it("a ticket on a listed foreign host is still this account's ticket by id, and must belong to the organization", async () => {
    // Ticket 3100 is Globex's: pointing Acme at it through another host changes nothing.
    const dir = await repo({
      'orgshare.config.yaml': 'rpm: 10000\nticket_hosts: [evil.example]\n',
      'orgs/acme.yaml': acmeFile({ ticket: 'https://evil.example/agent/tickets/3100', commentId: 31010, approvedBy: 'greta@globex.example' }),
    });
    const plan = await run(envFor(sb), dir, ['--format', 'json', 'plan']);
    expect(plan.code).toBe(1);
    const checks = (JSON.parse(plan.stdout) as { changes: { checks: { id: string; status: string }[] }[] }).changes[0]!.checks;
    expect(checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(expect.arrayContaining(['ticket_org', 'approver_member']));
    expect((await run(envFor(sb), dir, ['apply', '--yes'])).code).toBe(1);
    expect(writesOf(sb)).toEqual([]);
    // Every request went to the configured API, none to the host named in the file.
    expect(sb.log().every((e) => e.path.startsWith('/api/v2/'))).toBe(true);
  });

  // The Details line is the permanent record in Zendesk: one reviewed line in
  // orgshare.config.yaml must not make every record point at a host someone else may
  // control. CONTRACT.md: "Details lines always use the canonical agent URL", built from
  // the account subdomain whatever host the file used (src/config/ticket-url.ts).
  it('the Details line cites https://acme.zendesk.com even when the file used a ticket_hosts host', async () => {
    const dir = await repo({
      'orgshare.config.yaml': 'rpm: 10000\nticket_hosts: [evil.example]\n',
      'orgs/acme.yaml': acmeFile({ ticket: 'https://evil.example/agent/tickets/4821' }),
    });
    const plan = await run(envFor(sb), dir, ['--format', 'json', 'plan']);
    const change = (JSON.parse(plan.stdout) as { changes: { ticket: { url: string; canonical: string } }[] }).changes[0]!;
    expect(change.ticket).toMatchObject({ url: 'https://evil.example/agent/tickets/4821', canonical: 'https://acme.zendesk.com/agent/tickets/4821' });
    expect((await run(envFor(sb), dir, ['apply', '--yes'])).code).toBe(0);
    expect(sb.store.org(360000000101).details).toBe(`Customer since 2019.\nShared organization (Read only) enabled ${DATE} as per https://acme.zendesk.com/agent/tickets/4821`);
    // No write (the Details line, the ticket metadata, the confirmation comment) names it.
    expect(sb.writes().length).toBeGreaterThan(0);
    expect(JSON.stringify(sb.writes().map((w) => w.body))).not.toContain('evil.example');
  });
});
