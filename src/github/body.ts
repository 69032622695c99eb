/**
 * Pure text helpers for what the workflows post: hidden markers that identify our own
 * comment/issue, report headings per command and exit code, and truncation to GitHub's
 * size limits.
 */
import { UsageError } from '../errors.js';

/** GitHub rejects issue and comment bodies longer than this (HTTP 422). */
export const GITHUB_BODY_LIMIT = 65_536;
/** A job summary larger than 1 MiB per step is dropped by the runner. */
export const STEP_SUMMARY_LIMIT_BYTES = 1024 * 1024;

/** The orgshare commands whose reports the workflows post (the action's `command` input). */
export const REPORT_KINDS = ['validate', 'plan', 'apply', 'drift', 'history', 'review'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/** `<!-- orgshare-plan -->`: invisible in rendered Markdown, stable across edits. */
export function marker(name: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new UsageError(`invalid marker name "${name}": use lowercase letters, digits and dashes`);
  return `<!-- ${name} -->`;
}

/** Our bodies start with the marker line; a body that merely quotes it elsewhere is not ours. */
export function hasMarker(body: string | null | undefined, markerText: string): boolean {
  return typeof body === 'string' && body.trimStart().startsWith(markerText);
}

/**
 * What each exit code of each orgshare command means to a reader of the PR or issue:
 * 0 ok, 2 "found something" where the command has it, anything else failed.
 * Contract: plan 0/2/1, apply 0/1, drift 0/2/1, validate 0/1, history 0/2/1, review 0/1
 * (docs/history-and-review.md).
 */
const STATUS: Record<ReportKind, { ok: string; found?: string; failed: (exitCode: number) => string }> = {
  validate: {
    ok: '✅ Valid: every file passes the schema and the offline pre-checks.',
    failed: (c) => `⛔ Invalid (exit ${c}): fix the problems below.`,
  },
  plan: {
    ok: '✅ No changes: Zendesk already matches `orgs/`.',
    found: '📝 Changes planned: every pre-check passed. Merging applies them (after environment approval).',
    failed: (c) => `⛔ Blocked or failed (exit ${c}): nothing can be applied until the problems below are fixed.`,
  },
  apply: {
    ok: '✅ Applied (or nothing to apply).',
    failed: (c) => `⛔ Apply failed or was refused (exit ${c}). See the report below and the job log.`,
  },
  drift: {
    ok: '✅ No drift: live Zendesk matches `orgs/`.',
    found: '⚠️ Drift found: live Zendesk differs from `orgs/`, or a grant is overdue for re-attestation.',
    failed: (c) => `⛔ The drift check failed (exit ${c}); the result is unknown.`,
  },
  history: {
    ok: '✅ No findings: every change in Zendesk is recorded and reviewed.',
    found: '⚠️ Findings: changes that are unrecorded, unreviewed or older than their evidence.',
    failed: (c) => `⛔ The history check failed (exit ${c}); the result is unknown.`,
  },
  review: {
    // review exits 0 whenever it printed the report: due and overdue grants are in it.
    ok: '📋 Access review: every shared organization, user grant and partner domain with its evidence; due and overdue attestations are marked below.',
    failed: (c) => `⛔ The access review failed (exit ${c}); the result is unknown.`,
  },
};

export function statusLine(kind: ReportKind, exitCode: number): string {
  const status = STATUS[kind];
  if (exitCode === 0) return status.ok;
  if (exitCode === 2 && status.found) return status.found;
  return status.failed(exitCode);
}

export interface ReportContext {
  kind: ReportKind;
  exitCode: number;
  /** The command's Markdown output (may be empty when it failed early). */
  report: string;
  /** Commit the report is for (short form is shown). */
  sha?: string;
  /** Link to the workflow run. */
  runUrl?: string;
  /** Extra line under the footer (e.g. how the comment/issue is maintained). */
  note?: string;
  /** Fingerprint of the saved plan this report shows (`plan --out`), for comparing with the applied one. */
  planFingerprint?: string;
}

/** Heading, status, the command's report, and a footer naming the commit and the run. */
export function composeReport(ctx: ReportContext): string {
  const report = ctx.report.trim();
  const body = report
    ? report
    : `_\`orgshare ${ctx.kind}\` printed no report (exit ${ctx.exitCode}). The error is in the workflow log${ctx.runUrl ? `: ${ctx.runUrl}` : '.'}_`;
  const footer: string[] = [];
  const where = [ctx.sha ? `commit \`${ctx.sha.slice(0, 12)}\`` : '', ctx.runUrl ? `[workflow run](${ctx.runUrl})` : ''].filter(Boolean).join(' · ');
  if (where) footer.push(`For ${where}.`);
  if (ctx.note) footer.push(ctx.note);
  return [
    `### orgshare ${ctx.kind}`,
    '',
    statusLine(ctx.kind, ctx.exitCode),
    '',
    ...(ctx.planFingerprint ? [`Plan fingerprint: \`${ctx.planFingerprint}\` (the saved plan; apply runs only a plan with this fingerprint).`, ''] : []),
    body,
    ...(footer.length ? ['', '---', `<sub>${footer.join(' ')}</sub>`] : []),
    '',
  ].join('\n');
}

export interface TruncateOptions {
  /** Size limit in `measure` units. */
  limit: number;
  /** Appended after the cut (explains where the full text is). */
  note: string;
  /** Size of a string; default UTF-16 length (never less than GitHub's character count). */
  measure?: (text: string) => number;
}

export const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * Returns `text` unchanged when it fits, else the longest prefix that fits together with a
 * closing code fence (when the cut falls inside one) and the note. Never splits a
 * surrogate pair, so the result is valid UTF-16/UTF-8.
 */
export function truncateBody(text: string, options: TruncateOptions): { text: string; truncated: boolean } {
  const measure = options.measure ?? ((s: string) => s.length);
  if (measure(text) <= options.limit) return { text, truncated: false };
  const assemble = (cut: number): string => {
    let head = text.slice(0, cut);
    const code = head.charCodeAt(head.length - 1);
    if (code >= 0xd800 && code <= 0xdbff) head = head.slice(0, -1);
    const fences = (head.match(/^\s*(```|~~~)/gm) ?? []).length;
    const close = fences % 2 === 1 ? '\n```' : '';
    return `${head}${close}\n\n${options.note}\n`;
  };
  if (measure(assemble(0)) > options.limit) {
    throw new Error('truncation note alone exceeds the size limit');
  }
  // Largest cut whose assembled text fits; size is monotonic in the cut (within one fence char).
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(assemble(mid)) <= options.limit) lo = mid;
    else hi = mid - 1;
  }
  // Closing a fence can add 4 units past the search's assumption; step back until it fits.
  let cut = lo;
  while (cut > 0 && measure(assemble(cut)) > options.limit) cut--;
  return { text: assemble(cut), truncated: true };
}

/** Marker + composed report, cut to GitHub's body limit. */
export function githubBody(markerText: string, composed: string, fullReportHint: string): string {
  return truncateBody(`${markerText}\n${composed}`, {
    limit: GITHUB_BODY_LIMIT,
    note: `> **Truncated:** this report exceeds GitHub's ${GITHUB_BODY_LIMIT.toLocaleString('en-US')}-character limit. ${fullReportHint}`,
  }).text;
}

/** Composed report cut to the job summary limit. */
export function summaryBody(composed: string): string {
  return truncateBody(composed, {
    limit: STEP_SUMMARY_LIMIT_BYTES - 1024,
    measure: utf8Bytes,
    note: '> **Truncated:** the job summary is limited to 1 MiB. The full report is in the step log.',
  }).text;
}
