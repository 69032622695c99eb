import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { plan } from '../../src/plan/plan.js';
import { readSet } from '../../src/plan/reads.js';
import { createAdapter } from '../../src/remote/adapter.js';
import { remoteOptionsFromEnv } from '../../src/remote/env.js';
import { observeForPlan } from '../../src/remote/observe.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { FILES } from '../apply/helpers.js';
import { requestPaths, sandboxEnv } from './cli-harness.js';

const ACME_FILE = FILES.acme;

describe('exposure read with the read set, planned once (sandbox, real HTTP)', () => {
  let sb: Sandbox;
  let dir: string;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'orgshare-exposure-'));
    await mkdir(join(dir, 'orgs'));
    await writeFile(join(dir, 'orgs', 'acme-corp.yaml'), ACME_FILE);
  });
  afterAll(async () => {
    await sb.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('says how many users the Acme enable lets see how many tickets, from two more reads and no writes', async () => {
    const env = sandboxEnv(sb);
    const loaded = await loadConfig(dir, { env });
    expect(loaded.problems).toEqual([]);
    const reader = createAdapter(remoteOptionsFromEnv(env, { readOnly: true }));
    const without = await observeForPlan(reader, loaded.desired, loaded.policy, (o) => readSet(loaded.desired, o, loaded.policy, { exposure: false }));
    const paths = requestPaths(sb);
    sb.clearLog();
    const observed = await observeForPlan(reader, loaded.desired, loaded.policy, (o) => readSet(loaded.desired, o, loaded.policy));
    // The exposure reads join the read set: the same reads, plus two for Acme.
    expect(requestPaths(sb)).toEqual([...paths, 'GET /organizations/360000000101/users', 'GET /organizations/360000000101/tickets/count']);
    const now = new Date('2026-11-23T12:00:00Z');
    expect(plan(loaded.desired, without, loaded.policy, { now, allowLarge: false }).changes[0]!.exposure).toBeUndefined();
    // plan() runs once, on complete data, and says what the change exposes.
    const made = plan(loaded.desired, observed, loaded.policy, { now, allowLarge: false });
    expect(made.changes.map((c) => c.kind)).toEqual(['enable']);
    // Acme Corp: Jane, Bob and Pat (default org Acme, also in Globex); one ticket (4821).
    expect(made.changes[0]!.exposure).toEqual({
      usersGaining: 3,
      ticketsVisible: 1,
      commentersGaining: 0,
      note: 'This change lets 3 users see 1 ticket they cannot see today.',
    });
    expect(sb.writes()).toEqual([]);
  });
});
