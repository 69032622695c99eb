/**
 * `orgshare review` output: text, Markdown (the report an auditor signs), JSON
 * (`format_version: 1`) and CSV (one header row, one row per grant, for a spreadsheet).
 */
import type { ReviewGrant, ReviewReport } from '../model/review.js';
import { palette } from '../render/color.js';
import { snakeKeys } from '../render/json.js';
import { escapeMd } from '../render/markdown.js';
import { clean } from '../render/text.js';

export type ReviewFormat = 'text' | 'json' | 'markdown' | 'csv';

const KIND_LABEL = { shared_organization: 'shared organization', user_grant: 'user grant', partner_domain: 'partner domain' } as const;
const STATUS_ICON = { ok: '✅', due: '⏳', overdue: '⛔', no_evidence: '❔' } as const;

function where(r: ReviewReport): string {
  return r.account.subdomain ? `${r.account.subdomain}.zendesk.com` : r.account.baseUrl;
}

function what(g: ReviewGrant): string {
  if (g.kind === 'shared_organization') return g.sharing === 'read_write' ? 'Read+write' : 'Read only';
  return g.subject;
}

function day(iso: string | null): string {
  return iso ? iso.slice(0, 10) : '—';
}

function num(n: number | null): string {
  return n === null ? '—' : n.toLocaleString('en-US');
}

function plural(n: number | null, one: string, many: string): string {
  return `${num(n)} ${n === 1 ? one : many}`;
}

function effect(g: ReviewGrant): string {
  return g.inEffect === false ? ' · NOT in effect in Zendesk' : '';
}

function counts(r: ReviewReport): Record<string, number> {
  const out: Record<string, number> = { ok: 0, due: 0, overdue: 0, no_evidence: 0 };
  for (const g of r.grants) out[g.status] = (out[g.status] ?? 0) + 1;
  return out;
}

function policyLine(r: ReviewReport): string {
  return r.reattestAfter === null ? 're-attestation off (set reattest_after in orgshare.config.yaml)' : `re-attest every ${r.reattestAfter} days`;
}

function totals(r: ReviewReport): string {
  const c = counts(r);
  return `${r.grants.length} grant${r.grants.length === 1 ? '' : 's'}: ${c.ok} ok, ${c.due} due, ${c.overdue} overdue, ${c.no_evidence} without dated evidence`;
}

export function renderReviewText(r: ReviewReport, color: boolean): string {
  const p = palette(color);
  const out = [p.bold(`orgshare review for ${where(r)}`) + p.dim(` (${policyLine(r)})`), ''];
  for (const g of r.grants) {
    const status = g.status === 'overdue' ? p.red(g.status) : g.status === 'due' ? p.yellow(g.status) : g.status === 'no_evidence' ? p.yellow('no evidence') : p.green(g.status);
    out.push(`  ${status.padEnd(color ? 20 : 11)} ${p.bold(clean(g.orgName))} (${g.orgId}) ${KIND_LABEL[g.kind]} ${clean(what(g))}`);
    if (g.evidenceProblem) out.push(p.yellow(`              evidence: ${clean(g.evidenceProblem)}`));
    out.push(
      p.dim(
        `              since ${day(g.since)} · requester ${clean(g.requester ?? '—')} · approver ${clean(g.approver ?? '—')} · ${g.ticket} · ${plural(g.members, 'person', 'people')}, ${plural(g.ticketsExposed, 'ticket', 'tickets')}${effect(g)} · last attested ${day(g.lastAttested)}${g.ageDays !== null ? ` (${g.ageDays} days ago)` : ''}`,
      ),
    );
  }
  if (r.grants.length === 0) out.push('  No grants: every managed organization is private, with no user grant or partner domain.');
  out.push('', p.bold(`${totals(r)}.`));
  return `${out.join('\n')}\n`;
}

export function renderReviewMarkdown(r: ReviewReport): string {
  const c = counts(r);
  const out = [`### ${(c.overdue ?? 0) > 0 ? '⛔ ' : ''}orgshare access review: ${escapeMd(where(r))}`, '', `${escapeMd(totals(r))} (${escapeMd(policyLine(r))}).`, ''];
  if (r.grants.length > 0) {
    out.push('| Status | Organization | Grant | Since | Requester | Approver | Ticket | People | Tickets | Last attested |', '|---|---|---|---|---|---|---|--:|--:|---|');
    for (const g of r.grants) {
      out.push(
        `| ${STATUS_ICON[g.status]} ${g.status} | ${escapeMd(g.orgName)} (${g.orgId}) | ${KIND_LABEL[g.kind]}: ${escapeMd(what(g))}${g.inEffect === false ? ' (not in effect)' : ''} | ${day(g.since)} | ${escapeMd(g.requester ?? '—')} | ${escapeMd(g.approver ?? '—')} | [#${g.ticket.split('/').pop()}](${g.ticket}) | ${num(g.members)} | ${num(g.ticketsExposed)} | ${day(g.lastAttested)}${g.ageDays !== null ? ` (${g.ageDays} d)` : ''}${g.evidenceProblem ? `<br>${escapeMd(g.evidenceProblem)}` : ''} |`,
      );
    }
    out.push('');
  }
  out.push('Reviewed by: ____________________  Date: ____________', '', `<sub>${escapeMd(where(r))} · ${r.generatedAt}</sub>`);
  return `${out.join('\n')}\n`;
}

export function renderReviewJson(r: ReviewReport): string {
  return `${JSON.stringify({ ...(snakeKeys(r) as Record<string, unknown>), summary: { grants: r.grants.length, ...counts(r) } }, null, 2)}\n`;
}

const CSV_COLUMNS = [
  'organization_id', 'organization', 'file', 'grant', 'subject', 'in_effect', 'since', 'requester', 'approver', 'ticket',
  'members', 'tickets_exposed', 'last_attested', 'age_days', 'status', 'evidence_problem',
] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. A value
 * starting with = + - @ (or a tab/CR) is prefixed with ' so a spreadsheet does not run it
 * as a formula: the values come from Zendesk and the files.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderReviewCsv(r: ReviewReport): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const g of r.grants) {
    const cells: (string | number | null)[] = [
      g.orgId, g.orgName, g.file, g.kind, g.subject, g.inEffect === null ? null : String(g.inEffect), g.since, g.requester, g.approver, g.ticket,
      g.members, g.ticketsExposed, g.lastAttested, g.ageDays, g.status, g.evidenceProblem,
    ];
    rows.push(cells.map(csvField).join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}

export function renderReview(r: ReviewReport, format: ReviewFormat, opts: { color: boolean }): string {
  switch (format) {
    case 'text':
      return renderReviewText(r, opts.color);
    case 'json':
      return renderReviewJson(r);
    case 'markdown':
      return renderReviewMarkdown(r);
    case 'csv':
      return renderReviewCsv(r);
    default: {
      const never: never = format;
      throw new Error(`unknown output format ${String(never)}`);
    }
  }
}
