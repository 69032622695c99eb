/**
 * `orgshare history` output: text (terminal), Markdown (PR comments, audit evidence) and
 * JSON (`format_version: 1`, snake_case keys). One report model, three renderings.
 */
import type { Format } from '../render/format.js';
import type { Finding, HistoryReport, OrgHistory, TimelineEvent } from '../model/history.js';
import { palette } from '../render/color.js';
import { snakeKeys } from '../render/json.js';
import { escapeMd } from '../render/markdown.js';
import { clean } from '../render/text.js';

const SOURCE_LABEL: Record<TimelineEvent['source'], string> = { details: 'details', audit: 'audit', git: 'git', evidence: 'evidence' };
const SOURCE_ICON: Record<TimelineEvent['source'], string> = { details: '📝', audit: '🔎', git: '🔀', evidence: '🎫' };

function oneLine(s: string): string {
  return clean(s).replace(/\s*\n\s*/g, ' ');
}

/** "2026-11-23 10:00" for timestamps, the date alone for Details dates. */
function when(at: string): string {
  return at.length === 10 ? at : at.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, 'Z');
}

function where(report: HistoryReport): string {
  return report.account.subdomain ? `${report.account.subdomain}.zendesk.com` : report.account.baseUrl;
}

function notes(report: HistoryReport): string[] {
  const out: string[] = [];
  const { auditLog, git } = report.sources;
  if (!auditLog.available) out.push(`Audit log not used: ${auditLog.reason ?? 'unavailable'}. The timeline is built from Details and git alone.`);
  if (!git.available) out.push(`Git history not used: ${git.reason ?? 'unavailable'}; unreviewed_change cannot be checked.`);
  return out;
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function total(report: HistoryReport): number {
  return report.orgs.reduce((n, o) => n + o.findings.length, 0);
}

export function renderHistoryText(report: HistoryReport, color: boolean): string {
  const p = palette(color);
  const out = [p.bold(`orgshare history for ${where(report)}`) + p.dim(` (${count(report.orgs.length, 'organization')}${report.since ? `, since ${report.since}` : ''})`), ''];
  for (const n of notes(report)) out.push(p.yellow(`Note: ${n}`));
  if (notes(report).length) out.push('');
  for (const org of report.orgs) {
    out.push(p.bold(`${oneLine(org.orgName)} (${org.orgId})`) + p.dim(org.file ? ` ${org.file}` : ' not managed in orgs/') + (org.exists ? '' : p.red(' — not found in Zendesk')));
    if (org.events.length === 0) out.push(p.dim('  (no recorded events)'));
    for (const e of org.events) out.push(`  ${when(e.at).padEnd(17)} ${p.cyan(SOURCE_LABEL[e.source].padEnd(8))} ${oneLine(e.summary)}`);
    for (const f of org.findings) out.push(`  ${p.red('!')} ${p.bold(f.kind)} ${p.dim(when(f.at))} ${oneLine(f.message)}`);
    out.push('');
  }
  const n = total(report);
  out.push(n === 0 ? p.bold('No findings.') : p.red(p.bold(`Findings: ${n}.`)));
  return `${out.join('\n')}\n`;
}

function findingRow(f: Finding): string {
  return `| \`${f.kind}\` | ${escapeMd(when(f.at))} | ${escapeMd(f.message)} |`;
}

function orgMarkdown(org: OrgHistory): string[] {
  const head = `#### ${escapeMd(org.orgName)} (${org.orgId})${org.file ? ` — \`${org.file.replace(/`/g, '')}\`` : ' — not managed in `orgs/`'}${org.exists ? '' : ' — ⛔ not found in Zendesk'}`;
  const out = [head, ''];
  if (org.events.length === 0) out.push('_No recorded events._', '');
  else {
    out.push('| When (UTC) | Source | Event |', '|---|:-:|---|');
    for (const e of org.events) out.push(`| ${escapeMd(when(e.at))} | ${SOURCE_ICON[e.source]} ${e.source} | ${escapeMd(e.summary)} |`);
    out.push('');
  }
  if (org.findings.length) {
    out.push('| Finding | When | What |', '|---|---|---|', ...org.findings.map(findingRow), '');
  }
  return out;
}

export function renderHistoryMarkdown(report: HistoryReport): string {
  const n = total(report);
  const out = [n === 0 ? '### orgshare history: no findings' : `### ⚠️ orgshare history: ${count(n, 'finding')}`, ''];
  for (const note of notes(report)) out.push(`> ${escapeMd(note)}`, '');
  for (const org of report.orgs) out.push(...orgMarkdown(org));
  out.push(`<sub>${escapeMd(where(report))} · ${count(report.orgs.length, 'organization')}${report.since ? ` · since ${report.since}` : ''} · ${report.generatedAt}</sub>`);
  return `${out.join('\n')}\n`;
}

export function renderHistoryJson(report: HistoryReport): string {
  const byKind: Record<string, number> = {};
  for (const f of report.orgs.flatMap((o) => o.findings)) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
  const body = snakeKeys(report) as Record<string, unknown>;
  return `${JSON.stringify({ ...body, summary: { organizations: report.orgs.length, findings: total(report), by_kind: byKind } }, null, 2)}\n`;
}

export function renderHistory(report: HistoryReport, format: Format, opts: { color: boolean }): string {
  switch (format) {
    case 'text':
      return renderHistoryText(report, opts.color);
    case 'json':
      return renderHistoryJson(report);
    case 'markdown':
      return renderHistoryMarkdown(report);
    default: {
      const never: never = format;
      throw new Error(`unknown output format ${String(never)}`);
    }
  }
}
