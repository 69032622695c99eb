/**
 * Baseline files (docs/drift-and-import.md, "Baseline files"): `sharing: private` with no
 * `request` asserts that a never-shared organization stays private. There is no request
 * ticket to make or record a change with, so the assertion is a check on the whole plan
 * (`baseline`), not a change: it passes while every such organization is private in
 * Zendesk and fails, blocking the plan, when one is shared or missing.
 */
import type { DesiredState } from '../model/desired.js';
import type { Observed } from '../model/observed.js';
import type { CheckResult } from '../model/plan.js';
import { sharingFromFlags, sharingLabel } from '../model/sharing.js';
import { sourceAt } from './lookup.js';
import { fail, pass } from './result.js';

/** Listed by name in the message; the rest are counted. */
const SHOWN = 5;

/** The `baseline` plan check, or null when no file is a baseline. */
export function checkBaselines(desired: DesiredState, observed: Observed): CheckResult | null {
  const baselines = desired.orgs.filter((o) => o.request === null);
  if (baselines.length === 0) return null;
  const off: { text: string; org: (typeof baselines)[number] }[] = [];
  for (const org of baselines) {
    const live = observed.orgs.get(org.id);
    if (!live) {
      off.push({ org, text: `${org.name} (${org.id}, ${org.file}) was not found in Zendesk` });
      continue;
    }
    const sharing = sharingFromFlags({ shared_tickets: live.sharedTickets, shared_comments: live.sharedComments });
    if (sharing !== 'private') off.push({ org, text: `${org.name} (${org.id}, ${org.file}) is shared (${sharingLabel(sharing)}) in Zendesk` });
  }
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
