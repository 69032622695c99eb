/**
 * Renders configuration problems (validate, and any command that loads the config).
 * Text: one `file:line:col: error [check/code] message` line per problem (the form
 * editors and CI log viewers link), the hint indented below. JSON carries
 * `format_version: 1` and every Problem field.
 */
import type { Problem } from '../errors.js';
import type { Format } from '../commands/context.js';

export interface ProblemSummary {
  /** Organization files checked; enables the "✓ N organization files valid" line. */
  files?: number;
}

export function renderProblems(problems: Problem[], format: Format, summary: ProblemSummary = {}): string {
  const files = summary.files;
  const filesWithProblems = new Set(problems.map((p) => p.file)).size;
  if (format === 'json') {
    const out: Record<string, unknown> = { format_version: 1, valid: problems.length === 0 };
    if (files !== undefined) out.files = files;
    out.problems = problems;
    return JSON.stringify(out, null, 2) + '\n';
  }
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (problems.length === 0) {
    const head = files === undefined ? 'Configuration valid.' : `✓ ${plural(files, 'organization file')} valid`;
    return format === 'markdown' ? `**${head}**\n` : `${head}\n`;
  }
  const scope = files === undefined ? `${plural(filesWithProblems, 'file')}` : `${filesWithProblems} of ${plural(files, 'organization file')}`;
  const head = `${plural(problems.length, 'problem')} in ${scope}`;
  if (format === 'markdown') {
    const lines = problems.map(
      (p) => `- \`${p.file}:${p.line}:${p.col}\` **${p.check}/${p.code}**: ${escapeMarkdown(p.message)}${p.hint ? `<br>_hint: ${escapeMarkdown(p.hint)}_` : ''}`,
    );
    return `**✗ ${head}**\n\n${lines.join('\n')}\n`;
  }
  const lines = problems.map((p) => {
    const hint = p.hint ? `\n    hint: ${oneLine(p.hint)}` : '';
    return `${p.file}:${p.line}:${p.col}: error [${p.check}/${p.code}] ${oneLine(p.message)}${hint}`;
  });
  return `${lines.join('\n')}\n\n✗ ${head}\n`;
}

/** Values from files may hold newlines; one problem stays one line. */
function oneLine(text: string): string {
  return text.replace(/\r?\n|\r/g, ' ');
}

function escapeMarkdown(text: string): string {
  return oneLine(text).replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;')).replace(/\|/g, '\\|');
}
