/**
 * Markdown for pull-request comments and issues (GitHub-flavoured). The plan opens with
 * its summary and a table of changes, then one `<details>` section per organization with
 * the approving comment quoted (so reviewers judge that the approval is clear), the
 * checks table, the steps and the Details diff. Blocked organizations are flagged and
 * their sections open.
 *
 * Everything that comes from Zendesk or the files is escaped: HTML is neutralised,
 * Markdown punctuation is backslash-escaped, GitHub @mentions are broken, and code
 * fences are longer than any backtick run inside them. A comment body cannot close a
 * `<details>`, inject HTML, ping a team, or break the table.
 */
import { createTwoFilesPatch } from 'diff';
import type { Change, CheckResult, Plan, Step } from '../model/plan.js';
import { isBlocked, isFinish } from '../model/plan.js';
import { APPLY_IN_PROGRESS_MARKER, type ApplyReport, type DriftReport } from '../model/reports.js';
import { describeChange, evidenceWords, exposureNote, organizationUrl, summaryLine } from '../plan/summary.js';
import { applyScope, clean, driftItemText } from './text.js';

// ---- escaping -----------------------------------------------------------------------

export function escapeHtml(text: string): string {
  return clean(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** &, < and > neutralised: enough for Markdown text, where quotes are harmless. */
function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** One line of user text, safe anywhere inline (table cells included). */
export function escapeMd(text: string): string {
  return escapeLine(clean(text).replace(/\s*\n\s*/g, ' '));
}

function escapeLine(line: string): string {
  return escapeText(clean(line))
    .replace(/[\\`*_[\]|~#!$]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([-+=])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2')
    .replace(/(^|[^\w])@(?=[A-Za-z0-9])/g, '$1@\u200B');
}

/** A quoted block of user text; line breaks are kept. */
export function blockquote(text: string): string {
  const lines = clean(text).replace(/\s+$/, '').split('\n');
  return lines.map((l, i) => (l.trim() === '' ? '>' : `> ${escapeLine(l)}${i < lines.length - 1 && lines[i + 1]?.trim() !== '' ? '<br>' : ''}`)).join('\n');
}

/** A fenced code block whose fence no backtick run inside can close. */
export function codeFence(content: string, lang = ''): string {
  const longest = Math.max(0, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${clean(content).replace(/\n$/, '')}\n${fence}`;
}

function link(text: string, url: string | null): string {
  if (!url) return text;
  return `[${text}](${url.replace(/[()\s<>"]/g, (c) => encodeURIComponent(c))})`;
}

const MARK: Record<CheckResult['status'], string> = { pass: '✅ pass', fail: '❌ **fail**', skip: '➖ skip' };

// ---- plan ---------------------------------------------------------------------------

export function renderPlanMarkdown(plan: Plan): string {
  const out: string[] = [];
  const blocked = isBlocked(plan);
  out.push(`### ${blocked ? '⛔ ' : ''}orgshare plan: ${escapeMd(summaryLine(plan).replace(/^Plan: /, '').replace(/\.$/, ''))}`);
  out.push('');
  const where = plan.account.subdomain ? `${plan.account.subdomain}.zendesk.com` : plan.account.baseUrl;
  out.push(`${escapeMd(where)} · ${plan.managed} managed organization${plan.managed === 1 ? '' : 's'} · Details date ${plan.date}`);
  out.push('');

  if (blocked) {
    const n = plan.changes.filter((c) => c.blocked).length;
    const planFails = plan.planChecks.filter((c) => c.status === 'fail');
    out.push('> [!CAUTION]');
    if (n) out.push(`> **${n} change${n === 1 ? ' is' : 's are'} blocked** by a failed pre-check.`);
    for (const c of planFails) out.push(`> **\`${c.id}\` failed:** ${escapeMd(c.message)}${c.hint ? ` — ${escapeMd(c.hint)}` : ''}`);
    out.push('> `orgshare apply` writes nothing until every check passes.');
    out.push('');
  }

  if (plan.changes.length === 0) {
    out.push('No changes. Live Zendesk matches `orgs/`.');
  } else {
    out.push('| | Organization | Change | From → To | Ticket | Checks |');
    out.push('|:-:|---|---|---|---|---|');
    for (const c of plan.changes) {
      const w = describeChange(c);
      const change = escapeMd(w.title);
      const fromTo = w.fromTo ? w.fromTo.split(' → ').map((x) => `\`${x}\``).join(' → ') : '—';
      out.push(
        `| ${c.blocked ? '⛔' : w.symbol === '+' ? '➕' : w.symbol === '-' ? '➖' : '🔄'} | ${link(escapeMd(c.orgName), organizationUrl(plan, c.orgId))} | ${change}${c.blocked ? ' **BLOCKED**' : ''} | ${fromTo} | ${link(`#${c.ticket.id}`, c.ticket.canonical)} | ${checksCell(c.checks)} |`,
      );
    }
    out.push('');
    for (const section of orgSections(plan)) out.push(section, '');
  }

  if (plan.warnings.length) {
    out.push('**Warnings**', '');
    for (const w of plan.warnings) out.push(`- ⚠️ ${escapeMd(w)}`);
    out.push('');
  }
  const pc = plan.planChecks.map((c) => `\`${c.id}\` ${c.status === 'pass' ? '✅' : c.status === 'fail' ? '❌' : '➖'} ${escapeMd(c.message)}`);
  if (pc.length) out.push(`Plan checks: ${pc.join(' · ')}`, '');
  out.push(`<sub>desired ${escapeMd(plan.desiredHash)} · generated ${plan.generatedAt} · format_version ${plan.formatVersion}</sub>`);
  return `${out.join('\n')}\n`;
}

function checksCell(checks: CheckResult[]): string {
  const failed = checks.filter((c) => c.status === 'fail');
  if (failed.length) return failed.map((c) => `❌ \`${c.id}\``).join(' ');
  const passed = checks.filter((c) => c.status === 'pass').length;
  return `✅ ${passed}/${checks.length}`;
}

function orgSections(plan: Plan): string[] {
  const groups = new Map<number, Change[]>();
  for (const c of plan.changes) groups.set(c.orgId, [...(groups.get(c.orgId) ?? []), c]);
  const out: string[] = [];
  for (const [orgId, changes] of groups) {
    const first = changes[0];
    if (!first) continue;
    const blocked = changes.some((c) => c.blocked);
    const kinds = changes.map((c) => describeChange(c).title);
    const lines: string[] = [];
    lines.push(blocked ? '<details open>' : '<details>');
    lines.push(
      `<summary>${blocked ? '⛔ ' : ''}<b>${escapeHtml(first.orgName)}</b> (${orgId}): ${escapeHtml(kinds.join(', '))}${blocked ? ' — <b>BLOCKED</b>' : ''}</summary>`,
    );
    lines.push('');
    const orgUrl = organizationUrl(plan, orgId);
    lines.push(`File \`${first.file.replace(/`/g, "'")}\` · Organization ${link(String(orgId), orgUrl)}`);
    lines.push('');
    for (const c of changes) lines.push(...changeSection(c), '');
    lines.push('</details>');
    out.push(lines.join('\n'));
  }
  return out;
}

function changeSection(c: Change): string[] {
  const w = describeChange(c);
  const lines: string[] = [];
  const title = `${w.title}${w.fromTo ? ` (${w.fromTo})` : ''}`;
  lines.push(`#### ${c.blocked ? '⛔ ' : ''}${escapeMd(title)}${c.blocked ? ' — **BLOCKED**' : ''}`);
  lines.push('');
  const asWritten = c.ticket.url !== c.ticket.canonical ? ` (written as ${escapeMd(c.ticket.url)})` : '';
  const scope = c.widening ? 'widening: every pre-check applies' : isFinish(c) ? 'finish: confirmation comment only, ticket checks only' : 'narrowing: ticket checks only';
  lines.push(`Ticket ${link(`#${c.ticket.id}`, c.ticket.canonical)}${asWritten} · ${scope}`);
  lines.push('');

  if (c.exposure) {
    lines.push(`**Exposure:** ${escapeMd(exposureNote(c.exposure))}`);
    lines.push('');
  }

  lines.push(...evidenceMarkdown(c));
  const a = c.evidence?.approvalComment;
  if (a) {
    lines.push(
      `**Approval:** comment ${a.id} on ${link(`#${c.ticket.id}`, c.ticket.canonical)} by ${escapeMd(a.author)}, ${escapeMd(a.createdAt)}${a.public ? '' : ' (**internal note**)'}${c.evidence?.riskMessageCommentId !== undefined ? ` — risk message in comment ${c.evidence.riskMessageCommentId}` : ''}:`,
    );
    lines.push('');
    lines.push(blockquote(a.body));
    lines.push('');
  }

  lines.push('| Check | Result | Detail |');
  lines.push('|---|---|---|');
  for (const check of c.checks) {
    const where = check.source && check.status === 'fail' ? ` (\`${check.source.file.replace(/`/g, "'")}:${check.source.line}:${check.source.col}\`)` : '';
    const hint = check.hint && check.status === 'fail' ? `<br>💡 ${escapeMd(check.hint)}` : '';
    lines.push(`| \`${check.id}\` | ${MARK[check.status]} | ${escapeMd(check.message)}${where}${hint} |`);
  }
  lines.push('');

  if (c.steps.length) {
    lines.push(c.blocked ? '**Steps** (not run while blocked)' : '**Steps**');
    lines.push('');
    c.steps.forEach((s, i) => lines.push(...(i > 0 ? [''] : []), ...stepMarkdown(s, i + 1)));
  }
  return lines;
}

/** Who asked, and their words naming the type next to their words approving the risk. */
function evidenceMarkdown(c: Change): string[] {
  const items = evidenceWords(c).map((w) => `- **${w.label}:** ${w.quote !== undefined ? `“${escapeMd(w.quote)}” — ` : ''}${escapeMd(w.detail)}`);
  return items.length ? [...items, ''] : [];
}

function indent(block: string, by = '   '): string {
  return block
    .split('\n')
    .map((l) => (l === '' ? l : by + l))
    .join('\n');
}

function stepMarkdown(s: Step, n: number): string[] {
  const head = `${n}. \`${s.kind}\``;
  if (s.skip) return [`${head} — skipped: ${escapeMd(s.skip)}`];
  switch (s.kind) {
    case 'ticket_metadata':
      return [
        `${head} on ticket #${s.ticketId}: ${s.fields.map((f) => `${escapeMd(f.title)} = \`${String(f.value).replace(/`/g, "'")}\``).join(', ')}`,
      ];
    case 'org_update': {
      const parts: string[] = [];
      if (s.flags) parts.push(`shared_tickets **${s.flags.shared_tickets}**, shared_comments **${s.flags.shared_comments}**`);
      if (s.domainNames) parts.push(`domain_names ${s.domainNames.map((d) => `\`${d.replace(/`/g, "'")}\``).join(', ') || '(none)'}`);
      const lines = [`${head} on organization ${s.orgId}: ${parts.join('; ')}`];
      if (s.detailsLine !== undefined) {
        // Before/after this step: a partner step's "before" includes the line the same
        // organization's sharing step appends first.
        lines.push('', indent(codeFence(patch('details (before this step)', 'details (after this step)', s.detailsBefore, s.detailsAfter), 'diff')));
      } else if (s.flags) {
        lines.push('   Details already record this change: no new line.');
      }
      return lines;
    }
    case 'user_update': {
      const lines = [`${head} on user ${s.userId}: ticket_restriction **${s.ticketRestriction}**`];
      if (s.notesAfter !== (s.notesBefore ?? '')) {
        lines.push('', indent(codeFence(patch('notes (live)', 'notes (after apply)', s.notesBefore, s.notesAfter), 'diff')));
      } else {
        lines.push('   Notes already record this change: no new line.');
      }
      return lines;
    }
    case 'ticket_comment':
      return [`${head} public on ticket #${s.ticketId}${s.solve ? ', then mark it solved' : ''}:`, '', indent(blockquote(s.body))];
    default: {
      const never: never = s;
      throw new Error(`unknown step ${JSON.stringify(never)}`);
    }
  }
}

/** A unified diff (diff's createTwoFilesPatch) without its "=====" banner. */
function patch(oldName: string, newName: string, before: string | null, after: string | null): string {
  const nl = (s: string | null) => {
    const t = (s ?? '').replace(/\r\n?/g, '\n');
    return t === '' || t.endsWith('\n') ? t : `${t}\n`;
  };
  return createTwoFilesPatch(oldName, newName, nl(before), nl(after), undefined, undefined, { context: 3 })
    .split('\n')
    .filter((l) => !/^=+$/.test(l))
    .join('\n');
}

// ---- drift --------------------------------------------------------------------------

export function renderDriftMarkdown(report: DriftReport): string {
  const where = report.account.subdomain ? `${report.account.subdomain}.zendesk.com` : report.account.baseUrl;
  const out: string[] = [];
  const busy = report.applyInProgress;
  if (busy) out.push(APPLY_IN_PROGRESS_MARKER);
  if (report.items.length === 0) {
    out.push(
      busy ? '### orgshare drift: none (apply in progress)' : '### orgshare drift: none',
      '',
      busy ? 'No drift outside the apply in progress.' : `No drift. Live Zendesk matches \`orgs/\`.`,
      '',
    );
  } else {
    out.push(`### ⚠️ orgshare drift: ${report.items.length} item${report.items.length === 1 ? '' : 's'}`, '');
    const state = report.items.filter((i) => i.kind !== 'overdue_attestation');
    const overdue = report.items.filter((i) => i.kind === 'overdue_attestation');
    if (state.length > 0) {
      out.push('| | What |', '|:-:|---|');
      for (const item of state) {
        const { symbol, text } = driftItemText(item);
        out.push(`| ${symbol === '+' ? '➕' : symbol === '!' ? '⛔' : '🔄'} | ${escapeMd(text)} |`);
      }
      out.push('');
    }
    if (overdue.length > 0) {
      // Its own table: nothing differs in Zendesk, a grant needs a new approval.
      out.push(`#### ⏰ Overdue attestations (${overdue.length})`, '', 'Each grant needs a re-attestation ticket with a new approval recorded in its file (orgs/README.md).', '');
      out.push('| What |', '|---|');
      for (const item of overdue) out.push(`| ${escapeMd(driftItemText(item).text)} |`);
      out.push('');
    }
  }
  if (busy) {
    out.push('> [!NOTE]');
    for (const a of busy.applies) out.push(`> **Apply in progress:** ${escapeMd(a.holder)}, ${escapeMd(applyScope(a.orgIds))}.`);
    if (busy.deferred.length) {
      out.push('> Not reported as drift while it runs (the next drift run checks again):');
      for (const item of busy.deferred) out.push(`> - ${escapeMd(driftItemText(item).text)}`);
    }
    out.push('');
  }
  out.push(
    `<sub>${escapeMd(where)} · ${report.managed} managed · scanned ${report.scanned.organizations} organizations and ${report.scanned.users} users · ${report.generatedAt}</sub>`,
  );
  return `${out.join('\n')}\n`;
}

// ---- apply --------------------------------------------------------------------------

const STEP_MARK = { done: '✅', already_done: '☑️', skipped: '➖', failed: '❌', not_run: '⏸️' } as const;

export function renderApplyMarkdown(report: ApplyReport): string {
  const count = (s: string) => report.results.filter((r) => r.status === s).length;
  const failed = count('failed');
  const out = [
    `### ${failed || !report.verified ? '❌' : '✅'} orgshare apply: ${count('done')} done, ${failed} failed, ${count('skipped')} skipped`,
    '',
  ];
  if (report.results.length) {
    out.push('| Organization | Change | Result | Steps |', '|---|---|---|---|');
    for (const r of report.results) {
      const steps = r.steps.map((s) => `${STEP_MARK[s.status]} \`${s.kind}\`${s.message ? ` ${escapeMd(s.message)}` : ''}`).join('<br>');
      out.push(
        `| ${escapeMd(r.orgName)} (${r.orgId}) | ${escapeMd(r.kind)} | ${r.status === 'failed' ? '❌ **failed**' : r.status === 'done' ? '✅ done' : '➖ skipped'}${r.error ? `: ${escapeMd(r.error)}` : ''} | ${steps} |`,
      );
    }
    out.push('');
  }
  if (report.verified) out.push('Verified: live Zendesk matches what was applied.');
  else {
    out.push('> [!WARNING]', '> **Verification failed:** live Zendesk does not match what was applied.');
    for (const v of report.verification) out.push(`> - ${escapeMd(v)}`);
  }
  out.push('', `<sub>date ${report.date} · ${report.requests.reads} reads, ${report.requests.writes} writes</sub>`);
  return `${out.join('\n')}\n`;
}
