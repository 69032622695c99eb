import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeAccess } from '../../src/access/compute.js';
import { readAccess, type AccessInput } from '../../src/access/observe.js';
import { classify } from '../../bench/lib/classify.js';
import { generateAccount, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { sandboxReader } from '../apply/helpers.js';
import { runCli, sandboxEnv } from './cli-harness.js';

const adapterFor = sandboxReader;

/** Requests by endpoint ("GET /organizations/{id}/tickets/count" → count). */
function endpoints(sb: Sandbox): Record<string, number> {
  return Object.fromEntries(classify(sb.log()).byEndpoint);
}

function report(input: AccessInput) {
  return computeAccess(input.orgs, input.users, input.memberships, input.counts, {
    generatedAt: '2026-11-23T00:00:00Z',
    account: { subdomain: 'acme', baseUrl: 'http://sandbox/api/v2' },
    unlistedMembers: input.unlistedMembers,
  });
}

describe('access reads the whole account in cursor pages', () => {
  // 250 organizations, 1,250 end-users: 10 % shared, 5 % in two organizations, 2 % with a
  // user-level grant, one ticket per organization.
  const seed = generateAccount({ orgs: 250, users: 1250, userGrantFraction: 0.02, ticketsPerOrg: 1, seed: 7 });
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ seed });
  });
  afterAll(async () => {
    await sb.close();
  });

  it('costs ⌈orgs/100⌉ + ⌈memberships/100⌉ + ⌈users/100⌉ + one count per exposed organization', async () => {
    sb.reset();
    const input = await readAccess(adapterFor(sb));
    const exposed = report(input).orgs.filter((o) => o.seeAll.length > 0).length;
    expect(exposed).toBeGreaterThan(25);
    expect(endpoints(sb)).toEqual({
      'GET /organizations': Math.ceil(sb.store.orgs.size / 100),
      'GET /organization_memberships': Math.ceil(sb.store.memberships.size / 100),
      'GET /users': Math.ceil(sb.store.users.size / 100),
      'GET /organizations/{id}/tickets/count': exposed,
    });
    expect(sb.writes()).toEqual([]);
    expect(input.scanned).toEqual({ organizations: sb.store.orgs.size, memberships: sb.store.memberships.size, users: sb.store.users.size });
  });

  it('keeps only the users the report can name, and reports exactly what per-organization reads report', async () => {
    sb.reset();
    const scanned = await readAccess(adapterFor(sb));
    sb.reset();
    const perOrg = await readAccess(adapterFor(sb), { orgIds: [...sb.store.orgs.keys()] });
    expect(endpoints(sb)['GET /organizations/{id}/users']).toBe(sb.store.orgs.size);

    // Memory: most end-users belong to one private organization without a grant.
    expect(scanned.users.length).toBeLessThan(perOrg.users.length / 3);
    const a = report(scanned);
    const b = report(perOrg);
    expect(a.totals).toEqual(b.totals);
    expect(a.orgs).toEqual(b.orgs);
    expect(a.totals.userGrants).toBeGreaterThan(0);
    expect(a.orgs.some((o) => o.crossOrg.length > 0)).toBe(true);
  });
});

describe('access progress in a CI log', () => {
  it('prints periodic plain lines on stderr and leaves stdout byte for byte the same', async () => {
    const sb = await startSandbox({ seed: generateAccount({ orgs: 300, users: 1500, seed: 3 }) });
    try {
      const env = sandboxEnv(sb);
      const quiet = await runCli(['--format', 'json', 'access'], env);
      // Time moves only when the reporter reads its clock: 10 s per progress event, so the
      // 30-s interval falls due every few pages, whatever the machine's speed.
      let now = 0;
      const ticks: (() => void)[] = [];
      let fired = 0;
      let ticking = false;
      const clock = () => {
        if (ticking) return now;
        now += 10_000;
        ticking = true;
        for (; fired < Math.floor(now / 30_000); fired++) for (const tick of [...ticks]) tick();
        ticking = false;
        return now;
      };
      const every = (fn: () => void) => {
        ticks.push(fn);
        return () => void ticks.splice(ticks.indexOf(fn), 1);
      };
      const logged = await runCli(['--format', 'json', 'access'], env, undefined, false, { clock, every });
      expect(logged.code).toBe(0);
      expect(logged.stdout).toBe(quiet.stdout);
      expect(quiet.stderr).toBe('');
      const lines = logged.stderr.split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThanOrEqual(3);
      expect(logged.stderr).not.toMatch(/\r|\x1b/);
      expect(lines.every((l) => l.startsWith('orgshare: '))).toBe(true);
      expect(lines.some((l) => /reading users [\d,]+ so far/.test(l))).toBe(true);
      expect(lines.some((l) => /counting tickets \d+\/\d+/.test(l))).toBe(true);
    } finally {
      await sb.close();
    }
  });
});
