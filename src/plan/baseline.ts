/**
 * Baseline files (docs/drift-and-import.md, "Baseline files"): `sharing: private` with no
 * `request` asserts that a never-shared organization stays private. There is no request
 * ticket to make or record a change with, so the assertion is a check on the whole plan
 * (`baseline`), not a change: it passes while every such organization is private in
 * Zendesk and fails, blocking the plan, when one is shared or missing.
 */
import type { DesiredOrg, DesiredState } from '../model/desired.js';
import type { Observed, ObservedOrg } from '../model/observed.js';
import type { CheckResult } from '../model/plan.js';
import { sharingFromFlags, sharingLabel, type Sharing } from '../model/sharing.js';
import { sourceAt } from '../policy/lookup.js';
import { fail, pass } from '../policy/result.js';

/** Listed by name in the message; the rest are counted. */
const SHOWN = 5;

/** A baseline organization that is not private in Zendesk (live null: not found). */
export interface BaselineMismatch {
  org: DesiredOrg;
  live: ObservedOrg | null;
  /** Live sharing; null when the organization was not found. */
  sharing: Exclude<Sharing, 'private'> | null;
}

/** The baseline files whose organization is shared or missing (plan check and drift). */
export function baselineMismatches(desired: DesiredState, observed: Observed): BaselineMismatch[] {
  const out: BaselineMismatch[] = [];
  for (const org of desired.orgs) {
    if (org.request !== null) continue;
    const live = observed.orgs.get(org.id) ?? null;
    const sharing = live ? sharingFromFlags({ shared_tickets: live.sharedTickets, shared_comments: live.sharedComments }) : null;
    if (sharing === 'private') continue;
    out.push({ org, live, sharing });
  }
  return out;
}

/** The `baseline` plan check, or null when no file is a baseline. */
export function checkBaselines(desired: DesiredState, observed: Observed): CheckResult | null {
  const baselines = desired.orgs.filter((o) => o.request === null);
  if (baselines.length === 0) return null;
  const off = baselineMismatches(desired, observed).map(({ org, sharing }) => ({
    org,
    text: sharing === null ? `${org.name} (${org.id}, ${org.file}) was not found in Zendesk` : `${org.name} (${org.id}, ${org.file}) is shared (${sharingLabel(sharing)}) in Zendesk`,
  }));
  const files = `${baselines.length} baseline file${baselines.length === 1 ? '' : 's'}`;
  if (off.length === 0) return pass('baseline', `${files}: every organization is private in Zendesk, as asserted`);
  const shown = off.slice(0, SHOWN).map((o) => o.text);
  if (off.length > SHOWN) shown.push(`${off.length - SHOWN} more`);
  return fail(
    'baseline',
    `${files}, ${off.length} not as asserted: ${shown.join('; ')}`,
    'a baseline file (no request) only asserts that the organization stays private: to keep it shared, write its request with the evidence; to make it private again, add request.ticket (the disable request)',
    sourceAt(off[0]!.org, '/sharing'),
  );
}
