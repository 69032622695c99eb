/**
 * `orgshare history [--org ID…] [--since DATE]`: the story of each organization's sharing
 * (docs/history-and-review.md). Read-only: the adapter comes from the same read-only
 * path as drift and plan, so the transport refuses any write. Exit 0 no finding,
 * 2 findings, 1 error.
 */
import { UsageError } from '../errors.js';
import { collectHistory } from '../history/collect.js';
import { computeHistory, historyFindings } from '../history/compute.js';
import { renderHistory } from '../history/render.js';
import { EXIT } from '../errors.js';
import type { GlobalOptions, Io } from './context.js';
import { parseOrgIds } from './import.js';
import { loadDesired, readOnlyRemote } from './pipeline.js';
import { createProgress } from './progress.js';

export interface HistoryCommandOptions {
  org?: string[];
  since?: string;
}

/** `--since` is a calendar date (UTC), YYYY-MM-DD. */
export function parseSince(value: string | undefined): string | null {
  if (value === undefined) return null;
  const ok = /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
  if (!ok) throw new UsageError(`--since expects a date YYYY-MM-DD, got ${JSON.stringify(value.slice(0, 40))}`, 'e.g. --since 2026-01-01');
  return value;
}

export async function run(global: GlobalOptions, opts: HistoryCommandOptions, io: Io): Promise<number> {
  const orgIds = parseOrgIds(opts.org);
  const since = parseSince(opts.since);
  const { desired, policy } = await loadDesired(global, io);
  const { adapter, account } = readOnlyRemote(io, policy);
  const progress = createProgress(io);
  try {
    const input = await collectHistory(adapter, {
      dir: global.dir,
      env: io.env,
      orgIds: orgIds.length > 0 ? [...new Set(orgIds)] : desired.orgs.map((o) => o.id),
      desired: desired.orgs,
      since,
      now: io.now(),
      generatedAt: io.now().toISOString(),
      account,
      progress: (t) => progress.update(t),
    });
    progress.done();
    const report = computeHistory(input);
    io.stdout(renderHistory(report, global.format, { color: global.color }));
    return historyFindings(report).length > 0 ? EXIT.changes : EXIT.ok;
  } finally {
    progress.done();
  }
}
