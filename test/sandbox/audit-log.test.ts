import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, UI_IP_ADDRESS, type Sandbox } from '../../src/sandbox/index.js';
import { AGENT_AUTH, api } from './helpers.js';

const ACME = 360000000101;

describe('sandbox audit log: API and "UI" changes, time filter, cursor pages', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  beforeEach(() => sb.reset());
  afterAll(async () => {
    await sb.close();
  });

  it('records an API change by the API user and a UI change by the named agent, in Zendesk’s shape', async () => {
    const put = await api(`${sb.baseUrl}/organizations/${ACME}.json`, { method: 'PUT', body: { organization: { shared_tickets: true } } });
    expect(put.status).toBe(200);
    const ui = await api(`${sb.url}/__sandbox/ui`, { method: 'POST', auth: null, body: { organization: { id: ACME, shared_tickets: false }, actor: 'sam@acme.example' } });
    expect(ui.status).toBe(200);
    const res = await api(`${sb.baseUrl}/audit_logs.json?filter[source_type]=organization&filter[source_id]=${ACME}&sort=created_at`);
    expect(res.body.audit_logs.map((a: Record<string, unknown>) => [a.actor_name, a.action, a.change_description, a.ip_address])).toEqual([
      ['Acme Admin', 'update', 'Shared tickets changed from false to true', '127.0.0.1'],
      ['Sam Support', 'update', 'Shared tickets changed from true to false', UI_IP_ADDRESS],
    ]);
    expect(Object.keys(res.body.audit_logs[0]).sort()).toEqual(
      ['url', 'id', 'action', 'action_label', 'actor_id', 'actor_name', 'change_description', 'created_at', 'ip_address', 'source_id', 'source_label', 'source_type'].sort(),
    );
    const bad = await api(`${sb.url}/__sandbox/ui`, { method: 'POST', auth: null, body: { organization: { id: ACME, shared_comments: true, shared_tickets: false } } });
    expect(bad.status).toBe(400);
  });

  it('filters by created_at (start and end, inclusive) and pages with cursors', async () => {
    for (let i = 0; i < 5; i++) sb.ui({ organization: { id: ACME, notes: `note ${i}` } });
    const all = [...sb.store.auditLogs.values()];
    const [second, fourth] = [all[1]!.created_at, all[3]!.created_at];
    const q = `filter[source_type]=organization&filter[created_at][]=${second}&filter[created_at][]=${fourth}&sort=created_at&page[size]=2`;
    const first = await api(`${sb.baseUrl}/audit_logs.json?${q}`);
    expect(first.body.audit_logs.map((a: { created_at: string }) => a.created_at)).toEqual([second, all[2]!.created_at]);
    expect(first.body.meta.has_more).toBe(true);
    const next = await api(first.body.links.next);
    expect(next.body.audit_logs.map((a: { created_at: string }) => a.created_at)).toEqual([fourth]);
    expect(next.body.meta.has_more).toBe(false);
    const one = await api(`${sb.baseUrl}/audit_logs.json?filter[created_at][]=${second}`);
    expect(one.status).toBe(400);
    expect((await api(`${sb.baseUrl}/audit_logs.json`, { auth: AGENT_AUTH })).status).toBe(403);
  });
});
