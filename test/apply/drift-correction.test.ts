/**
 * Every change orgshare makes to sharing appends its Details line (docs/drift-and-import.md):
 * after sharing was switched off by hand, re-applying the file switches it on again and
 * records that with a new line — on the same day as the first (identical text) or later.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SEED, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { FILES, ORG, READ_ONLY_LINE, cli, configDir, countLines, detailsOf, removeConfigDirs } from './helpers.js';

const SEED = { ...DEFAULT_SEED, account: { ...DEFAULT_SEED.account, clock_start: '2026-11-20T09:00:00Z' } };
let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0, seed: SEED });
});
afterAll(async () => {
  await sb.close();
  await removeConfigDirs();
});
beforeEach(() => sb.reset());

describe('a drift correction is recorded', () => {
  it('sharing disabled by hand, then re-applied the same day: a second Details line, verified, and history shows both', async () => {
    const dir = await configDir({ acme: FILES.acme });
    sb.store.clock.observe('2026-11-23T08:00:00Z');
    expect((await cli(sb, dir, ['apply', '--yes'])).code).toBe(0);
    expect(countLines(detailsOf(sb, ORG.acme), READ_ONLY_LINE(4821))).toBe(1);

    sb.ui({ organization: { id: ORG.acme, shared_tickets: false }, actor: 'sam@acme.example' });
    const plan = await cli(sb, dir, ['plan']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain(READ_ONLY_LINE(4821));

    const again = await cli(sb, dir, ['apply', '--yes']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(sb.store.org(ORG.acme).shared_tickets).toBe(true);
    expect(countLines(detailsOf(sb, ORG.acme), READ_ONLY_LINE(4821))).toBe(2);

    // Converged: no third line, no write.
    sb.clearLog();
    expect((await cli(sb, dir, ['apply', '--yes'])).code).toBe(0);
    expect(sb.writes()).toEqual([]);

    const history = await cli(sb, dir, ['history', '--format', 'json']);
    const acme = (JSON.parse(history.stdout) as { orgs: { org_id: number; events: { source: string }[] }[] }).orgs.find((o) => o.org_id === ORG.acme)!;
    expect(acme.events.filter((e) => e.source === 'details')).toHaveLength(2);
  });

  it('re-applied on a later day: the new line carries that day', async () => {
    const dir = await configDir({ acme: FILES.acme });
    expect((await cli(sb, dir, ['apply', '--yes'])).code).toBe(0);
    sb.store.updateOrganization(ORG.acme, { shared_tickets: false, shared_comments: false });
    const later = new Date('2026-11-25T10:00:00Z');
    expect((await cli(sb, dir, ['apply', '--yes'], { now: () => later })).code).toBe(0);
    const details = detailsOf(sb, ORG.acme) ?? '';
    expect(countLines(details, READ_ONLY_LINE(4821))).toBe(1);
    expect(countLines(details, READ_ONLY_LINE(4821).replace('2026-11-23', '2026-11-25'))).toBe(1);
  });
});
