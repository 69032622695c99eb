/**
 * `orgshare drift`: read-only comparison of orgs/ with live Zendesk (docs/drift-and-import.md).
 * Loads and validates the files (invalid files: exit 1, like every command that reads
 * them), scans the account through a READ-ONLY adapter (`scanForDrift`: organizations and
 * users, cursor pages of 100), computes the report purely (src/drift/compute.ts: the
 * planner's changes on the scanned state, plus what no file manages), then
 * asks the audit log who last changed each drifted organization (bounded). Exit 0 no
 * drift, 2 drift, 1 error. Progress goes to stderr (src/commands/progress.ts).
 */
import { auditTargets, computeDrift, hasDrift, withAudit } from '../drift/compute.js';
import { EXIT, RemoteError } from '../errors.js';
import type { AuditInfo } from '../model/reports.js';
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
    let report = computeDrift(desired, scan, { generatedAt: io.now().toISOString(), account, policy, overdue });
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
