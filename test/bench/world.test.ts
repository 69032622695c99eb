/**
 * The benchmark's generated world must stay valid as orgshare evolves: if it did not, the
 * bench would measure refusals instead of work. Small sizes only; nothing here is timed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classify } from '../../bench/lib/classify.js';
import { buildWorld, writeRepo } from '../../bench/lib/world.js';
import { loadConfig } from '../../src/config/load.js';
import { plan } from '../../src/plan/plan.js';
import { createAdapter } from '../../src/remote/adapter.js';
import { observeForPlan } from '../../src/remote/observe.js';
import { readSet } from '../../src/plan/reads.js';
import { startSandbox } from '../../src/sandbox/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function repos(orgs: number) {
  const world = buildWorld({ orgs });
  const root = mkdtempSync(join(tmpdir(), 'orgshare-bench-test-'));
  dirs.push(root);
  writeRepo(join(root, 'converged'), world, 'converged');
  writeRepo(join(root, 'changed'), world, 'changed');
  return { world, converged: join(root, 'converged'), changed: join(root, 'changed') };
}

describe('bench world', () => {
  it('is deterministic and changes 1 % of the organizations', () => {
    const a = buildWorld({ orgs: 300 });
    expect(buildWorld({ orgs: 300 })).toEqual(a);
    expect(a.changedIds).toHaveLength(3);
    expect(a.users).toBe(1500);
    expect(a.changedFiles.size).toBe(3);
  });

  it('writes config repos that validate with no problems', async () => {
    const { world, converged, changed } = repos(250);
    for (const dir of [converged, changed]) {
      const loaded = await loadConfig(dir, { env: {} });
      expect(loaded.problems).toEqual([]);
      expect(loaded.desired.orgs).toHaveLength(250);
    }
    expect(world.desiredChanged.filter((d) => d.details_line)).toHaveLength(world.changedIds.length);
  });

  it('plans nothing for the converged repo and only unblocked widening changes for the changed one', async () => {
    const { world, converged, changed } = repos(200);
    const sb = await startSandbox({ seed: world.seed });
    try {
      const adapter = () =>
        createAdapter({
          baseUrl: sb.baseUrl,
          subdomain: 'acme',
          auth: { kind: 'token', email: 'admin@acme.example', token: 'sandbox-token' },
          readOnly: true,
          rpm: 0,
        });
      const planFor = async (dir: string) => {
        const loaded = await loadConfig(dir, { env: {} });
        const observed = await observeForPlan(adapter(), loaded.desired, loaded.policy, (o) => readSet(loaded.desired, o, loaded.policy, { exposure: false }));
        return plan(loaded.desired, observed, loaded.policy, { now: new Date('2026-11-23T12:00:00Z'), allowLarge: true });
      };

      sb.clearLog();
      const none = await planFor(converged);
      expect(none.changes).toEqual([]);
      // The private organizations are baseline files: asserted private, no ticket read.
      expect(none.planChecks.find((c) => c.id === 'baseline')).toMatchObject({ status: 'pass' });
      const counts = classify(sb.log());
      expect(counts.orgReads).toBe(2); // show_many, 100 ids per request
      expect(counts.orgWrites + counts.ticketWrites).toBe(0);

      const some = await planFor(changed);
      expect(some.changes.map((c) => c.orgId).sort()).toEqual([...world.changedIds].sort());
      for (const c of some.changes) {
        expect(c.blocked, JSON.stringify(c.checks.filter((k) => k.status !== 'pass'))).toBe(false);
        expect(c.widening).toBe(true);
      }
    } finally {
      await sb.close();
    }
  });
});

describe('classify', () => {
  it('sorts sandbox log entries into the table’s kinds', () => {
    const e = (method: string, path: string, status = 200) => ({ method, path, status });
    const c = classify([
      e('GET', '/api/v2/organizations/show_many.json'),
      e('GET', '/api/v2/organizations.json'),
      e('GET', '/api/v2/organizations/361000000001/users.json'),
      e('GET', '/api/v2/tickets/300000/comments.json'),
      e('PUT', '/api/v2/organizations/update_many.json'),
      e('PUT', '/api/v2/tickets/300000.json'),
      e('GET', '/api/v2/job_statuses/abc.json'),
      e('GET', '/api/v2/users/me.json', 429),
    ]);
    expect(c).toMatchObject({ orgReads: 2, evidenceReads: 3, orgWrites: 1, ticketWrites: 1, jobPolls: 1, total: 8, errors: 1 });
    expect(c.byEndpoint.get('GET /tickets/{id}/comments')).toBe(1);
  });
});
