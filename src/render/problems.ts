/** Renders configuration problems (validate, and any command that loads the config). */
import type { Problem } from '../errors.js';
import type { Format } from '../commands/context.js';

export function renderProblems(problems: Problem[], format: Format): string {
  if (format === 'json') {
    return JSON.stringify({ format_version: 1, valid: problems.length === 0, problems }, null, 2) + '\n';
  }
  if (problems.length === 0) return format === 'markdown' ? '**Configuration valid.**\n' : 'Configuration valid.\n';
  const lines = problems.map((p) => {
    const where = `${p.file}:${p.line}:${p.col}`;
    const hint = p.hint ? `\n    hint: ${p.hint}` : '';
    return format === 'markdown'
      ? `- \`${where}\` **${p.check}/${p.code}**: ${p.message}${p.hint ? ` _(hint: ${p.hint})_` : ''}`
      : `${where}: error [${p.check}/${p.code}] ${p.message}${hint}`;
  });
  const head = `${problems.length} problem${problems.length === 1 ? '' : 's'} found`;
  return format === 'markdown' ? `**${head}**\n\n${lines.join('\n')}\n` : `${lines.join('\n')}\n\n${head}.\n`;
}
