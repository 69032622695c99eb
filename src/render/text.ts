/**
 * Terminal rendering, Terraform-like: one block per change with its symbol (+ widen,
 * ~ change, - narrow), every pre-check (✓ pass, ✗ fail with its hint, - skipped), the
 * steps in the order apply runs them with the Details/notes diff, then a summary line.
 * Text from Zendesk or the files is stripped of control characters: a comment body must
 * not be able to drive the terminal.
 */
import { diffLines } from 'diff';
import type { Change, CheckResult, Plan, Step } from '../model/plan.js';
import { isBlocked } from '../model/plan.js';
import type { ApplyReport, DriftItem, DriftReport, StepStatus } from '../model/reports.js';
import { describeChange, evidenceWords, exposureNote, summaryLine } from '../plan/summary.js';
import { palette, type Palette } from './color.js';

export interface TextOptions {
  color: boolean;
}

/**
 * The one escaping rule for text from Zendesk or the files, in every command and format
 * (docs/security.md): control characters (ESC, BEL, DEL, C1) are shown as \xNN, and
 * characters that make text render differently from its bytes — bidi controls (U+202E),
 * zero-width characters, line/paragraph separators, BOM — as \uNNNN. Line breaks stay.
 */
export function clean(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Format characters that change how text renders (bidi, zero-width, separators, BOM). */
export const INVISIBLE = /[\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

function oneLine(s: string): string {
  return clean(s).replace(/\s*\n\s*/g, ' ');
}

const PAD = 20;

// ---- plan ---------------------------------------------------------------------------

export function renderPlanText(plan: Plan, opts: TextOptions): string {
  const p = palette(opts.color);
  const out: string[] = [];
  const where = plan.account.subdomain ? `${plan.account.subdomain}.zendesk.com` : plan.account.baseUrl;
  out.push(p.bold(`orgshare plan for ${where}`) + p.dim(` (${plan.managed} managed organization${plan.managed === 1 ? '' : 's'}, date ${plan.date})`));
  out.push('');
  for (const c of plan.changes) out.push(...changeBlock(c, p), '');
  for (const w of plan.warnings) out.push(p.yellow(`Warning: ${oneLine(w)}`));
  if (plan.warnings.length) out.push('');
  const failedPlanChecks = plan.planChecks.filter((c) => c.status === 'fail');
  // Without changes the blast radius says nothing; other plan checks (baseline) still do.
  const shownChecks = plan.changes.length ? plan.planChecks : plan.planChecks.filter((c) => c.id !== 'blast_radius');
  if (shownChecks.length) {
    out.push('Plan checks:');
    for (const c of shownChecks) out.push(...checkLines(c, p, '  '));
    out.push('');
  }
  const summary = summaryLine(plan);
  out.push(isBlocked(plan) ? p.red(p.bold(summary)) : p.bold(summary));
  if (isBlocked(plan)) {
    const n = plan.changes.filter((c) => c.blocked).length;
    const why = [
      n ? `${n} change${n === 1 ? ' is' : 's are'} blocked by a failed pre-check` : '',
      ...failedPlanChecks.map((c) => `${c.id} failed`),
    ].filter(Boolean);
    out.push(p.red(`Apply would write nothing: ${why.join('; ')}.`));
  }
  return `${out.join('\n')}\n`;
}

function symbolColor(c: Change, p: Palette): (s: string) => string {
  if (c.blocked) return p.red;
  const s = describeChange(c).symbol;
  return s === '+' ? p.green : s === '-' ? p.red : p.yellow;
}

function changeBlock(c: Change, p: Palette): string[] {
  const words = describeChange(c);
  const color = symbolColor(c, p);
  const fromTo = words.fromTo ? `  ${words.fromTo}` : '';
  const blocked = c.blocked ? `  ${p.red(p.bold('BLOCKED'))}` : '';
  const lines = [
    `${color(words.symbol)} ${p.bold(oneLine(c.orgName))} (${c.orgId}): ${oneLine(words.title)}${fromTo}${blocked}`,
    `    file    ${oneLine(c.file)}`,
    `    ticket  ${oneLine(c.ticket.canonical)}${c.ticket.url !== c.ticket.canonical ? p.dim(` (as written: ${oneLine(c.ticket.url)})`) : ''}`,
  ];
  lines.push(...evidenceLines(c));
  if (c.evidence?.approvalComment) {
    const a = c.evidence.approvalComment;
    lines.push(`    approval comment ${a.id} by ${oneLine(a.author)}, ${a.createdAt}${a.public ? '' : ' (internal note)'}:`);
    for (const l of clean(a.body).split('\n')) lines.push(p.dim(`      |${l ? ` ${l}` : ''}`));
  }
  if (c.exposure) lines.push(`    exposure ${p.yellow(oneLine(exposureNote(c.exposure)))}`);
  lines.push('    checks');
  for (const check of c.checks) lines.push(...checkLines(check, p, '      '));
  if (c.steps.length) {
    lines.push('    steps');
    c.steps.forEach((s, i) => lines.push(...stepLines(s, i + 1, p)));
  }
  return lines.map((l) => `  ${l}`);
}

/** Who asked, where they named the type and where they approved the risk (docs/plan-format.md). */
function evidenceLines(c: Change): string[] {
  return evidenceWords(c).map((w) => `    ${w.label.toLowerCase().padEnd(18)}${w.quote !== undefined ? `"${oneLine(w.quote)}" (${oneLine(w.detail)})` : oneLine(w.detail)}`);
}

function checkLines(c: CheckResult, p: Palette, indent: string): string[] {
  const mark = c.status === 'pass' ? p.green('✓') : c.status === 'fail' ? p.red('✗') : p.dim('-');
  const at = c.source && c.status === 'fail' ? p.dim(` (${c.source.file}:${c.source.line}:${c.source.col})`) : '';
  const msg = c.status === 'fail' ? p.red(oneLine(c.message)) : c.status === 'skip' ? p.dim(oneLine(c.message)) : oneLine(c.message);
  const lines = [`${indent}${mark} ${c.id.padEnd(PAD)}${msg}${at}`];
  if (c.hint && c.status === 'fail') lines.push(`${indent}  ${' '.repeat(PAD)}${p.yellow(`hint: ${oneLine(c.hint)}`)}`);
  return lines;
}

function stepLines(s: Step, n: number, p: Palette): string[] {
  const head = (text: string) => `      ${n}. ${s.kind.padEnd(PAD - 3)}${text}`;
  if (s.skip) return [p.dim(head(`skipped: ${oneLine(s.skip)}`))];
  const indent = '           ';
  switch (s.kind) {
    case 'ticket_metadata':
      return [
        head(`ticket ${s.ticketId}:`),
        ...s.fields.map((f) => `${indent}${oneLine(f.title)} = ${typeof f.value === 'boolean' ? String(f.value) : oneLine(f.value)}`),
      ];
    case 'org_update': {
      const parts: string[] = [];
      if (s.flags) parts.push(`shared_tickets ${s.flags.shared_tickets}, shared_comments ${s.flags.shared_comments}`);
      if (s.domainNames) parts.push(`domain_names ${s.domainNames.map(oneLine).join(', ') || '(none)'}`);
      const lines = [head(`organization ${s.orgId}: ${parts.join('; ')}`)];
      if (s.detailsLine !== undefined) {
        lines.push(`${indent}Details:`);
        lines.push(...textDiff(s.detailsBefore, s.detailsAfter, p).map((l) => `${indent}  ${l}`));
      } else if (s.flags) {
        lines.push(p.dim(`${indent}Details already record this change: no new line`));
      }
      return lines;
    }
    case 'user_update': {
      const lines = [head(`user ${s.userId}: ticket_restriction ${s.ticketRestriction}`), `${indent}notes:`];
      if (s.notesAfter === (s.notesBefore ?? '')) lines.push(p.dim(`${indent}  notes already record this change: no new line`));
      else lines.push(...textDiff(s.notesBefore, s.notesAfter, p).map((l) => `${indent}  ${l}`));
      return lines;
    }
    case 'ticket_comment':
      return [
        head(`public comment on ticket ${s.ticketId}${s.solve ? ', then mark it solved' : ''}:`),
        ...clean(s.body).split('\n').map((l) => p.dim(`${indent}|${l ? ` ${l}` : ''}`)),
      ];
    default: {
      const never: never = s;
      throw new Error(`unknown step ${JSON.stringify(never)}`);
    }
  }
}

/**
 * A line diff of a free-text field (diff's diffLines), trimmed to two lines of context
 * around what changed. Both sides get a final newline so appending a line does not
 * show the previous last line as changed.
 */
export function textDiff(before: string | null, after: string | null, p: Palette): string[] {
  const nl = (s: string | null) => {
    const t = clean(s ?? '');
    return t === '' || t.endsWith('\n') ? t : `${t}\n`;
  };
  const rows: { mark: ' ' | '+' | '-'; text: string }[] = [];
  for (const part of diffLines(nl(before), nl(after))) {
    const mark = part.added ? '+' : part.removed ? '-' : ' ';
    const lines = part.value.replace(/\n$/, '').split('\n');
    for (const text of lines) rows.push({ mark, text });
  }
  const changed = rows.map((r, i) => (r.mark === ' ' ? -1 : i)).filter((i) => i >= 0);
  const keep = (i: number) => changed.some((c) => Math.abs(c - i) <= 2);
  const out: string[] = [];
  let skipped = 0;
  rows.forEach((r, i) => {
    if (r.mark === ' ' && !keep(i)) {
      skipped++;
      return;
    }
    if (skipped) out.push(p.dim(`  … ${skipped} unchanged line${skipped === 1 ? '' : 's'}`));
    skipped = 0;
    out.push(r.mark === '+' ? p.green(`+ ${r.text}`) : r.mark === '-' ? p.red(`- ${r.text}`) : `  ${r.text}`);
  });
  if (skipped) out.push(p.dim(`  … ${skipped} unchanged line${skipped === 1 ? '' : 's'}`));
  return out;
}

// ---- drift --------------------------------------------------------------------------

export function driftItemText(item: DriftItem): { symbol: string; text: string } {
  const last = (l?: { actorName: string | null; actorId: number | null; at: string }) =>
    l ? `; last changed by ${l.actorName ?? (l.actorId !== null ? `user ${l.actorId}` : 'unknown')} at ${l.at}` : '';
  switch (item.kind) {
    case 'managed_differs':
      return {
        symbol: '~',
        text: `${item.orgName} (${item.orgId}, ${item.file}): declared ${item.declared}, live ${item.live ?? 'unknown'}${last(item.lastChange)}`,
      };
    case 'partner_differs':
      return {
        symbol: '~',
        text: `${item.orgName} (${item.orgId}, ${item.file}): partner domain ${item.domain} declared ${item.declared === 'present' ? '' : 'absent '}in orgs/, ${item.live} in Zendesk`,
      };
    case 'managed_missing':
      return { symbol: '!', text: `${item.orgName} (${item.orgId}, ${item.file}): declared in orgs/ but missing in Zendesk` };
    case 'unmanaged_shared':
      return { symbol: '+', text: `${item.orgName} (${item.orgId}): ${item.live} in Zendesk, not managed in orgs/${last(item.lastChange)}` };
    case 'grant_differs':
      return {
        symbol: '~',
        text: `user ${item.email ?? item.userId} (${item.userId}, ${item.file}): declared ${item.declared ?? 'none'}, live ${item.live ?? 'none'}`,
      };
    case 'undeclared_grant':
      return {
        symbol: '+',
        text: `user ${item.email ?? item.userId} (${item.userId}${item.orgName ? `, ${item.orgName}` : ''}): can see all organization tickets, not declared in orgs/${last(item.lastChange)}`,
      };
    case 'overdue_attestation': {
      const what = item.grant === 'shared_organization' ? `sharing ${item.subject}` : item.grant === 'user_grant' ? `user grant ${item.subject}` : `partner domain ${item.subject}`;
      return {
        symbol: '⏰',
        text:
          item.lastAttested === null
            ? `${item.orgName} (${item.orgId}, ${item.file}): ${what} has no verified approval${item.problem ? ` (${item.problem})` : ''} (reattest_after ${item.reattestAfter}): re-attestation overdue`
            : `${item.orgName} (${item.orgId}, ${item.file}): ${what} last attested ${item.lastAttested.slice(0, 10)}, ${item.ageDays ?? 0} days ago (reattest_after ${item.reattestAfter}): re-attestation overdue`,
      };
    }
    default: {
      const never: never = item;
      throw new Error(`unknown drift item ${JSON.stringify(never)}`);
    }
  }
}

/** "applying organizations 101, 103" or "applying any organization" (a lock line without orgs=). */
export function applyScope(orgIds: number[] | null): string {
  if (orgIds === null) return 'which organizations it changes is not recorded: every difference it could cause is left out';
  return `applying organization${orgIds.length === 1 ? '' : 's'} ${orgIds.join(', ')}`;
}

export function renderDriftText(report: DriftReport, opts: TextOptions): string {
  const p = palette(opts.color);
  const where = report.account.subdomain ? `${report.account.subdomain}.zendesk.com` : report.account.baseUrl;
  const out = [
    p.bold(`orgshare drift for ${where}`) +
      p.dim(` (${report.managed} managed, scanned ${report.scanned.organizations} organizations and ${report.scanned.users} users)`),
    '',
  ];
  const busy = report.applyInProgress;
  if (busy) {
    for (const a of busy.applies) out.push(p.yellow(`Apply in progress: ${oneLine(a.holder)}, ${applyScope(a.orgIds)}.`));
    if (busy.deferred.length) {
      out.push(p.dim('Not reported as drift while it runs (the next drift run checks again):'));
      for (const item of busy.deferred) out.push(p.dim(`  … ${oneLine(driftItemText(item).text)}`));
    }
    out.push('');
  }
  if (report.items.length === 0) {
    out.push(p.bold(busy ? 'No drift outside the apply in progress.' : 'No drift. Live Zendesk matches orgs/.'));
    return `${out.join('\n')}\n`;
  }
  for (const item of report.items) {
    const { symbol, text } = driftItemText(item);
    const color = symbol === '+' ? p.green : symbol === '!' || symbol === '⏰' ? p.red : p.yellow;
    out.push(`  ${color(symbol)} ${oneLine(text)}`);
  }
  out.push('', p.bold(`Drift: ${report.items.length} item${report.items.length === 1 ? '' : 's'}.`));
  return `${out.join('\n')}\n`;
}

// ---- apply --------------------------------------------------------------------------

function stepMark(status: StepStatus, p: Palette): string {
  switch (status) {
    case 'done':
      return p.green('✓');
    case 'already_done':
      return p.green('=');
    case 'skipped':
      return p.dim('-');
    case 'failed':
      return p.red('✗');
    case 'not_run':
      return p.dim('·');
    default: {
      const never: never = status;
      throw new Error(`unknown step status ${String(never)}`);
    }
  }
}

export function renderApplyText(report: ApplyReport, opts: TextOptions): string {
  const p = palette(opts.color);
  const where = report.account.subdomain ? `${report.account.subdomain}.zendesk.com` : report.account.baseUrl;
  const out = [p.bold(`orgshare apply on ${where}`) + p.dim(` (date ${report.date})`), ''];
  for (const r of report.results) {
    const mark = r.status === 'done' ? p.green('✓') : r.status === 'failed' ? p.red('✗') : p.dim('-');
    out.push(`  ${mark} ${p.bold(oneLine(r.orgName))} (${r.orgId}): ${r.kind} ${p.dim(r.key)} — ${r.status}${r.error ? `: ${oneLine(r.error)}` : ''}`);
    for (const s of r.steps) {
      const label = s.status === 'already_done' ? 'already done' : s.status.replace('_', ' ');
      out.push(`      ${stepMark(s.status, p)} ${s.kind.padEnd(PAD - 3)}${label}${s.message ? `: ${oneLine(s.message)}` : ''}`);
    }
  }
  if (report.results.length) out.push('');
  const count = (s: string) => report.results.filter((r) => r.status === s).length;
  const failed = count('failed');
  const line = `Applied: ${count('done')} done, ${failed} failed, ${count('skipped')} skipped.`;
  out.push(failed ? p.red(p.bold(line)) : p.bold(line));
  if (report.verified) out.push(p.green('Verified: live Zendesk matches what was applied.'));
  else {
    out.push(p.red('Verification failed: live Zendesk does not match what was applied:'));
    for (const v of report.verification) out.push(p.red(`  - ${oneLine(v)}`));
  }
  out.push(p.dim(`Requests: ${report.requests.reads} reads, ${report.requests.writes} writes.`));
  return `${out.join('\n')}\n`;
}
