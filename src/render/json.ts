/**
 * JSON output: `format_version: 1`, stable snake_case keys (docs/plan-format.md). The plan
 * is exactly the saved-plan format (src/plan/saved.ts, schema/plan.schema.json), so
 * `plan --format json > plan.json` can be applied like `plan --out plan.json`.
 */
import type { Plan } from '../model/plan.js';
import type { ApplyReport, DriftReport } from '../model/reports.js';
import { serializePlan } from '../plan/saved.js';

export function renderPlanJson(plan: Plan): string {
  return serializePlan(plan);
}

/** camelCase → snake_case ("formatVersion" → "format_version", "detailsSha256" → "details_sha256"). */
export function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Deep copy with snake_case object keys; values (including user text) are untouched. */
export function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) out[snakeCase(k)] = snakeKeys(v);
    }
    return out;
  }
  return value;
}

export function renderDriftJson(report: DriftReport): string {
  const byKind: Record<string, number> = {};
  for (const item of report.items) byKind[item.kind] = (byKind[item.kind] ?? 0) + 1;
  const body = snakeKeys(report) as Record<string, unknown>;
  return `${JSON.stringify({ ...body, summary: { items: report.items.length, drift: report.items.length > 0, by_kind: byKind, apply_in_progress: report.applyInProgress !== undefined } }, null, 2)}\n`;
}

export function renderApplyJson(report: ApplyReport): string {
  const count = (s: string) => report.results.filter((r) => r.status === s).length;
  const body = snakeKeys(report) as Record<string, unknown>;
  return `${JSON.stringify(
    { ...body, summary: { done: count('done'), failed: count('failed'), skipped: count('skipped'), verified: report.verified } },
    null,
    2,
  )}\n`;
}
