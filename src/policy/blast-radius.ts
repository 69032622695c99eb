/**
 * `blast_radius`: a plan-wide safety rail. A plan with more changes than `max_changes`
 * is refused unless `--allow-large`. Finish changes (`finish`, `grant_finish`,
 * `partner_finish`: the confirmation comment left over by an interrupted apply) change
 * nobody's access and are not counted.
 */
import { isFinish, type CheckResult, type Change } from '../model/plan.js';
import { fail, pass } from './result.js';

export function checkBlastRadius(changes: Change[], maxChanges: number, allowLarge: boolean): CheckResult {
  const counted = changes.filter((c) => !isFinish(c));
  const n = counted.length;
  const orgs = new Set(counted.map((c) => c.orgId)).size;
  const what = `${n} change${n === 1 ? '' : 's'} in ${orgs} organization${orgs === 1 ? '' : 's'}`;
  if (n <= maxChanges) return pass('blast_radius', `${what}, within max_changes ${maxChanges}`);
  if (allowLarge) return pass('blast_radius', `${what}, more than max_changes ${maxChanges}, allowed by --allow-large`);
  return fail(
    'blast_radius',
    `${what}: more than max_changes ${maxChanges}`,
    'split the change into smaller pull requests, or re-run with --allow-large after a careful review',
  );
}
