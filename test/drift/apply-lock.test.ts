/**
 * Drift while an apply runs (docs/drift-and-import.md): another process holds the apply
 * lock in Zendesk (a line in the API user's notes, taken with the real lock protocol over
 * HTTP). The organizations it is applying are reported as "apply in progress", not as
 * drift; everything else is still drift. Drift itself never writes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acquireApplyLock, releaseApplyLock, type ApplyLock } from '../../src/apply/lock.js';
import { createAdapter } from '../../src/remote/adapter.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { FILES, NOW, cli, configDir, removeConfigDirs } from '../apply/helpers.js';

const ACME = 360000000101;
const SOYLENT = 360000000106;
const API_USER = 1001;

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.close();
  await removeConfigDirs();
});
beforeEach(() => sb.reset());

/** The lock as another apply (another runner) takes it: real protocol, pinned clock. */
async function holdLock(orgIds?: number[]): Promise<ApplyLock> {
  const writer = createAdapter({
    baseUrl: sb.baseUrl,
    subdomain: 'acme',
    auth: { kind: 'token', email: 'admin@acme.example', token: 'sandbox-token' },
    readOnly: false,
    maxRetries: 0,
  });
  return acquireApplyLock(writer, {
    // The protocol's wait is skipped (one lock taker here); the limit only has to be generous.
    settleMs: 60_000,
    ttlMs: 30 * 60_000,
    sleep: async () => undefined,
    now: () => NOW,
    host: 'ci-runner-7',
    pid: 4242,
    ...(orgIds ? { orgIds } : {}),
  });
}

interface DriftJson {
  items: { kind: string; org_id?: number }[];
  apply_in_progress?: { applies: { holder: string; org_ids: number[] | null }[]; deferred: { kind: string; org_id: number }[] };
  summary: { drift: boolean; apply_in_progress: boolean };
}

describe('drift while another process holds the apply lock', () => {
  it('the organizations being applied are not drift; the output says an apply is in progress', async () => {
    // Acme's file asks for read_only, live is private: the apply of that change is running.
    const dir = await configDir({ 'acme-corp': FILES.acme, initech: FILES.initech, globex: FILES.globex });
    const lock = await holdLock([ACME, 360000000103]);
    expect(sb.store.user(API_USER).notes).toContain('orgs=360000000101,360000000103');
    sb.clearLog();

    const text = await cli(sb, dir, ['drift']);
    expect(text.code, text.stdout + text.stderr).toBe(0);
    expect(text.stdout).toMatch(/Apply in progress: another apply \(host ci-runner-7, pid 4242, since [^)]+\), applying organizations 360000000101, 360000000103\./);
    expect(text.stdout).toMatch(/Not reported as drift while it runs[^\n]*\n\s+… Acme Corp \(360000000101, orgs\/acme-corp\.yaml\): declared read_only, live private/);
    expect(text.stdout).toContain('No drift outside the apply in progress.');
    expect(text.stdout).not.toMatch(/^Drift:/m);

    const json = await cli(sb, dir, ['--format', 'json', 'drift']);
    const doc = JSON.parse(json.stdout) as DriftJson;
    expect(doc.items).toEqual([]);
    expect(doc.summary).toEqual(expect.objectContaining({ drift: false, apply_in_progress: true }));
    expect(doc.apply_in_progress!.deferred.map((d) => [d.kind, d.org_id])).toEqual([
      ['managed_differs', ACME],
      ['managed_differs', 360000000103],
    ]);
    expect(doc.apply_in_progress!.applies[0]!.org_ids).toEqual([ACME, 360000000103]);

    const md = await cli(sb, dir, ['--format', 'markdown', 'drift']);
    expect(md.stdout).toContain('### orgshare drift: none (apply in progress)');
    expect(md.stdout).toMatch(/> \*\*Apply in progress:\*\* another apply/);

    // Drift read the lock; it never writes.
    expect(sb.writes()).toEqual([]);

    // Once the apply is over, the same difference is drift again.
    await releaseApplyLock(createAdapter({ baseUrl: sb.baseUrl, subdomain: 'acme', auth: { kind: 'token', email: 'admin@acme.example', token: 'sandbox-token' }, readOnly: false }), lock);
    const after = await cli(sb, dir, ['drift']);
    expect(after.code).toBe(2);
    expect(after.stdout).not.toContain('Apply in progress');
    expect(after.stdout).toMatch(/~ Acme Corp \(360000000101, orgs\/acme-corp\.yaml\): declared read_only, live private/);
  });

  it('drift outside the organizations being applied is still reported', async () => {
    const dir = await configDir({ 'acme-corp': FILES.acme });
    await holdLock([ACME]);
    sb.store.updateOrganization(SOYLENT, { shared_tickets: true, shared_comments: true });
    const out = await cli(sb, dir, ['--format', 'json', 'drift']);
    expect(out.code).toBe(2);
    const doc = JSON.parse(out.stdout) as DriftJson;
    expect(doc.items.map((i) => [i.kind, i.org_id])).toContainEqual(['unmanaged_shared', SOYLENT]);
    expect(doc.items.filter((i) => i.org_id === ACME)).toEqual([]);
    expect(doc.apply_in_progress!.deferred.map((d) => d.org_id)).toEqual([ACME]);
  });

  it('a lock line that does not name its organizations covers every difference an apply could cause', async () => {
    const dir = await configDir({ 'acme-corp': FILES.acme });
    await holdLock();
    sb.store.updateOrganization(SOYLENT, { shared_tickets: true, shared_comments: true });
    const out = await cli(sb, dir, ['drift']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/which organizations it changes is not recorded/);
    expect(out.stdout).toMatch(/… Soylent \(360000000106\): read_write in Zendesk, not managed/);
  });

  it('an expired lock line is not an apply in progress', async () => {
    const dir = await configDir({ 'acme-corp': FILES.acme });
    const expired = new Date(NOW.getTime() - 60 * 60_000).toISOString();
    sb.store.updateUser(API_USER, {
      notes: `[orgshare-apply-lock] id=00112233445566778899 host=ci-runner-7 pid=4242 acquired=${expired} expires=${expired} orgs=${ACME} (delete this line to release a stale lock)`,
    });
    const out = await cli(sb, dir, ['drift']);
    expect(out.code).toBe(2);
    expect(out.stdout).not.toContain('Apply in progress');
  });

  it('apply writes the organizations it changes into its lock line', async () => {
    const dir = await configDir({ 'acme-corp': FILES.acme, initech: FILES.initech });
    sb.clearLog();
    const out = await cli(sb, dir, ['apply', '--yes']);
    expect(out.code, out.stdout + out.stderr).toBe(0);
    const lockWrites = sb
      .writes()
      .filter((w) => w.method === 'PUT' && w.path.endsWith(`/users/${API_USER}.json`))
      .map((w) => JSON.stringify(w.body));
    expect(lockWrites[0]).toMatch(/\[orgshare-apply-lock\][^"]* orgs=360000000101,360000000103 \(delete this line/);
  });
});
