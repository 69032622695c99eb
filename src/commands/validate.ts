/**
 * `orgshare validate`: schema + offline pre-checks over every file, all problems at
 * once, no network. Exit 0 when valid, 1 otherwise. In GitHub Actions
 * (GITHUB_ACTIONS=true) each problem is also emitted as an `::error` workflow command so
 * it shows on the pull request's diff: on stdout with text output, on stderr with json
 * or markdown output (stdout then stays machine-readable; the runner reads both).
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Problem } from '../errors.js';
import { loadConfig } from '../config/load.js';
import { renderProblems } from '../render/problems.js';
import { clean } from '../render/text.js';
import type { GlobalOptions, Io } from './context.js';

export async function run(global: GlobalOptions, io: Io): Promise<number> {
  const { problems, files } = await loadConfig(global.dir, { env: io.env });
  io.stdout(renderProblems(problems, global.format, { files: files.length }));
  if (io.env.GITHUB_ACTIONS === 'true' && problems.length > 0) {
    const text = problems.map((p) => githubAnnotation(p, annotationPath(p.file, global.dir, io.env.GITHUB_WORKSPACE))).join('');
    (global.format === 'text' ? io.stdout : io.stderr)(text);
  }
  return problems.length === 0 ? 0 : 1;
}

/** One `::error` workflow command line for a problem. */
export function githubAnnotation(p: Problem, file: string = p.file): string {
  const props = [
    `file=${escapeProperty(file)}`,
    `line=${p.line}`,
    `col=${p.col}`,
    `title=${escapeProperty(`orgshare ${p.check}/${p.code}`)}`,
  ].join(',');
  // Control characters from a hostile file are shown escaped, never passed to the log.
  const message = clean(p.hint ? `${p.message}\nhint: ${p.hint}` : p.message);
  return `::error ${props}::${escapeData(message)}\n`;
}

/** Workflow command data: %, CR and LF are escaped (GitHub's toolkit rules). */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Workflow command properties additionally escape : and ,. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * Annotations need a path relative to the repository root (GITHUB_WORKSPACE); problems
 * carry paths relative to --dir, which may be a sub-folder.
 */
function annotationPath(file: string, dir: string, workspace: string | undefined): string {
  if (!workspace) return file;
  const rel = relative(resolve(workspace), resolve(dir, file));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return file;
  return rel.split(sep).join('/');
}
