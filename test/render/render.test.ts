import { describe, expect, it } from 'vitest';
import type { ApplyReport, DriftReport } from '../../src/model/reports.js';
import { planSchemaErrors } from '../../src/plan/saved.js';
import { blockquote, codeFence, escapeMd, renderApply, renderDrift, renderPlan, stripAnsi } from '../../src/render/index.js';
import { planFor, seedWorld } from '../plan/builders.js';
import { expectGolden } from './golden.js';
import { finishPlan, representativePlan } from './scenario.js';

const ESC = '\u001b';

describe('plan renderings (golden files)', () => {
  it('text, without colour', () => {
    expectGolden('plan.txt', renderPlan(representativePlan(), 'text', { color: false }));
  });
  it('JSON', () => {
    expectGolden('plan.json', renderPlan(representativePlan(), 'json', { color: true }));
  });
  it('Markdown', () => {
    expectGolden('plan.md', renderPlan(representativePlan(), 'markdown', { color: true }));
  });
});

describe('finish plans (golden files): only the confirmation comment is left', () => {
  it('text', () => {
    const out = renderPlan(finishPlan(), 'text', { color: false });
    expectGolden('plan-finish.txt', out);
    expect(out).toContain('~ Acme Corp (360000000101): finish enable: confirmation comment only  read_only → read_only');
    expect(out).toContain('~ Acme Corp (360000000101): finish adding partner domain partnerco.example: confirmation comment only');
    expect(out).toContain('~ Hooli (360000000105): finish grant of all organization tickets to lead@hooli.example: confirmation comment only  organization → organization');
    expect(out).toContain('Plan: 0 to enable, 0 to change, 0 to disable, 3 to finish, 0 blocked.');
  });
  it('Markdown', () => {
    const out = renderPlan(finishPlan(), 'markdown', { color: false });
    expectGolden('plan-finish.md', out);
    expect(out).toContain('### orgshare plan: 0 to enable, 0 to change, 0 to disable, 3 to finish, 0 blocked');
    expect(out).toContain('· finish: confirmation comment only, ticket checks only');
    expect(out).not.toContain('narrowing: ticket checks only');
  });
  it('JSON, valid against the schema, by kind', () => {
    const out = renderPlan(finishPlan(), 'json', { color: false });
    expectGolden('plan-finish.json', out);
    const j = JSON.parse(out) as { summary: { by_kind: Record<string, number>; widening: number } };
    expect(planSchemaErrors(j)).toEqual([]);
    expect(j.summary).toMatchObject({ widening: 0, by_kind: { finish: 1, grant_finish: 1, partner_finish: 1 } });
  });
});

describe('the JSON plan', () => {
  it('validates against schema/plan.schema.json', () => {
    const j: unknown = JSON.parse(renderPlan(representativePlan(), 'json'));
    expect(planSchemaErrors(j)).toEqual([]);
    expect(j).toMatchObject({ format_version: 1, blocked: true, summary: { changes: 5, blocked: 1 } });
  });
});

describe('text', () => {
  it('is coloured only when asked, and colour changes nothing else', () => {
    const plain = renderPlan(representativePlan(), 'text', { color: false });
    const colored = renderPlan(representativePlan(), 'text', { color: true });
    expect(plain).not.toContain(ESC);
    expect(colored).toContain(`${ESC}[31m`);
    expect(stripAnsi(colored)).toBe(plain);
  });

  it('never passes control characters from Zendesk text to the terminal', () => {
    const out = renderPlan(representativePlan(), 'text', { color: false });
    expect(out).toContain('\\x1b[31mred\\x1b[0m');
  });

  it('marks blocked changes and ends with the summary line', () => {
    const out = renderPlan(representativePlan(), 'text', { color: false });
    expect(out).toMatch(/\+ Soylent \(360000000106\): enable {2}private → read_write {2}BLOCKED/);
    expect(out).toContain('✗ deny_note');
    expect(out).toContain('Plan: 2 to enable, 0 to change, 1 to disable, 1 user grant, 1 partner domain to add, 1 blocked.');
  });

  it('says so when nothing changes', () => {
    const out = renderPlan(planFor(seedWorld(), []), 'text', { color: false });
    expect(out.trim().split('\n').at(-1)).toBe('No changes. Live Zendesk matches orgs/.');
  });
});

describe('Markdown', () => {
  const md = () => renderPlan(representativePlan(), 'markdown', { color: false });

  it('quotes a hostile approval comment without letting it inject HTML, close <details>, ping or link', () => {
    const out = md();
    expect(out).not.toContain('<script>');
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out.match(/<\/details>/g)).toHaveLength(out.match(/<details( open)?>/g)!.length);
    expect(out).toContain('> \\`\\`\\`<br>');
    expect(out).toContain('> \\# not a heading<br>');
    expect(out).toContain('@\u200Bacme/security');
    expect(out).toContain('\\[link\\](javascript:alert(1))');
    expect(out).not.toContain(ESC);
  });

  it('makes a blocked plan prominent: a caution block, an open section, BLOCKED in the table', () => {
    const out = md();
    expect(out.startsWith('### ⛔ orgshare plan:')).toBe(true);
    expect(out).toContain('> [!CAUTION]\n> **1 change is blocked** by a failed pre-check.');
    expect(out).toContain('<details open>\n<summary>⛔ <b>Soylent</b> (360000000106)');
    expect(out).toMatch(/\| ⛔ \| \[Soylent\]\(https:\/\/acme\.zendesk\.com\/agent\/organizations\/360000000106\) \| enable \*\*BLOCKED\*\* \|/);
  });

  it('links tickets and organizations, and shows the Details diff', () => {
    const out = md();
    expect(out).toContain('[#4821](https://acme.zendesk.com/agent/tickets/4821)');
    expect(out).toContain('Organization [360000000101](https://acme.zendesk.com/agent/organizations/360000000101)');
    expect(out).toContain('```diff\n   --- details (before this step)\n   +++ details (after this step)');
    expect(out).toContain('   +Shared organization (Read only) enabled 2026-11-23 as per https://acme.zendesk.com/agent/tickets/4821');
  });

  it('says so when nothing changes', () => {
    expect(renderPlan(planFor(seedWorld(), []), 'markdown')).toContain('No changes. Live Zendesk matches `orgs/`.');
  });
});

describe('Markdown escaping helpers', () => {
  it('escapeMd keeps a table cell on one line and pipes inside it', () => {
    expect(escapeMd('a | b\nc')).toBe('a \\| b c');
  });
  it('escapeMd neutralises leading list, heading and ordered-list markers', () => {
    expect(escapeMd('- item')).toBe('\\- item');
    expect(escapeMd('1. first')).toBe('1\\. first');
    expect(escapeMd('=== setext')).toBe('\\=== setext');
  });
  it('blockquote keeps line breaks and blank lines', () => {
    expect(blockquote('a\nb\n\nc')).toBe('> a<br>\n> b\n>\n> c');
  });
  it('codeFence outgrows any backtick run inside', () => {
    expect(codeFence('x ```` y', 'diff')).toBe('`````diff\nx ```` y\n`````');
  });
});

const DRIFT: DriftReport = {
  formatVersion: 1,
  generatedAt: '2026-11-23T09:30:00.000Z',
  account: { subdomain: 'acme', baseUrl: 'https://acme.zendesk.com/api/v2' },
  managed: 5,
  scanned: { organizations: 6, users: 11 },
  items: [
    {
      kind: 'managed_differs',
      orgId: 360000000101,
      orgName: 'Acme Corp',
      file: 'orgs/acme-corp.yaml',
      declared: 'read_only',
      live: 'private',
      lastChange: { actorId: 1002, actorName: 'Sam', at: '2026-11-22T10:00:00Z' },
    },
    { kind: 'managed_missing', orgId: 360000000199, orgName: 'Gone Inc', file: 'orgs/gone.yaml' },
    { kind: 'unmanaged_shared', orgId: 360000000106, orgName: 'Soylent <b>', live: 'read_write' },
    { kind: 'grant_differs', userId: 2401, email: 'lead@hooli.example', orgId: 360000000105, file: 'orgs/hooli.yaml', declared: 'organization', live: 'requested' },
    { kind: 'undeclared_grant', userId: 2002, email: 'bob@acme.example', orgId: 360000000101, orgName: 'Acme Corp' },
  ],
};

const APPLY: ApplyReport = {
  formatVersion: 1,
  generatedAt: '2026-11-23T09:31:00.000Z',
  date: '2026-11-23',
  account: { subdomain: 'acme', baseUrl: 'https://acme.zendesk.com/api/v2' },
  results: [
    {
      key: 'org:360000000101',
      orgId: 360000000101,
      orgName: 'Acme Corp',
      kind: 'enable',
      status: 'done',
      steps: [
        { kind: 'ticket_metadata', status: 'done' },
        { kind: 'org_update', status: 'done' },
        { kind: 'ticket_comment', status: 'already_done', message: 'comment 900001 already posted' },
      ],
    },
    {
      key: 'org:360000000103',
      orgId: 360000000103,
      orgName: 'Initech',
      kind: 'disable',
      status: 'failed',
      error: 'Zendesk answered 422: RecordInvalid',
      steps: [
        { kind: 'org_update', status: 'failed', message: '422 RecordInvalid' },
        { kind: 'ticket_comment', status: 'not_run' },
      ],
    },
  ],
  verified: false,
  verification: ['organization 360000000103 is still read_only'],
  requests: { reads: 12, writes: 3 },
};

describe('drift and apply reports (golden files)', () => {
  for (const format of ['text', 'json', 'markdown'] as const) {
    const ext = format === 'markdown' ? 'md' : format === 'json' ? 'json' : 'txt';
    it(`drift as ${format}`, () => expectGolden(`drift.${ext}`, renderDrift(DRIFT, format, { color: false })));
    it(`apply as ${format}`, () => expectGolden(`apply.${ext}`, renderApply(APPLY, format, { color: false })));
  }

  it('no drift', () => {
    const none = { ...DRIFT, items: [] };
    expect(renderDrift(none, 'text', { color: false })).toContain('No drift. Live Zendesk matches orgs/.');
    expect(JSON.parse(renderDrift(none, 'json'))).toMatchObject({ format_version: 1, summary: { items: 0, drift: false } });
  });

  it('JSON reports use snake_case keys and format_version 1', () => {
    const j = JSON.parse(renderApply(APPLY, 'json')) as Record<string, unknown>;
    expect(j).toMatchObject({ format_version: 1, generated_at: APPLY.generatedAt, requests: { reads: 12, writes: 3 } });
    const d = JSON.parse(renderDrift(DRIFT, 'json')) as { items: Record<string, unknown>[] };
    expect(d.items[0]).toMatchObject({ kind: 'managed_differs', org_id: 360000000101, last_change: { actor_name: 'Sam', actor_id: 1002 } });
  });
});
