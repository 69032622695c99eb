import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { plan } from '../../src/plan/plan.js';
import { createAdapter } from '../../src/remote/adapter.js';
import { remoteOptionsFromEnv } from '../../src/remote/env.js';
import { observeForPlan } from '../../src/remote/observe.js';
import { readSet } from '../../src/plan/reads.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runCli, sandboxEnv } from '../access/cli-harness.js';

const ACME = 360000000101;
const INITECH = 360000000103;
const HOOLI = 360000000105;

describe('import → plan round trip (sandbox, real HTTP)', () => {
  let sb: Sandbox;
  let dir: string;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'orgshare-roundtrip-'));
  });
  afterAll(async () => {
    await sb.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('imports an account managed by hand and then plans no changes, with zero writes', async () => {
    // An account as people left it: Initech enabled by hand in the current form, Hooli
    // private with one user-level grant, Pat (Acme default, also in Globex) granted too.
    sb.store.updateOrganization(INITECH, {
      details: 'Customer since 2020.\nShared organization (Read only) enabled 2024-04-04 as per https://acme.zendesk.com/agent/tickets/4900',
    });
    sb.store.updateOrganization(HOOLI, { details: 'Shared organization disabled 2024-05-01 as per https://acme.zendesk.com/agent/tickets/5010' });
    sb.store.updateOrganization(ACME, { details: 'Shared organization disabled 2023-01-01 as per https://acme.zendesk.com/agent/tickets/4821' });
    sb.store.updateUser(2401, { ticket_restriction: 'organization' });
    sb.store.updateUser(2501, { ticket_restriction: 'organization' });
    sb.clearLog();

    const env = sandboxEnv(sb);
    const imported = await runCli(['--dir', dir, 'import', '--shared', '--org', String(HOOLI), String(ACME)], env);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('wrote orgs/acme-corp.yaml');
    expect(imported.stdout).toContain('wrote orgs/globex.yaml');
    expect(imported.stdout).toContain('wrote orgs/initech.yaml');
    expect(imported.stdout).toContain('wrote orgs/hooli.yaml');
    // Pat's grant is declared once, in the default organization's file.
    expect(imported.stdout).toContain("pat@partnerco.example's grant is declared in the file for Acme Corp (360000000101)");

    const loaded = await loadConfig(dir, { env });
    expect(loaded.problems).toEqual([]);
    expect(loaded.desired.orgs.map((o) => [o.file, o.sharing, o.request!.legacy, o.userAccess.map((g) => g.email)])).toEqual([
      ['orgs/acme-corp.yaml', 'private', true, ['pat@partnerco.example']],
      ['orgs/globex.yaml', 'read_write', true, []],
      ['orgs/hooli.yaml', 'private', true, ['lead@hooli.example']],
      ['orgs/initech.yaml', 'read_only', true, []],
    ]);

    const reader = createAdapter(remoteOptionsFromEnv(env, { readOnly: true, rpm: loaded.policy.rpm }));
    const observed = await observeForPlan(reader, loaded.desired, loaded.policy, (o) => readSet(loaded.desired, o, loaded.policy), {});
    const made = plan(loaded.desired, observed, loaded.policy, { now: new Date('2026-11-23T12:00:00Z'), allowLarge: false });
    expect(made.changes).toEqual([]);
    expect(sb.writes()).toEqual([]);

    // And drift agrees: nothing differs.
    const drift = await runCli(['--dir', dir, 'drift'], env);
    expect(drift.code).toBe(0);
    expect(sb.writes()).toEqual([]);
  });

  it('adopts a whole account: import --all writes a file for every organization, exits 0, and plan shows no changes', async () => {
    sb.reset();
    // Shared in the current Details form (Initech), shared in the older lowercase form
    // (Globex, as seeded), disabled once (Acme), never shared (Umbrella, Hooli, Soylent).
    sb.store.updateOrganization(INITECH, {
      details: 'Customer since 2020.\nShared organization (Read only) enabled 2024-04-04 as per https://acme.zendesk.com/agent/tickets/4900',
    });
    sb.store.updateOrganization(ACME, { details: 'Shared organization disabled 2023-01-01 as per https://acme.zendesk.com/agent/tickets/4821' });
    sb.clearLog();
    const adopt = await mkdtemp(join(tmpdir(), 'orgshare-adopt-'));
    try {
      const env = sandboxEnv(sb);
      const imported = await runCli(['--dir', adopt, 'import', '--all'], env);
      expect(imported.stderr).toBe('');
      expect(imported.code).toBe(0);
      expect(imported.stdout).toContain('6 written, 0 up to date, 0 kept, 0 skipped.');
      expect(imported.stdout).toContain('wrote orgs/hooli.yaml: Hooli (360000000105) (private, baseline: never shared, no request)');

      const loaded = await loadConfig(adopt, { env });
      expect(loaded.problems).toEqual([]);
      expect(loaded.desired.orgs.map((o) => [o.file, o.sharing, o.request === null ? 'baseline' : o.request.legacy ? 'legacy' : 'request'])).toEqual([
        ['orgs/acme-corp.yaml', 'private', 'legacy'],
        ['orgs/globex.yaml', 'read_write', 'legacy'],
        ['orgs/hooli.yaml', 'private', 'baseline'],
        ['orgs/initech.yaml', 'read_only', 'legacy'],
        ['orgs/soylent.yaml', 'private', 'baseline'],
        ['orgs/umbrella-health.yaml', 'private', 'baseline'],
      ]);

      const planned = await runCli(['--dir', adopt, '--no-color', 'plan'], env);
      expect(planned.code).toBe(0);
      expect(planned.stdout).toContain('No changes');
      expect(planned.stdout).toContain('3 baseline files: every organization is private in Zendesk, as asserted');
      expect(sb.writes()).toEqual([]);

      // The assertion is checked: a baseline organization shared behind our back blocks the plan.
      sb.store.updateOrganization(HOOLI, { shared_tickets: true });
      const blocked = await runCli(['--dir', adopt, '--no-color', 'plan'], env);
      expect(blocked.code).toBe(1);
      expect(blocked.stdout).toContain('Hooli (360000000105, orgs/hooli.yaml) is shared (Read only) in Zendesk');
      // And drift reports it like any managed organization that differs.
      const drift = await runCli(['--dir', adopt, '--format', 'json', 'drift'], env);
      expect(drift.code).toBe(2);
      expect((JSON.parse(drift.stdout) as { items: unknown[] }).items).toEqual([
        expect.objectContaining({ kind: 'managed_differs', org_id: 360000000105, declared: 'private', live: 'read_only' }),
      ]);
      expect(sb.writes()).toEqual([]);
    } finally {
      await rm(adopt, { recursive: true, force: true });
    }
  });
});
