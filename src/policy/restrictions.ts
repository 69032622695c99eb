/**
 * Restrictions that forbid widening whatever the evidence says: a deny note (`deny_note`),
 * a HIPAA organization (`hipaa`), and a grandfathered (`legacy`) record.
 */
import type { SourceRef } from '../model/desired.js';
import type { ObservedOrg } from '../model/observed.js';
import { DENY_TEXT_OVERLAP, DENY_TEXT_WINDOW } from '../model/policy.js';
import type { CheckResult } from '../model/plan.js';
import type { Sharing } from '../model/sharing.js';
import { excerpt } from '../records/normalize.js';
import { fail, pass, skip } from './result.js';

export interface DenyMatcher {
  patterns: RegExp[];
  /** Pattern sources that do not compile; a deny check fails closed on them. */
  invalid: string[];
}

const compiled = new WeakMap<readonly string[], DenyMatcher>();

/** Compiles `policy.denyPatterns` (case-insensitive) once per pattern list. */
export function compileDenyPatterns(sources: readonly string[]): DenyMatcher {
  const hit = compiled.get(sources);
  if (hit) return hit;
  const out: DenyMatcher = { patterns: [], invalid: [] };
  for (const src of sources) {
    try {
      out.patterns.push(new RegExp(src, 'i'));
    } catch {
      out.invalid.push(src);
    }
  }
  compiled.set(sources, out);
  return out;
}

export interface DenyNote {
  field: 'notes' | 'details';
  line: string;
}

/**
 * The work a deny scan did: pattern executions and the characters they were given. With
 * the pattern's cost estimate (src/config/regex-safety.ts) it bounds the engine's steps:
 * at most `longest × cost` per execution.
 */
export interface DenyScanWork {
  executions: number;
  chars: number;
  /** The longest text any single execution saw (≤ DENY_TEXT_WINDOW). */
  longest: number;
}

/** Lines of the live organization's notes/details that say sharing will not be enabled. */
export function findDenyNotes(live: Pick<ObservedOrg, 'notes' | 'details'>, matcher: DenyMatcher, work?: DenyScanWork): DenyNote[] {
  const out: DenyNote[] = [];
  const test = (re: RegExp, text: string): boolean => {
    if (work) {
      work.executions++;
      work.chars += text.length;
      work.longest = Math.max(work.longest, text.length);
    }
    return re.test(text);
  };
  for (const field of ['notes', 'details'] as const) {
    const text = live[field];
    if (!text) continue;
    for (const line of text.split(/\r?\n|\r/)) {
      if (matcher.patterns.some((re) => windows(line).some((w) => test(re, w)))) out.push({ field, line: line.trim() });
    }
  }
  return out;
}

/**
 * A line cut into overlapping windows of DENY_TEXT_WINDOW characters: the work a pattern
 * does grows with the length of the text it runs on (polynomially for some patterns that
 * pass src/config/regex-safety.ts), so no pattern ever sees more than a window. A deny
 * sentence shorter than DENY_TEXT_OVERLAP is wholly inside some window.
 */
function windows(line: string): string[] {
  if (line.length <= DENY_TEXT_WINDOW) return [line];
  const out: string[] = [];
  for (let start = 0; ; start += DENY_TEXT_WINDOW - DENY_TEXT_OVERLAP) {
    out.push(line.slice(start, start + DENY_TEXT_WINDOW));
    if (start + DENY_TEXT_WINDOW >= line.length) return out;
  }
}

export function checkDenyNote(
  file: string,
  noSharing: string | undefined,
  live: ObservedOrg | null | undefined,
  matcher: DenyMatcher,
  source?: SourceRef,
): CheckResult {
  if (noSharing !== undefined) {
    return fail(
      'deny_note',
      `${file} sets restrictions.no_sharing: "${excerpt(noSharing, 120)}"`,
      'sharing must stay private for this organization; lift restrictions.no_sharing only with the agreement of whoever set it',
      source,
    );
  }
  if (matcher.invalid.length) {
    return fail(
      'deny_note',
      `deny pattern${matcher.invalid.length === 1 ? '' : 's'} ${matcher.invalid.map((p) => `/${p}/`).join(', ')} do${matcher.invalid.length === 1 ? 'es' : ''} not compile, so notes cannot be checked`,
      'fix deny_patterns in orgshare.config.yaml',
    );
  }
  // `source` locates restrictions.no_sharing; findings below are in Zendesk, not the file.
  if (!live) return skip('deny_note', 'the organization was not found, so its notes could not be checked');
  const notes = findDenyNotes(live, matcher);
  const first = notes[0];
  if (first) {
    return fail(
      'deny_note',
      `the organization’s ${first.field} in Zendesk say: "${excerpt(first.line, 160)}"${notes.length > 1 ? ` (and ${notes.length - 1} more)` : ''}`,
      'a note says sharing will not be enabled for this organization: have Customer Support Operations review it; remove the note in Zendesk only if it no longer applies',
    );
  }
  return pass('deny_note', 'no deny note in the file or in the organization’s notes/details');
}

/** `what` describes the change ("enabling Read only sharing"). */
export function checkHipaa(file: string, hipaa: boolean, what: string, source?: SourceRef): CheckResult {
  if (hipaa) {
    return fail(
      'hipaa',
      `${file} sets restrictions.hipaa: true, which forbids ${what}`,
      'HIPAA organizations stay private, without user-level grants or partners; remove the change from the file',
      source,
    );
  }
  return pass('hipaa', 'no HIPAA restriction');
}

/**
 * A `legacy` record (written by `import`) is evidence of the live state only; it cannot
 * approve a change. Widening is refused under `risk_approved` (its evidence is stale);
 * narrowing under `schema` (the file contradicts itself: legacy, yet asking for a change).
 */
export function checkLegacy(widening: boolean, live: Sharing, to: Sharing, source?: SourceRef): CheckResult {
  const id = widening ? 'risk_approved' : 'schema';
  return fail(
    id,
    `request.legacy: true records the state before orgshare (${live}); it cannot approve the change to ${to}`,
    'add fresh evidence: set request.ticket (and for widening confirmed_type and risk_approval) from the new request, and remove legacy: true',
    source,
  );
}
