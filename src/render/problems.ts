/**
 * Renders configuration problems (validate, and any command that loads the config).
 * Text: one `file:line:col: error [check/code] message` line per problem (the form
 * editors and CI log viewers link), the hint indented below. JSON carries
 * `format_version: 1` and every Problem field.
 *
 * Messages quote what the files hold (keys, values, file names), so they are hostile
 * input: the text form shows control characters escaped (no terminal escape sequence
 * reaches a terminal or CI log), and the Markdown form (a pull-request comment) renders
 * them as inert text: HTML neutralised, Markdown punctuation escaped, @mentions broken,
 * file names in code spans no backtick run inside can close.
 */
import type { Problem } from '../errors.js';
import type { Format } from './format.js';
import { clean } from './text.js';

export interface ProblemSummary {
  /** Organization files checked; enables the "✓ N organization files valid" line. */
  files?: number;
}

export function renderProblems(problems: Problem[], format: Format, summary: ProblemSummary = {}): string {
  const files = summary.files;
  const filesWithProblems = new Set(problems.map((p) => p.file)).size;
  if (format === 'json') {
    // JSON.stringify escapes every control character; consumers get the text unchanged.
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
      (p) =>
        `- ${codeSpan(`${p.file}:${p.line}:${p.col}`)} **${inlineMarkdown(`${p.check}/${p.code}`)}**: ${inlineMarkdown(p.message)}` +
        `${p.hint ? `<br>_hint: ${inlineMarkdown(p.hint)}_` : ''}`,
    );
    return `**✗ ${head}**\n\n${lines.join('\n')}\n`;
  }
  const lines = problems.map((p) => {
    const hint = p.hint ? `\n    hint: ${oneLine(p.hint)}` : '';
    return `${oneLine(p.file)}:${p.line}:${p.col}: error [${oneLine(p.check)}/${oneLine(p.code)}] ${oneLine(p.message)}${hint}`;
  });
  return `${lines.join('\n')}\n\n✗ ${head}\n`;
}

/** Control characters shown escaped (`\x1b`), and one problem stays one line. */
function oneLine(text: string): string {
  return clean(text).replace(/\n/g, ' ');
}

/**
 * One line of untrusted text, inert inside a Markdown list item: `&`, `<`, `>` as
 * entities; the punctuation that has an inline meaning in GitHub Markdown backslash-
 * escaped (code spans, emphasis, links and images, strikethrough, tables, math,
 * footnotes), except `_` between two letters or digits, which can neither open nor close
 * emphasis (so `read_only` stays readable); `@` before a name gets a zero-width space,
 * so `@team` pings nobody. Block syntax (`#`, `-`, `1.`) cannot apply: the text never
 * starts a line.
 */
export function inlineMarkdown(text: string): string {
  return oneLine(text)
    .replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'))
    .replace(/[\\`*_[\]!|~$^]/g, (c, at: number, s: string) =>
      c === '_' && /[A-Za-z0-9]/.test(s[at - 1] ?? '') && /[A-Za-z0-9]/.test(s[at + 1] ?? '') ? c : `\\${c}`,
    )
    .replace(/(^|[^\w])@(?=[A-Za-z0-9])/g, '$1@\u200B');
}

/**
 * A code span that no backtick run inside can close: its fence is one backtick longer
 * than the longest run in the text, padded with a space when the text starts or ends
 * with a backtick (CommonMark strips one space on each side). Markdown, HTML and
 * @mentions are not interpreted inside a code span.
 */
export function codeSpan(text: string): string {
  const body = oneLine(text);
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || (body.startsWith(' ') && body.endsWith(' ') && body.trim() !== '') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}
