/**
 * `orgshare plan [--out plan.json] [--allow-large]`: read-only diff with every pre-check
 * verified against live Zendesk. Exit 0 no changes, 2 changes, 1 blocked or error.
 * The plan goes to stdout in --format; progress to stderr only on a terminal.
 */
import { rename, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EXIT } from '../errors.js';
import { isBlocked, type Plan } from '../model/plan.js';
import { planFingerprint, planToJson, serializePlan } from '../plan/saved.js';
import { renderPlan } from '../render/index.js';
import type { GlobalOptions, Io } from './context.js';
import { makePlan } from './pipeline.js';
import { createProgress } from './progress.js';

export interface PlanCommandOptions {
  out?: string;
  allowLarge?: boolean;
}

export async function run(global: GlobalOptions, opts: PlanCommandOptions, io: Io): Promise<number> {
  const progress = createProgress(io);
  let planned;
  try {
    planned = await makePlan(global, io, { allowLarge: opts.allowLarge === true, progress });
  } finally {
    progress.done();
  }
  const { plan } = planned;
  io.stdout(renderPlan(plan, global.format, { color: global.color }));
  if (opts.out) {
    const target = await savePlan(opts.out, plan);
    if (global.format === 'text') {
      io.stderr(`Plan saved to ${target} (fingerprint ${planFingerprint(planToJson(plan))}). Apply it with: orgshare apply ${opts.out}\n`);
    }
  }
  return planExitCode(plan);
}

export function planExitCode(plan: Plan): number {
  if (isBlocked(plan)) return EXIT.failed;
  return plan.changes.length > 0 ? EXIT.changes : EXIT.ok;
}

/**
 * Writes the saved plan next to its final name, then renames it: a reader never sees a
 * half-written plan. A path is taken relative to the working directory, not --dir.
 */
export async function savePlan(out: string, plan: Plan): Promise<string> {
  const target = resolve(out);
  const tmp = `${target}.${process.pid}.tmp`;
  await writeFile(tmp, serializePlan(plan), 'utf8');
  await rename(tmp, target);
  return target;
}
