/**
 * Drift during an apply (docs/drift-and-import.md, "Drift while an apply runs"): while
 * another process holds the apply lock, the organizations it is changing may be half
 * written. Their differences are listed as "apply in progress", not as drift, so a
 * scheduled drift run does not open a false drift issue; the next run checks them again.
 * Pure: the lock lines were read by the command.
 */
import type { ApplyInProgress, DriftItem, DriftReport } from '../model/reports.js';

/**
 * Whether an apply could be causing this item: a difference in sharing or in a user's
 * access or partner domains on an organization it is changing (any organization when its lock line does not
 * say). A managed organization missing from Zendesk is never the work of an apply.
 */
function causedByApply(item: DriftItem, orgIds: ReadonlySet<number> | null): boolean {
  const covers = (orgId: number | null) => orgIds === null || (orgId !== null && orgIds.has(orgId));
  switch (item.kind) {
    case 'managed_differs':
    case 'partner_differs':
    case 'unmanaged_shared':
    case 'grant_differs':
    case 'undeclared_grant':
      return covers(item.orgId);
    case 'managed_missing':
    case 'overdue_attestation':
      // Not something an apply writes: a missing organization, an approval grown old.
      return false;
    default: {
      const never: never = item;
      throw new Error(`unknown drift item ${JSON.stringify(never)}`);
    }
  }
}

/** Moves the items the running applies may cause from `items` to `applyInProgress.deferred`. */
export function deferToApplies(report: DriftReport, applies: ApplyInProgress[]): DriftReport {
  if (applies.length === 0) return report;
  const anyOrg = applies.some((a) => a.orgIds === null);
  const orgIds = anyOrg ? null : new Set(applies.flatMap((a) => a.orgIds ?? []));
  const items: DriftItem[] = [];
  const deferred: DriftItem[] = [];
  for (const item of report.items) (causedByApply(item, orgIds) ? deferred : items).push(item);
  return { ...report, items, applyInProgress: { applies, deferred } };
}
