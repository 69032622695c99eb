/**
 * The apply lock (src/apply/lock.ts): a line in the API user's notes that one apply writes
 * before its first change and removes at the end. Another apply must see it before it
 * writes; a crashed apply's lock must expire; two applies racing for it must not both win;
 * and taking or releasing it must keep everything else in the notes byte for byte.
 */
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ApplyLockError,
  LOCK_PREFIX,
  LOOPBACK_SETTLE_MS,
  DEFAULT_SETTLE_MS,
  acquireApplyLock,
  defaultSettleMs,
  parseLockLines,
  processStart,
  releaseApplyLock,
  type ApplyLock,
  type ApplyLockOptions,
} from '../../src/apply/lock.js';
import { ReadOnlyViolation } from '../../src/errors.js';
import { createAdapter } from '../../src/remote/adapter.js';
import type { Adapter } from '../../src/remote/types.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { FILES, cli, configDir, removeConfigDirs } from '../apply/helpers.js';
import { writesOf } from './helpers.js';

const API_USER = 1001;
const NOTES = 'Escalations: ops@acme.example\nDo not change without a ticket.\n';
/**
 * One apply alone: the settle wait is skipped (nobody races), and the limit on the lock
 * write is generous so a busy test machine cannot turn it into lock_timeout.
 */
const FAST: ApplyLockOptions = { settleMs: 5_000, ttlMs: 60_000, sleep: async () => undefined };
/** Racing applies: the real wait, 1 s (a sandbox lock write takes ≈ 30–100 ms). */
const RACE: ApplyLockOptions = { settleMs: 1_000, ttlMs: 60_000 };

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.close();
});
beforeEach(() => {
  sb.reset();
  sb.store.updateUser(API_USER, { notes: NOTES });
  sb.clearLog();
});

function writer(opts: { readOnly?: boolean } = {}): Adapter {
  return createAdapter({
    baseUrl: sb.baseUrl,
    subdomain: 'acme',
    auth: { kind: 'token', email: 'admin@acme.example', token: 'sandbox-token' },
    readOnly: opts.readOnly ?? false,
    maxRetries: 0,
    jobPoll: { initialMs: 10, maxMs: 50 },
  });
}

const notes = () => sb.store.user(API_USER).notes;
const lockLines = () => parseLockLines(notes());

async function refusal(p: Promise<unknown>): Promise<ApplyLockError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApplyLockError) return err;
    throw err;
  }
  throw new Error('expected the lock to be refused');
}

describe('taking and releasing the lock', () => {
  it('writes one line into the API user’s notes, visible in Zendesk, and release restores the notes byte for byte', async () => {
    const lock = await acquireApplyLock(writer(), { ...FAST, host: 'ci-runner-7', pid: 4242 });
    expect(notes()).toBe(`${NOTES}${lock.line}`);
    expect(lock.line).toMatch(
      new RegExp(`^\\${LOCK_PREFIX} id=[0-9a-f]{16} host=ci-runner-7 pid=4242 acquired=\\S+Z expires=\\S+Z \\(delete this line to release a stale lock\\)$`),
    );
    expect(Date.parse(lock.expiresAt) - Date.parse(lock.acquiredAt)).toBe(60_000);
    expect(writesOf(sb)).toEqual(['PUT /users/1001.json']);

    expect(await releaseApplyLock(writer(), lock)).toEqual({ released: true });
    expect(notes()).toBe(NOTES);
    expect(writesOf(sb)).toEqual(['PUT /users/1001.json', 'PUT /users/1001.json']);
  });

  it('release removes only its own line when someone edited the notes meanwhile', async () => {
    const lock = await acquireApplyLock(writer(), FAST);
    sb.store.updateUser(API_USER, { notes: `Added by an admin.\n${notes()}\nAnd a last line.` });
    expect((await releaseApplyLock(writer(), lock)).released).toBe(true);
    expect(notes()).toBe(`Added by an admin.\n${NOTES}And a last line.`);
  });

  it('release never throws for a Zendesk error (the lock then expires by itself)', async () => {
    const lock = await acquireApplyLock(writer(), FAST);
    sb.script({ match: { method: 'PUT', path: 'users/1001' }, fault: { kind: 'status', status: 503 } });
    const result = await releaseApplyLock(writer(), lock);
    expect(result.released).toBe(false);
    expect(result.reason).toMatch(/503/);
    expect(lockLines().map((l) => l.id)).toEqual([lock.id]);
  });

  it('a read-only adapter (plan, drift, import, access) cannot take it: the transport refuses the write', async () => {
    await expect(acquireApplyLock(writer({ readOnly: true }), FAST)).rejects.toBeInstanceOf(ReadOnlyViolation);
    expect(sb.writes()).toEqual([]);
  });

  it('settles for 15 s against Zendesk and 1 s against a sandbox on this machine', () => {
    expect(defaultSettleMs('https://acme.zendesk.com/api/v2', {})).toBe(DEFAULT_SETTLE_MS);
    expect(defaultSettleMs('http://127.0.0.1:4010/api/v2', {})).toBe(LOOPBACK_SETTLE_MS);
    expect(defaultSettleMs('http://localhost:4010/api/v2', {})).toBe(LOOPBACK_SETTLE_MS);
    // The override shortens the sandbox's settle time only, and not below 100 ms.
    const env = { ORGSHARE_LOCK_SETTLE_MS: '300' };
    expect(defaultSettleMs('http://127.0.0.1:4010/api/v2', env)).toBe(300);
    expect(defaultSettleMs('https://acme.zendesk.com/api/v2', env)).toBe(DEFAULT_SETTLE_MS);
    expect(defaultSettleMs('http://127.0.0.1:4010/api/v2', { ORGSHARE_LOCK_SETTLE_MS: '0' })).toBe(LOOPBACK_SETTLE_MS);
    expect(DEFAULT_SETTLE_MS).toBe(15_000);
  });
});

describe('another apply holding the lock', () => {
  it('is refused before anything is written, with who holds it, until when, and how to clear it', async () => {
    const held = await acquireApplyLock(writer(), { ...FAST, host: 'ci-runner-7', pid: 4242 });
    sb.clearLog();
    const err = await refusal(acquireApplyLock(writer(), FAST));
    expect(err.code).toBe('locked');
    expect(err.message).toContain('host ci-runner-7, pid 4242');
    expect(err.message).toContain(`until ${held.expiresAt}`);
    expect(err.message).toContain('nothing was written');
    expect(err.hint).toContain(LOCK_PREFIX);
    expect(err.hint).toContain('admin@acme.example');
    expect(sb.writes()).toEqual([]);
  });

  it('a lock of another host is respected while it lasts', async () => {
    const future = new Date(Date.now() + 10 * 60_000).toISOString();
    sb.store.updateUser(API_USER, { notes: `${NOTES}${LOCK_PREFIX} id=00112233aabbccdd host=laptop-of-sam pid=1 acquired=${new Date(Date.now() - 60_000).toISOString()} expires=${future}` });
    sb.clearLog();
    expect((await refusal(acquireApplyLock(writer(), FAST))).code).toBe('locked');
    expect(sb.writes()).toEqual([]);
  });

  it('an unreadable lock line is reported, ignored and kept byte for byte (orgshare did not write it)', async () => {
    const odd = `${LOCK_PREFIX} held by someone, ask in #support-ops \u001b[2J`;
    sb.store.updateUser(API_USER, { notes: `${NOTES}${odd}` });
    const notices: string[] = [];
    const lock = await acquireApplyLock(writer(), { ...FAST, onNotice: (m) => notices.push(m) });
    expect(notes()).toBe(`${NOTES}${odd}\n${lock.line}`);
    expect(notices).toEqual([expect.stringContaining('not one orgshare wrote')]);
    expect(notices.join('')).not.toContain('\u001b');
    await releaseApplyLock(writer(), lock);
    expect(notes()).toBe(`${NOTES}${odd}`);
  });

  it('a line claiming to last forever (expires=9999-…) lasts the maximum TTL after its acquired, and the refusal shows until when', async () => {
    const acquired = new Date(Date.now() - 5 * 60_000);
    const line = `${LOCK_PREFIX} id=00112233aabbccdd host=laptop-of-sam pid=1 acquired=${acquired.toISOString()} expires=9999-12-31T00:00:00.000Z`;
    sb.store.updateUser(API_USER, { notes: line });
    const err = await refusal(acquireApplyLock(writer(), { ...FAST, maxTtlMs: 10 * 60_000 }));
    const until = new Date(acquired.getTime() + 10 * 60_000).toISOString();
    expect(err.message).toContain(`until ${until}`);
    expect(err.hint).toContain(`expires by itself at ${until}`);
    // Past the maximum it is stale, and taken over.
    sb.store.updateUser(API_USER, { notes: line.replace(acquired.toISOString(), new Date(Date.now() - 11 * 60_000).toISOString()) });
    const lock = await acquireApplyLock(writer(), { ...FAST, maxTtlMs: 10 * 60_000 });
    expect(lockLines().map((l) => l.id)).toEqual([lock.id]);
    await releaseApplyLock(writer(), lock);
  });

  it('a line acquired in the future is absurd: reported and ignored', async () => {
    sb.store.updateUser(API_USER, { notes: `${LOCK_PREFIX} id=00112233aabbccdd host=x pid=1 acquired=9999-01-01T00:00:00.000Z expires=9999-01-01T00:30:00.000Z` });
    const notices: string[] = [];
    const lock = await acquireApplyLock(writer(), { ...FAST, onNotice: (m) => notices.push(m) });
    expect(notices.join('\n')).toContain('acquired in the future');
    await releaseApplyLock(writer(), lock);
  });
});

describe('a crashed apply does not block forever', () => {
  it('an expired lock is taken over (and replaced, not kept)', async () => {
    sb.store.updateUser(API_USER, {
      notes: `${NOTES}${LOCK_PREFIX} id=00112233aabbccdd host=gone-runner pid=77 acquired=2020-01-01T00:00:00.000Z expires=2020-01-01T00:30:00.000Z (delete this line to release a stale lock)`,
    });
    const lock = await acquireApplyLock(writer(), FAST);
    expect(lockLines().map((l) => l.id)).toEqual([lock.id]);
    expect(notes()).toBe(`${NOTES}${lock.line}`);
  });

  it('the lock of a process that no longer exists on this host is taken over at once', async () => {
    const dead = await new Promise<number>((done) => {
      const child = spawn(process.execPath, ['-e', '']);
      child.on('exit', () => done(child.pid!));
    });
    const future = new Date(Date.now() + 10 * 60_000).toISOString();
    sb.store.updateUser(API_USER, { notes: `${LOCK_PREFIX} id=00112233aabbccdd host=${hostname().replace(/\s+/g, '_')} pid=${dead} acquired=${new Date(Date.now() - 60_000).toISOString()} expires=${future}` });
    const lock = await acquireApplyLock(writer(), FAST);
    expect(lockLines().map((l) => l.id)).toEqual([lock.id]);
  });

  it('a line whose pid now belongs to another process (pid reused) is stale', async () => {
    const future = new Date(Date.now() + 10 * 60_000).toISOString();
    const start = processStart(process.ppid);
    expect(start).not.toBeNull(); // Linux: /proc tells when a process started
    // The parent process is alive, but it is not the process that wrote this line.
    const reused = `${LOCK_PREFIX} id=00112233aabbccdd host=${hostname().replace(/\s+/g, '_')} pid=${process.ppid} start=${Number(start) + 1} acquired=${new Date(Date.now() - 60_000).toISOString()} expires=${future}`;
    sb.store.updateUser(API_USER, { notes: reused });
    const lock = await acquireApplyLock(writer(), FAST);
    expect(lockLines().map((l) => l.id)).toEqual([lock.id]);
    await releaseApplyLock(writer(), lock);
    // With its real start it is respected.
    sb.store.updateUser(API_USER, { notes: reused.replace(`start=${Number(start) + 1}`, `start=${start}`) });
    expect((await refusal(acquireApplyLock(writer(), FAST))).code).toBe('locked');
  });

  it('the lock of a live process on this host is respected', async () => {
    const future = new Date(Date.now() + 10 * 60_000).toISOString();
    // The parent process (the test runner's) is alive and is not this process.
    sb.store.updateUser(API_USER, { notes: `${LOCK_PREFIX} id=00112233aabbccdd host=${hostname().replace(/\s+/g, '_')} pid=${process.ppid} acquired=${new Date(Date.now() - 60_000).toISOString()} expires=${future}` });
    expect((await refusal(acquireApplyLock(writer(), FAST))).code).toBe('locked');
  });

  it('a line this process left behind (its release failed) does not lock this process out', async () => {
    const future = new Date(Date.now() + 10 * 60_000).toISOString();
    sb.store.updateUser(API_USER, { notes: `${LOCK_PREFIX} id=00112233aabbccdd host=${hostname().replace(/\s+/g, '_')} pid=${process.pid} acquired=${new Date(Date.now() - 60_000).toISOString()} expires=${future}` });
    const lock = await acquireApplyLock(writer(), FAST);
    expect(sb.store.users.get(API_USER)?.notes).toBe(lock.line);
    // …but while this process holds a lock, a second apply of the same process is refused.
    expect((await refusal(acquireApplyLock(writer(), FAST))).code).toBe('locked');
    await releaseApplyLock(writer(), lock);
  });
});

describe('applies racing for the lock', () => {
  it('of two that start together, never both hold it, and one of them gets it (4 rounds, varied interleavings)', async () => {
    let rounds = 0;
    for (let round = 0; round < 4; round++) {
      sb.reset();
      const offset = round * 20;
      const [a, b] = await Promise.allSettled([
        acquireApplyLock(writer(), { ...RACE, host: 'a' }),
        new Promise((r) => setTimeout(r, offset)).then(() => acquireApplyLock(writer(), { ...RACE, host: 'b' })),
      ]);
      const won = [a, b].filter((r): r is PromiseFulfilledResult<ApplyLock> => r.status === 'fulfilled');
      const lost = [a, b].filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      const why = lost.map((l) => String(l.reason)).join(' | ');
      // Safety, always: at most one holder, and Zendesk shows only the holder's line.
      expect(won.length, `round ${round}: ${why}`).toBeLessThanOrEqual(1);
      for (const l of lost) {
        expect(l.reason).toBeInstanceOf(ApplyLockError);
        expect(['locked', 'lock_lost', 'lock_timeout']).toContain((l.reason as ApplyLockError).code);
      }
      if (won[0]) {
        rounds++;
        expect(lockLines().map((l) => l.id)).toEqual([won[0].value.id]);
      }
    }
    // Liveness: refusing both is safe but only expected when the machine is very slow.
    expect(rounds).toBeGreaterThan(0);
  });

  it('a lock write slower than the settle time refuses (another apply may have started meanwhile) and removes its own line', async () => {
    sb.script({ match: { method: 'PUT', path: 'users/1001' }, fault: { kind: 'delay', ms: 600 } });
    const err = await refusal(acquireApplyLock(writer(), { ...RACE, settleMs: 400 }));
    expect(err.code).toBe('lock_timeout');
    expect(err.message).toMatch(/took \d+ ms \(limit 400 ms\)/);
    expect(err.message).toContain('its lock line was removed again');
    expect(lockLines()).toEqual([]);
    expect(notes()).toBe(NOTES);
  });

  it('a 429 on the lock write: Zendesk applied nothing, the acquisition starts again and takes the lock', async () => {
    sb.script({ match: { method: 'PUT', path: 'users/1001' }, fault: { kind: 'retryAfter', seconds: 1 } });
    const lock = await acquireApplyLock(writer(), { ...FAST });
    expect(lockLines().map((l) => l.id)).toEqual([lock.id]);
    await releaseApplyLock(writer(), lock);
    expect(notes()).toBe(NOTES);
  });

  it('a lock write whose outcome is unknown (connection dropped after Zendesk applied it) refuses and removes its line', async () => {
    sb.script({ match: { method: 'PUT', path: 'users/1001' }, fault: { kind: 'drop', applied: true } });
    const err = await refusal(acquireApplyLock(writer(), FAST));
    expect(err.code).toBe('lock_failed');
    expect(err.message).toContain('its lock line was removed again');
    expect(notes()).toBe(NOTES);
  });
});

describe('the lock’s life through `orgshare apply` (CLI, over the sandbox)', () => {
  const world = { 'acme-corp': FILES.acme, initech: FILES.initech };
  afterAll(removeConfigDirs);

  it('one 429 on the lock write: apply still applies, and no lock line is left behind', async () => {
    const dir = await configDir(world);
    sb.script({ match: { method: 'PUT', path: 'users/1001' }, fault: { kind: 'retryAfter', seconds: 1 } });
    const { code, stderr } = await cli(sb, dir, ['apply', '--yes']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(lockLines()).toEqual([]);
    expect(notes()).toBe(NOTES);
  });

  it('a killed apply’s line on this host is removed by the next apply even when it has nothing to apply', async () => {
    const dir = await configDir({ globex: FILES.globex });
    const dead = await new Promise<number>((done) => {
      const child = spawn(process.execPath, ['-e', '']);
      child.on('exit', () => done(child.pid!));
    });
    const future = new Date(Date.now() + 10 * 60_000).toISOString();
    const left = `${LOCK_PREFIX} id=00112233aabbccdd host=${hostname().replace(/\s+/g, '_')} pid=${dead} acquired=${new Date().toISOString()} expires=${future} (delete this line to release a stale lock)`;
    sb.store.updateUser(API_USER, { notes: `${NOTES}${left}` });
    sb.clearLog();
    const { code, stdout, stderr } = await cli(sb, dir, ['apply', '--yes']);
    expect(code).toBe(0);
    expect(stdout).toContain('Nothing to apply');
    expect(stderr).toContain(`removing a stale apply lock line (process ${dead}`);
    expect(notes()).toBe(NOTES);
    expect(writesOf(sb)).toEqual(['PUT /users/1001.json']);
    // Converged and clean: the next run writes nothing at all.
    sb.clearLog();
    expect((await cli(sb, dir, ['apply', '--yes'])).code).toBe(0);
    expect(sb.writes()).toEqual([]);
  });
});

describe('orgshare apply --force-unlock ID (Terraform-style)', () => {
  afterAll(removeConfigDirs);
  const foreign = () =>
    `${LOCK_PREFIX} id=00112233aabbccdd host=crashed-runner pid=77 acquired=${new Date(Date.now() - 60_000).toISOString()} expires=${new Date(Date.now() + 20 * 60_000).toISOString()}`;

  it('a live lock of another host: the refusal names its id and the command; --force-unlock shows the holder and removes only that line', async () => {
    const dir = await configDir({ 'acme-corp': FILES.acme });
    sb.store.updateUser(API_USER, { notes: `${NOTES}${foreign()}` });
    const refused = await cli(sb, dir, ['apply', '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('orgshare apply --force-unlock 00112233aabbccdd');
    sb.clearLog();

    const noYes = await cli(sb, dir, ['apply', '--force-unlock', '00112233aabbccdd']);
    expect(noYes.code).toBe(1);
    expect(sb.writes()).toEqual([]);

    const { code, stdout } = await cli(sb, dir, ['apply', '--force-unlock', '00112233aabbccdd', '--yes']);
    expect(code).toBe(0);
    expect(stdout).toContain('held by host crashed-runner, pid 77');
    expect(notes()).toBe(NOTES);
    expect(writesOf(sb)).toEqual(['PUT /users/1001.json']);
  });

  it('an unknown id changes nothing', async () => {
    const dir = await configDir({ 'acme-corp': FILES.acme });
    sb.store.updateUser(API_USER, { notes: `${NOTES}${foreign()}` });
    sb.clearLog();
    const { code, stderr } = await cli(sb, dir, ['apply', '--force-unlock', 'ffffffffffffffff', '--yes']);
    expect(code).toBe(1);
    expect(stderr).toContain('no apply lock line with id ffffffffffffffff');
    expect(sb.writes()).toEqual([]);
  });
});
