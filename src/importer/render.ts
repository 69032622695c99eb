/** Renders the import report (text, markdown, json with `format_version: 1`). */
import type { Format } from '../render/format.js';
import { escapeMd } from '../render/markdown.js';
import { clean } from '../render/text.js';
import type { ImportReport, ImportResult } from './run.js';

const VERB: Record<ImportResult['status'], string> = {
  written: 'wrote',
  overwritten: 'overwrote',
  unchanged: 'up to date',
  kept: 'kept',
  skipped: 'skipped',
};

/** Names, reasons and notes come from Zendesk: one line each, escaped (render/text.ts `clean`). */
function safe(s: string): string {
  return clean(s).replace(/\s*\n\s*/g, ' ');
}

function label(r: ImportResult): string {
  return r.orgName ? `${safe(r.orgName)} (${r.orgId})` : `organization ${r.orgId}`;
}

function counts(report: ImportReport): string {
  const by = (s: ImportResult['status']) => report.results.filter((r) => r.status === s).length;
  const written = by('written') + by('overwritten');
  return `${written} written, ${by('unchanged')} up to date, ${by('kept')} kept, ${by('skipped')} skipped`;
}

function line(r: ImportResult): string {
  const what =
    r.status === 'written' || r.status === 'overwritten' || r.status === 'unchanged' ? ` (${r.sharing}, ${r.ticket ?? 'baseline: never shared, no request'})` : '';
  const where = r.file ? ` ${r.file}` : '';
  return `${VERB[r.status]}${safe(where)}: ${label(r)}${safe(what)}${r.reason ? ` — ${safe(r.reason)}` : ''}`;
}

export function renderImport(report: ImportReport, format: Format): string {
  switch (format) {
    case 'json':
      return (
        JSON.stringify(
          {
            format_version: 1,
            generated_at: report.generatedAt,
            date: report.date,
            results: report.results.map((r) => ({
              org_id: r.orgId,
              org_name: r.orgName,
              status: r.status,
              requested: r.requested,
              file: r.file ?? null,
              sharing: r.sharing ?? null,
              ticket: r.ticket ?? null,
              reason: r.reason ?? null,
              warnings: r.warnings,
              notes: r.notes ?? [],
            })),
          },
          null,
          2,
        ) + '\n'
      );
    case 'markdown': {
      const out = ['## orgshare import', ''];
      for (const r of report.results) {
        const name = r.orgName ? `${escapeMd(r.orgName)} (${r.orgId})` : `organization ${r.orgId}`;
        out.push(`- **${VERB[r.status]}** ${r.file ? `${escapeMd(r.file)} ` : ''}${name}${r.reason ? `: ${escapeMd(r.reason)}` : ''}`);
        for (const w of r.warnings) out.push(`  - ⚠ ${escapeMd(w)}`);
        for (const note of r.notes ?? []) out.push(`  - ${escapeMd(note)}`);
      }
      out.push('', `_${counts(report)}._`, '');
      return out.join('\n');
    }
    case 'text': {
      const out: string[] = [];
      for (const r of report.results) {
        out.push(line(r));
        for (const w of r.warnings) out.push(`  warning: ${safe(w)}`);
        for (const note of r.notes ?? []) out.push(`  note: ${safe(note)}`);
      }
      if (report.results.length === 0) out.push('Nothing to import.');
      out.push('', `${counts(report)}.`);
      if (report.results.some((r) => r.status === 'written' || r.status === 'overwritten')) {
        out.push('Review the files, then run `orgshare plan`: it should show no changes.');
      }
      return out.join('\n') + '\n';
    }
    default: {
      const never: never = format;
      throw new Error(`unknown format ${String(never)}`);
    }
  }
}
