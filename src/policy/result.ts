/** Small constructors for `CheckResult`, so rule functions read as their rule. */
import type { SourceRef } from '../model/desired.js';
import type { CheckId, CheckResult } from '../model/plan.js';

export function pass(id: CheckId, message: string, source?: SourceRef): CheckResult {
  return source ? { id, status: 'pass', message, source } : { id, status: 'pass', message };
}

export function fail(id: CheckId, message: string, hint: string, source?: SourceRef): CheckResult {
  return source ? { id, status: 'fail', message, hint, source } : { id, status: 'fail', message, hint };
}

export function skip(id: CheckId, message: string, source?: SourceRef): CheckResult {
  return source ? { id, status: 'skip', message, source } : { id, status: 'skip', message };
}
