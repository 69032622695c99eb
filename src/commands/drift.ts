/**
 * `orgshare drift`: read-only comparison of orgs/ with live Zendesk (docs/drift-and-import.md).
 * Loads and validates the files (invalid files: exit 1, like every command that reads
 * them), scans the account through a READ-ONLY adapter (`scanForDrift`: organizations and
 * users, cursor pages of 100), computes the report purely (src/drift/compute.ts: the
 * planner's changes on the scanned state, plus what no file manages), then
 * asks the audit log who last changed each drifted organization (bounded). Exit 0 no
 * drift, 2 drift, 1 error. While another process holds the apply lock (read from the API
 * user's notes before and after the scan), the differences on the organizations it is
 * applying are reported as "apply in progress", not as drift, and drift does not wait
 * (docs/drift-and-import.md). Progress goes to stderr (src/commands/progress.ts).
 */
import { describeHolder, liveLockLines, type LockLine } from '../apply/lock.js';
import { auditTargets, computeDrift, hasDrift, withAudit } from '../drift/compute.js';
import { deferToApplies } from '../drift/in-progress.js';
import { EXIT, RemoteError } from '../errors.js';
import type { ApplyInProgress, AuditInfo } from '../model/reports.js';
import { scanForDrift } from '../remote/observe.js';
import { renderDrift } from '../render/index.js';
import { overdueAttestations } from '../review/attest.js';
import { readAttestationEvidence } from '../review/collect.js';
import type { GlobalOptions, Io } from './context.js';
import { loadDesired, readOnlyRemote } from './pipeline.js';
import { createProgress, stepObserve } from './progress.js';

/** Audit-log look-ups per run: one request each, and only for drifted organizations. */
export const MAX_AUDIT_LOOKUPS = 25;

export async function run(global: GlobalOptions, io: Io): Promise<number> {
  const { desired, policy } = await loadDesired(global, io);
  const { adapter, account } = readOnlyRemote(io, policy);
  const progress = createProgress(io);
  try {
    // Before and after the scan: an apply that started or ended during it counts too.
    const locksBefore = liveLockLines((await adapter.me()).notes, io.now());
    const scan = await scanForDrift(adapter, desired, { onProgress: (e) => stepObserve(progress, e) });
    // Re-attestation (off unless reattest_after is set): the approvals' tickets, comments and authors.
    const overdue =
      policy.reattestAfter === null
        ? []
        : overdueAttestations(
            desired.orgs,
            await readAttestationEvidence(adapter, desired.orgs, account, (t) => progress.update(`drift: ${t}`)),
            policy.riskMessage,
            policy.reattestAfter,
            io.now(),
          );
    const applies = appliesInProgress([...locksBefore, ...liveLockLines((await adapter.me()).notes, io.now())]);
    let report = deferToApplies(computeDrift(desired, scan, { generatedAt: io.now().toISOString(), account, policy, overdue }), applies);
    const targets = auditTargets(report, MAX_AUDIT_LOOKUPS);
    if (targets.length > 0) {
      const audit = new Map<number, AuditInfo | null>();
      for (const [i, id] of targets.entries()) {
        progress.step('reading audit logs', i, targets.length);
        audit.set(id, await lastChange(adapter.lastOrganizationChange.bind(adapter), id));
      }
      report = withAudit(report, audit);
    }
    progress.done();
    io.stdout(renderDrift(report, global.format, { color: global.color }));
    return hasDrift(report) ? EXIT.changes : EXIT.ok;
  } finally {
    progress.done();
  }
}

/** One entry per lock line (by its text: the line read before and after the scan is one). */
function appliesInProgress(lines: LockLine[]): ApplyInProgress[] {
  const byText = new Map<string, LockLine>();
  for (const l of lines) byText.set(l.text, l);
  return [...byText.values()].map((l) => ({ holder: describeHolder(l), orgIds: l.orgs }));
}

/**
 * "Who changed it" is a courtesy: a failing audit-log read (retryable errors after the
 * transport's own retries) must not hide the drift itself. Terminal errors (auth) still
 * fail the command, as they would have failed the scan.
 */
async function lastChange(read: (id: number) => Promise<AuditInfo | null>, id: number): Promise<AuditInfo | null> {
  try {
    return await read(id);
  } catch (err) {
    if (err instanceof RemoteError && err.retryable) return null;
    throw err;
  }
}
