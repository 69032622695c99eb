/**
 * `orgshare review [--format text|json|markdown|csv]`: the periodic access review
 * (docs/history-and-review.md). Read-only adapter, like drift. Exit 0 when no grant is
 * due or overdue, 2 when one is (only with `reattest_after`), 1 on error.
 */
import { EXIT } from '../errors.js';
import { collectReview } from '../review/collect.js';
import { computeReview } from '../review/compute.js';
import { renderReview, type ReviewFormat } from '../review/render.js';
import type { GlobalOptions, Io } from './context.js';
import { loadDesired, readOnlyRemote } from './pipeline.js';
import { createProgress } from './progress.js';

export async function run(global: GlobalOptions, opts: { format?: ReviewFormat }, io: Io): Promise<number> {
  const { desired, policy } = await loadDesired(global, io);
  const { adapter, account } = readOnlyRemote(io, policy);
  const progress = createProgress(io);
  try {
    const input = await collectReview(
      adapter,
      desired.orgs,
      { generatedAt: io.now().toISOString(), account, now: io.now(), reattestAfter: policy.reattestAfter, riskMessage: policy.riskMessage },
      (t) => progress.update(`review: ${t}`),
    );
    progress.done();
    const report = computeReview(input);
    io.stdout(renderReview(report, opts.format ?? global.format, { color: global.color }));
    return report.grants.some((g) => g.status === 'due' || g.status === 'overdue') ? EXIT.changes : EXIT.ok;
  } finally {
    progress.done();
  }
}
