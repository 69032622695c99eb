/**
 * Two applies at once on one account must not interleave their writes: exactly one set of
 * writes happens, the other apply refuses (or finds nothing to do), and Zendesk ends with
 * one Details line per change and one confirmation comment per ticket.
 *
 * `lockedApply` below is the apply command's sequence with the apply lock wired in the way
 * docs/security.md recommends for src/commands/apply.ts: plan (read-only) → take the lock
 * with the writing adapter → plan again and refuse if anything moved → execute → release.
 * The last test runs the real `orgshare apply --yes` twice at once; it documents today's
 * behaviour without the lock and passes once the command takes it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { executePlan } from '../../src/apply/execute.js';
import { ApplyLockError, LOCK_PREFIX, acquireApplyLock, releaseApplyLock } from '../../src/apply/lock.js';
import { main } from '../../src/cli.js';
import type { GlobalOptions } from '../../src/commands/context.js';
import { makePlan, writeAdapter } from '../../src/commands/pipeline.js';
import { createProgress } from '../../src/commands/progress.js';
import { comparePlans } from '../../src/plan/saved.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { DISABLED_LINE, FILES, NOW, READ_ONLY_LINE, captureIo, confirmationsOn, countLines, detailsOf } from '../apply/helpers.js';
import { envFor, removeRepos, repo, writesOf } from './helpers.js';

const ACME = 360000000101;
const INITECH = 360000000103;
const API_USER = 1001;

/** What one apply of the world writes (test/cli/plan-apply.test.ts), lock writes aside. */
const ONE_SET = ['PUT /tickets/4821.json', 'PUT /organizations/update_many.json', 'PUT /tickets/4821.json', 'PUT /tickets/4900.json'];

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.close();
  await removeRepos();
});
beforeEach(() => sb.reset());

const world = () => repo({ 'orgs/acme-corp.yaml': FILES.acme, 'orgs/initech.yaml': FILES.initech, 'orgs/globex.yaml': FILES.globex });
const changeWrites = () => writesOf(sb).filter((w) => !w.startsWith('PUT /users/1001'));

/**
 * Every ticket and organization write waits 400 ms in the sandbox before it is processed,
 * so two unlocked applies would both read the old state and both write (the race is real).
 */
function slowWrites(): void {
  sb.setFaults([{ probability: 1, match: { method: 'PUT', path: /\/(tickets|organizations)\// }, fault: { kind: 'delay', ms: 400 } }]);
}

type Outcome = { kind: 'applied'; ok: boolean } | { kind: 'nothing' } | { kind: 'refused'; code: string };

/** The apply command with the lock, as recommended for src/commands/apply.ts. */
async function lockedApply(dir: string, gate?: Promise<void>, onPlanned?: () => void): Promise<Outcome> {
  const io = captureIo(envFor(sb), { now: () => NOW });
  const global: GlobalOptions = { dir, format: 'text', color: false };
  const progress = createProgress(io);
  const planned = await makePlan(global, io, { allowLarge: false, progress });
  onPlanned?.();
  if (planned.plan.changes.length === 0) return { kind: 'nothing' };
  await gate;
  const writer = writeAdapter(io, planned.policy);
  let lock;
  try {
    lock = await acquireApplyLock(writer);
  } catch (err) {
    if (err instanceof ApplyLockError) return { kind: 'refused', code: err.code };
    throw err;
  }
  try {
    // Another apply may have finished while this one waited: apply only what was shown.
    const again = await makePlan(global, io, { allowLarge: false, progress });
    if (comparePlans(planned.plan, again.plan).length > 0) return { kind: 'refused', code: 'stale_plan' };
    if (again.plan.changes.length === 0) return { kind: 'nothing' };
    const report = await executePlan(again.plan, writer, { now: NOW });
    return { kind: 'applied', ok: report.verified && report.results.every((r) => r.status !== 'failed') };
  } finally {
    await releaseApplyLock(writer, lock);
  }
}

function expectConvergedOnce(): void {
  expect(changeWrites()).toEqual(ONE_SET);
  expect(countLines(detailsOf(sb, ACME), READ_ONLY_LINE(4821))).toBe(1);
  expect(countLines(detailsOf(sb, INITECH), DISABLED_LINE(4900))).toBe(1);
  expect(confirmationsOn(sb, 4821)).toHaveLength(1);
  expect(confirmationsOn(sb, 4900)).toHaveLength(1);
}

describe('two applies at once, with the apply lock', () => {
  it('exactly one set of writes happens; the other apply refuses; the lock is released', async () => {
    const dir = await world();
    slowWrites();
    const outcomes = await Promise.all([lockedApply(dir), lockedApply(dir)]);
    expect(outcomes.filter((o) => o.kind === 'applied')).toEqual([{ kind: 'applied', ok: true }]);
    const other = outcomes.find((o) => o.kind !== 'applied')!;
    expect(other).toMatchObject({ kind: 'refused' });
    expect(['locked', 'lock_lost']).toContain((other as { code: string }).code);
    expectConvergedOnce();
    expect(sb.store.user(API_USER).notes ?? '').not.toContain(LOCK_PREFIX);
  });

  it('an apply that planned before the other one finished refuses its stale plan, writing nothing', async () => {
    const dir = await world();
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    // B plans now, then waits at the gate while A applies everything.
    let planned!: () => void;
    const hasPlanned = new Promise<void>((r) => (planned = r));
    const late = lockedApply(dir, gate, planned);
    await hasPlanned;
    expect(await lockedApply(dir)).toEqual({ kind: 'applied', ok: true });
    sb.clearLog();
    open();
    expect(await late).toEqual({ kind: 'refused', code: 'stale_plan' });
    expect(changeWrites()).toEqual([]);
  });

  it('an apply started after the other finished has nothing to do', async () => {
    const dir = await world();
    expect(await lockedApply(dir)).toEqual({ kind: 'applied', ok: true });
    sb.clearLog();
    expect(await lockedApply(dir)).toEqual({ kind: 'nothing' });
    expect(writesOf(sb)).toEqual([]);
  });
});

describe('two `orgshare apply --yes` at once (the CLI)', () => {
  // BUG until the lock is wired into src/commands/apply.ts: both applies plan from the same
  // live state, both write the ticket metadata and the organizations, and both post the
  // confirmation comment (no second Details line only because update_many carries the
  // same absolute text). Wiring: see docs/security.md "The apply lock". Remove `.fails`
  // when it is wired.
  it('exactly one set of writes, one Details line and one comment per ticket', async () => {
    const dir = await world();
    slowWrites();
    const runOne = async () => {
      const io = captureIo(envFor(sb), { now: () => NOW });
      return main(['--dir', dir, '--no-color', 'apply', '--yes'], io);
    };
    const codes = await Promise.all([runOne(), runOne()]);
    expect(codes).toContain(0);
    expectConvergedOnce();
  });
});
