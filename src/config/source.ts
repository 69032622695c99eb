/**
 * From the bytes of one YAML file to plain data plus source positions, or to problems.
 *
 * Every hostile or broken input becomes a Problem with its own code, never an exception:
 * oversize files, non-UTF-8, control characters, empty files, several documents, a
 * `%YAML` version other than 1.2, integers not written as plain decimal digits, syntax
 * errors, duplicate keys, reserved keys (`__proto__`, `constructor`, `prototype`), tags,
 * aliases beyond a small limit, and nesting deeper than MAX_DEPTH. Deep flow nesting is refused before
 * the `yaml` package sees it: a few thousand `[` abort the whole process inside it.
 */
import type { Problem } from '../errors.js';
import { fastParse } from './fast-yaml.js';
import { MAX_FILE_BYTES, type ParseResult } from './limits.js';
import { FILE_START, type Pos } from './positions.js';
import { problem } from './problem.js';


const decoder = new TextDecoder('utf-8', { fatal: true });

export function tooLargeProblem(file: string, size: number): Problem {
  return problem({
    file,
    pos: FILE_START,
    check: 'schema',
    code: 'file_too_large',
    message: `file is ${size} bytes; the limit is ${MAX_FILE_BYTES} bytes (256 KiB)`,
    hint: 'an organization file is a few hundred bytes; check that the right file was committed',
  });
}

let yamlPath: Promise<typeof import('./yaml-path.js')> | undefined;

/**
 * Parses one file's bytes. `file` is the path shown in problems. The `yaml` package is
 * loaded only when a file falls outside the fast path's subset (start-up time counts
 * when CI validates thousands of files).
 */
export async function parseSource(bytes: Uint8Array, file: string): Promise<ParseResult> {
  const fail = (code: string, message: string, hint?: string, pos: Pos = FILE_START): ParseResult => ({
    ok: false,
    problems: [problem({ file, pos, check: 'schema', code, message, hint })],
  });
  if (bytes.length > MAX_FILE_BYTES) return { ok: false, problems: [tooLargeProblem(file, bytes.length)] };
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return fail('not_utf8', 'file is not valid UTF-8', 'save the file as UTF-8 (without a byte-order mark)', invalidUtf8Pos(bytes));
  }
  const control = controlCharacterProblem(text, file);
  if (control) return { ok: false, problems: [control] };
  if (text.trim() === '') return fail('empty_file', 'file is empty', 'see orgs/README.md for a template, or delete the file');
  const fast = fastParse(text);
  if (fast) return { ok: true, ...fast };
  yamlPath ??= import('./yaml-path.js');
  return (await yamlPath).parseWithYaml(text, file);
}

/**
 * C0 and C1 control characters (and DEL), except TAB, LF and CR. Anywhere in a file,
 * comments included, they only hide things: a NUL makes git and GitHub show the whole file
 * as "Binary file not shown" (the pull request hides it from its reviewers), ESC sequences
 * rewrite terminal and CI-log output, NEL is a line break to YAML but not to most diff
 * views. YAML escapes inside double quotes ("\e") are not raw characters and are left to
 * the schema.
 */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/g;

const CONTROL_NAMES: Record<number, string> = {
  0x00: 'NUL', 0x07: 'BEL', 0x08: 'BS', 0x0b: 'VT', 0x0c: 'FF', 0x1b: 'ESC', 0x7f: 'DEL', 0x85: 'NEL',
};

/** The first control character of `text` as a problem (with how many there are), or null. */
export function controlCharacterProblem(text: string, file: string): Problem | null {
  CONTROL_CHARS.lastIndex = 0;
  const first = CONTROL_CHARS.exec(text);
  if (!first) return null;
  let count = 1;
  while (CONTROL_CHARS.exec(text)) count++;
  const at = first.index;
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
  const code = first[0].charCodeAt(0);
  const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}${CONTROL_NAMES[code] ? ` (${CONTROL_NAMES[code]})` : ''}`;
  return problem({
    file,
    pos: { line, col: at - lineStart + 1 },
    check: 'schema',
    code: 'control_character',
    message: `file contains the control character ${name}${count > 1 ? ` and ${count - 1} more` : ''}; only tab, line feed and carriage return are allowed`,
    hint: 'remove it (a NUL makes git and GitHub show the file as binary, hiding it from review; escape sequences rewrite terminal output)',
  });
}

/** Line and column (in bytes) of the first byte that is not valid UTF-8. */
function invalidUtf8Pos(bytes: Uint8Array): Pos {
  let i = 0;
  let line = 1;
  let lineStart = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let len = 0;
    if (b < 0x80) len = 1;
    else if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) len = 3;
    else if (b >= 0xf0 && b <= 0xf4) len = 4;
    if (len === 0 || i + len > bytes.length) break;
    let ok = true;
    for (let k = 1; k < len; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) ok = false;
    if (ok && len > 1) {
      // Overlong encodings, surrogates and code points above U+10FFFF.
      const b1 = bytes[i + 1]!;
      if (b === 0xe0 && b1 < 0xa0) ok = false;
      if (b === 0xed && b1 > 0x9f) ok = false;
      if (b === 0xf0 && b1 < 0x90) ok = false;
      if (b === 0xf4 && b1 > 0x8f) ok = false;
    }
    if (!ok) break;
    if (b === 0x0a) {
      line++;
      lineStart = i + 1;
    }
    i += len;
  }
  return { line, col: i - lineStart + 1 };
}
