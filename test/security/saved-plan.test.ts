/**
 * A saved plan is input, not authority (docs/security.md, threat table). Every
 * field of the saved-plan format is edited (the edits are generated from
 * schema/plan.schema.json by ./plan-edits.ts) and applied over the sandbox: each edit is
 * either refused with zero writes, or harmless — the writes are exactly those of the
 * untouched plan, i.e. apply executed the fresh plan.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_PREFIX, parseLockLines } from '../../src/apply/lock.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { FAST_CONFIG, FILES, cli, configDir, removeConfigDirs } from '../apply/helpers.js';
import { planEdits, schemaFields, type Json } from './plan-edits.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.close();
  await removeConfigDirs();
});
beforeEach(() => sb.reset());

/** Acme enabled; Hooli widened by a user grant and a partner domain: every kind of step. */
const HOOLI = `${FILES.hooli}partners:
  - domain: partner.example
    ticket: https://acme.zendesk.com/agent/tickets/5010
    consent: {approved_by: gavin@hooli.example, comment_id: 50110, quote: "We accept the security risk"}
`;
const WORLD = { 'acme-corp': FILES.acme, hooli: HOOLI };

const API_USER = 1001;

const extraSandboxes: Sandbox[] = [];
afterAll(async () => {
  await Promise.all(extraSandboxes.splice(0).map((x) => x.close()));
});

/**
 * Writes other than the apply lock's own (its line written, then removed): a refusal may
 * come after the lock was taken (e.g. lock_timeout on a loaded machine), and then the
 * notes must be back as they were.
 */
function changesMadeOn(on: Sandbox): string[] {
  const lock = (w: string) => w.startsWith(`PUT /api/v2/users/${API_USER}.json `);
  return writesOn(on).filter((w) => !lock(w));
}

/** Writes as comparable text: the lock line's id, host, pid and wall-clock times masked. */
function writesOn(on: Sandbox): string[] {
  return on.writes().map((w) =>
    `${w.method} ${w.path} ${JSON.stringify(w.body ?? null)}`.replace(/id=[0-9a-f]+ host=\S+ pid=\d+(?: start=\d+)? acquired=\S+ expires=\S+/g, '<lock>'),
  );
}

describe('tampered saved plans', () => {
  it('a blocked blast radius edited to pass is refused, with zero writes', async () => {
    const dir = await configDir(WORLD, `${FAST_CONFIG}max_changes: 1\n`);
    const out = join(dir, 'plan.json');
    expect((await cli(sb, dir, ['plan', '--out', out])).code).toBe(1);
    const plan = JSON.parse(await readFile(out, 'utf8')) as { plan_checks: { id: string; status: string }[]; blocked: boolean };
    expect(plan.plan_checks[0]).toMatchObject({ id: 'blast_radius', status: 'fail' });
    plan.plan_checks[0]!.status = 'pass';
    plan.blocked = false;
    await writeFile(out, JSON.stringify(plan));
    sb.clearLog();

    const asFiled = await cli(sb, dir, ['apply', out]);
    expect(asFiled.code).toBe(1);
    expect(sb.writes()).toEqual([]);

    // Consistent with itself (no output-only members left to contradict it): the fresh
    // plan's blast_radius check still decides.
    delete (plan as { summary?: unknown }).summary;
    delete (plan as { blocked?: unknown }).blocked;
    await writeFile(out, JSON.stringify(plan));
    const consistent = await cli(sb, dir, ['apply', out]);
    expect(consistent.code).toBe(1);
    expect(consistent.stderr).toContain('plan check blast_radius was pass in the saved plan, fail now');
    expect(sb.writes()).toEqual([]);
  });

  it('a plan saved with --allow-large needs --allow-large again to apply', async () => {
    const dir = await configDir(WORLD, `${FAST_CONFIG}max_changes: 1\n`);
    const out = join(dir, 'plan.json');
    expect((await cli(sb, dir, ['plan', '--out', out, '--allow-large'])).code).toBe(2);
    const refused = await cli(sb, dir, ['apply', out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--allow-large');
    expect(sb.writes()).toEqual([]);
    expect((await cli(sb, dir, ['apply', out, '--allow-large'])).code).toBe(0);
    expect(sb.store.org(360000000101).shared_tickets).toBe(true);
  });

  it('every generated edit of every field is refused with zero writes, or applies exactly the fresh plan', async () => {
    // Three lanes, each with its own sandbox (so writes are attributed), share the edits.
    const lanes = await Promise.all(
      [0, 1, 2].map(async () => {
        const own = await startSandbox({ port: 0 });
        extraSandboxes.push(own);
        const dir = await configDir(WORLD);
        const out = join(dir, 'plan.json');
        expect((await cli(own, dir, ['plan', '--out', out])).code).toBe(2);
        const plan = JSON.parse(await readFile(out, 'utf8')) as { [key: string]: Json };
        expect((plan.changes as { kind: string }[]).map((c) => c.kind).sort()).toEqual(['enable', 'partner_add', 'user_grant']);
        // The untouched plan: what a harmless edit must do, write for write.
        const untouched = await cli(own, dir, ['apply', out]);
        expect(untouched.code).toBe(0);
        const expected = writesOn(own);
        expect(expected.some((w) => w.includes(LOCK_PREFIX))).toBe(true);
        expect(expected.length).toBeGreaterThan(4);
        return { sb: own, dir, out, expected, ...planEdits(plan) };
      }),
    );
    const first = lanes[0]!;
    // Every field the schema declares was reached in this plan (present, or added by an edit).
    expect(schemaFields().filter((f) => !first.reached.has(f))).toEqual([]);
    for (const lane of lanes) expect(lane.edits.map((e) => e.name)).toEqual(first.edits.map((e) => e.name));

    const outcomes = { refused: 0, harmless: 0 };
    const failures: string[] = [];
    await Promise.all(
      lanes.map(async (lane, w) => {
        for (let i = w; i < lane.edits.length; i += lanes.length) {
          const edit = lane.edits[i]!;
          lane.sb.reset();
          const notesBefore = lane.sb.store.user(API_USER).notes;
          const file = join(lane.dir, `edit-${i}.json`);
          await writeFile(file, JSON.stringify(edit.plan));
          const { code, stdout, stderr } = await cli(lane.sb, lane.dir, ['apply', file]);
          if (code !== 0) {
            outcomes.refused++;
            const made = changesMadeOn(lane.sb);
            if (made.length > 0) failures.push(`${edit.name}: refused (exit ${code}) but wrote ${made.length} times`);
            // A refusal after the lock was taken (lock_timeout on a loaded machine) removes its line.
            const notesAfter = lane.sb.store.user(API_USER).notes;
            if (parseLockLines(notesAfter).length > 0 || (notesAfter ?? '') !== (notesBefore ?? '')) {
              failures.push(`${edit.name}: refused, and the apply lock line was left behind`);
            }
            if (!/Error: /.test(stderr)) failures.push(`${edit.name}: refused without an error message: ${stderr.slice(0, 200)}`);
          } else {
            outcomes.harmless++;
            if (JSON.stringify(writesOn(lane.sb)) !== JSON.stringify(lane.expected)) {
              failures.push(`${edit.name}: applied, and its writes differ from the untouched plan's\n${stdout.slice(-400)}`);
            }
          }
        }
      }),
    );
    expect(failures).toEqual([]);
    // Most edits change what apply would do and must be refused; a few (generated_at, an
    // estimate) cannot matter. Both kinds must exist, or the oracle above tested nothing.
    expect(outcomes.refused).toBeGreaterThan(outcomes.harmless);
    expect(outcomes.harmless).toBeGreaterThan(0);
  }, 240_000);

  it('every generated edit of a blocked plan (blast radius) is refused, with zero writes', async () => {
    const dir = await configDir(WORLD, `${FAST_CONFIG}max_changes: 1\n`);
    const out = join(dir, 'plan.json');
    expect((await cli(sb, dir, ['plan', '--out', out])).code).toBe(1);
    const plan = JSON.parse(await readFile(out, 'utf8')) as { [key: string]: Json };
    const { edits, reached } = planEdits(plan);
    expect(schemaFields().filter((f) => !reached.has(f))).toEqual([]);
    expect(edits.some((e) => e.name === 'plan_checks[].status = "pass"')).toBe(true);

    // Nothing may write here, so the applies run four at a time and the writes are counted once.
    sb.clearLog();
    const accepted: string[] = [];
    const queue = [...edits.entries()];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [i, edit] = next;
        const file = join(dir, `plan-${i}.json`);
        await writeFile(file, JSON.stringify(edit.plan));
        const { code } = await cli(sb, dir, ['apply', file]);
        if (code !== 1) accepted.push(`${edit.name}: exit ${code}`);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(accepted).toEqual([]);
    expect(sb.writes()).toEqual([]);
  }, 240_000);
});
