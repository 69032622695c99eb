/**
 * `orgshare apply [plan.json] [--yes] [--allow-large]`.
 *
 * Without a plan file: plan (read-only), print the plan, refuse when anything is blocked,
 * then write only with --yes or an interactive "yes" on a terminal.
 * With a plan file: re-read the files and live Zendesk, plan again, and refuse when the
 * fresh plan differs from the saved one in any way that matters (comparePlans); otherwise
 * execute the fresh plan, which carries today's UTC date. A saved plan was reviewed, so
 * it needs no confirmation.
 *
 * Every refusal happens before any change is written. The only writes before the plan's
 * own are the apply lock's (a line in the API user's notes), taken only when there is
 * something to apply, and released at the end.
 * Exit 0 done (or nothing to do), 1 refused, failed, or not verified.
 *
 * Output: text/markdown print the plan then the apply report on stdout. JSON prints one
 * document: the apply report, or on refusal `{format_version, error, plan}`.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { executePlan } from '../apply/execute.js';
import { acquireApplyLock, cleanStaleLockLines, findLockLine, forceUnlock, releaseApplyLock, type ApplyLock } from '../apply/lock.js';
import { ApplyLockError, EXIT, RefusedError, UsageError, redact } from '../errors.js';
import { isBlocked, type Plan } from '../model/plan.js';
import type { ApplyReport } from '../model/reports.js';
import { utcDate } from '../records/details.js';
import { comparePlans, parsePlan, planToJson } from '../plan/saved.js';
import { renderApply, renderPlan } from '../render/index.js';
import type { GlobalOptions, Io } from './context.js';
import { loadPolicyOnly, makePlan, requireRealClock, writeAdapter, type Planned } from './pipeline.js';
import { createProgress, stepApply } from './progress.js';

export interface ApplyCommandOptions {
  planFile?: string;
  yes?: boolean;
  allowLarge?: boolean;
  /** Remove the apply lock line with this id and stop (Terraform's force-unlock). */
  forceUnlock?: string;
}

export async function run(global: GlobalOptions, opts: ApplyCommandOptions, io: Io): Promise<number> {
  if (opts.forceUnlock !== undefined) return forceUnlockCommand(global, opts.forceUnlock, opts.yes === true, io);
  requireRealClock(io);
  const progress = createProgress(io);
  const saved = opts.planFile !== undefined ? await readSavedPlan(opts.planFile) : null;
  // A saved plan is input, not authority: its blast_radius status is compared with the
  // fresh plan's like every other check, so a large plan needs --allow-large here too.
  const allowLarge = opts.allowLarge === true;
  let planned: Planned;
  try {
    planned = await makePlan(global, io, { allowLarge, progress });
  } finally {
    progress.done();
  }
  const { plan } = planned;
  const out = new Output(global, io, plan);
  out.plan();

  if (saved) {
    const savedLarge = saved.planChecks.some((c) => c.id === 'blast_radius' && c.status === 'pass' && c.message.includes('--allow-large'));
    if (savedLarge && !allowLarge) {
      return out.refuse(
        'blocked',
        `the saved plan ${opts.planFile} was made with --allow-large (more changes than max_changes); nothing was written`,
        'pass --allow-large to apply it, after checking the plan above',
      );
    }
    const reasons = comparePlans(saved, plan);
    if (reasons.length > 0) {
      return out.refuse(
        'stale_plan',
        `the saved plan ${opts.planFile} no longer matches Zendesk or the files; nothing was written:\n${reasons.map((r) => `  - ${r}`).join('\n')}`,
        'run `orgshare plan --out <file>` again, review it, and apply the new plan',
        reasons,
      );
    }
  }
  if (plan.changes.length === 0) {
    // Nothing to apply, but this run can write: a crashed apply's stale lock line goes now.
    await cleanStaleLockLines(writeAdapter(io, planned.policy), { onNotice: lockNotice(io) });
    return out.nothingToDo(planned);
  }
  if (isBlocked(plan)) {
    return out.refuse(
      'blocked',
      'refusing to apply: a pre-check failed (see the plan above); nothing was written',
      'fix the failing checks (or pass --allow-large for blast_radius) and run apply again',
    );
  }
  if (!saved && opts.yes !== true) {
    if (!io.stdinIsTTY) {
      return out.refuse('not_confirmed', 'refusing to apply without confirmation; nothing was written', 'pass --yes to apply non-interactively (e.g. in CI)');
    }
    const n = plan.changes.length;
    const ok = await (io.confirm ?? terminalConfirm)(
      `Apply ${n} change${n === 1 ? '' : 's'} to ${plan.account.subdomain ?? plan.account.baseUrl}? [y/N] `,
    );
    if (!ok) return out.refuse('not_confirmed', 'apply cancelled; nothing was written');
  }

  // A confirmation may wait past midnight UTC: the Details date must be the apply's, so
  // plan again and go on only if nothing but the date moved.
  let toApply = plan;
  const now = io.now();
  if (utcDate(now) !== plan.date) {
    let again: Planned;
    try {
      again = await makePlan(global, io, { allowLarge, progress });
    } finally {
      progress.done();
    }
    const reasons = comparePlans(plan, again.plan);
    if (reasons.length > 0) {
      return out.refuse(
        'stale_plan',
        `Zendesk or the files changed while the plan was open; nothing was written:\n${reasons.map((r) => `  - ${r}`).join('\n')}`,
        'run apply again to see the new plan',
        reasons,
      );
    }
    toApply = again.plan;
  }

  // One apply at a time per account (src/apply/lock.ts): take the lock, then plan again
  // under it and apply only if nothing moved since the plan that was shown.
  const writer = writeAdapter(io, planned.policy);
  let lock: ApplyLock;
  try {
    // Wall clock on purpose, not io.now. The lock's own writes are sent once (docs/security.md);
    // the line names the organizations being applied, so drift can tell (docs/drift-and-import.md).
    lock = await acquireApplyLock(writeAdapter(io, planned.policy, { maxRetries: 0 }), {
      onNotice: lockNotice(io),
      orgIds: toApply.changes.map((c) => c.orgId),
    });
  } catch (err) {
    if (err instanceof ApplyLockError) return out.refuse(err.code, err.message, err.hint);
    throw err;
  }
  let report: ApplyReport;
  try {
    // Exposure was shown with the plan; comparePlans ignores it, so it is not read again.
    const locked = await makePlan(global, io, { allowLarge, progress, exposure: false });
    progress.done();
    const reasons = comparePlans(toApply, locked.plan);
    if (reasons.length > 0) {
      return out.refuse(
        'stale_plan',
        `Zendesk or the files changed before the apply lock was taken (another apply?); nothing was written:\n${reasons.map((r) => `  - ${r}`).join('\n')}`,
        'run apply again to see the new plan',
        reasons,
      );
    }
    report = await executePlan(locked.plan, writer, { now: io.now(), onProgress: (e) => stepApply(progress, e) });
    report.requests.reads += locked.reader.stats.reads;
  } finally {
    progress.done();
    const released = await releaseApplyLock(writer, lock);
    if (!released.released) io.stderr(`Warning: the apply lock was not released (${released.reason}); it expires at ${lock.expiresAt}.\n`);
  }
  report.requests.reads += planned.reader.stats.reads;
  out.report(report);
  return report.verified && report.results.every((r) => r.status !== 'failed') ? EXIT.ok : EXIT.failed;
}

async function readSavedPlan(file: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(resolve(file), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read the plan file ${file}${code ? ` (${code})` : ''}`, 'save a plan with `orgshare plan --out plan.json`');
  }
  return parsePlan(text);
}

/**
 * `apply --force-unlock ID`: shows the holder of the lock line with that id and removes it
 * (after --yes or a "yes" on the terminal). For a crashed apply's lock on another machine;
 * removing the lock of a running apply lets a second one interleave with it.
 */
async function forceUnlockCommand(global: GlobalOptions, id: string, yes: boolean, io: Io): Promise<number> {
  if (!/^[0-9a-f]{8,64}$/.test(id)) throw new UsageError(`--force-unlock takes a lock id (hex, as shown when apply is refused), not ${JSON.stringify(id.slice(0, 40))}`);
  const policy = await loadPolicyOnly(global, io);
  const writer = writeAdapter(io, policy);
  const found = await findLockLine(writer, id);
  if (!found) {
    throw new RefusedError('no_lock', `no apply lock line with id ${id} in the notes of the API user; nothing was written`, 'run apply: a refusal shows the id of the lock that blocks it');
  }
  io.stdout(`The apply lock ${id} is held by ${found.holder}.\n`);
  if (!yes) {
    if (!io.stdinIsTTY) throw new RefusedError('not_confirmed', 'refusing to remove the lock without confirmation; nothing was written', 'pass --yes after making sure no apply is running');
    const ok = await (io.confirm ?? terminalConfirm)('Remove it? Only when no apply is running. [y/N] ');
    if (!ok) throw new RefusedError('not_confirmed', 'force-unlock cancelled; nothing was written');
  }
  const removed = await forceUnlock(writer, id);
  if (!removed) throw new RefusedError('no_lock', `the apply lock line ${id} was gone before it could be removed; nothing was written`);
  io.stdout(`Removed the apply lock ${id}.\n`);
  return EXIT.ok;
}

/** Apply-lock notices (lines ignored or removed) go to stderr as warnings. */
function lockNotice(io: Io): (message: string) => void {
  return (message) => io.stderr(`Warning: ${message}\n`);
}

/** Asks on the terminal; anything but "y"/"yes" is a no. */
async function terminalConfirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}

/** Keeps stdout one document in JSON mode, human-readable sections otherwise. */
class Output {
  constructor(
    private readonly global: GlobalOptions,
    private readonly io: Io,
    private readonly planValue: Plan,
  ) {}

  plan(): void {
    if (this.global.format !== 'json') this.io.stdout(renderPlan(this.planValue, this.global.format, { color: this.global.color }));
  }

  report(report: ApplyReport): void {
    const text = renderApply(report, this.global.format, { color: this.global.color });
    if (this.global.format === 'json') this.io.stdout(text);
    else this.io.stdout(`\n${text}`);
  }

  nothingToDo(planned: Planned): number {
    if (this.global.format === 'json') {
      const empty: ApplyReport = {
        formatVersion: 1,
        generatedAt: this.io.now().toISOString(),
        date: this.planValue.date,
        account: { ...this.planValue.account },
        results: [],
        verified: true,
        verification: [],
        requests: { reads: planned.reader.stats.reads, writes: 0 },
      };
      this.io.stdout(renderApply(empty, 'json', { color: false }));
    } else {
      this.io.stdout('\nNothing to apply.\n');
    }
    return EXIT.ok;
  }

  /** Text: throws for the top-level handler (stderr). JSON: one error document with the plan. */
  refuse(code: string, message: string, hint?: string, reasons?: string[]): number {
    if (this.global.format !== 'json') throw new RefusedError(code, message, hint);
    const doc = {
      format_version: 1,
      error: { code, message: redact(message), ...(hint ? { hint } : {}), ...(reasons ? { reasons: reasons.map(redact) } : {}) },
      plan: planToJson(this.planValue),
    };
    this.io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
    return EXIT.failed;
  }
}
