/**
 * The general YAML path: the `yaml` package, with orgshare's limits (see source.ts for
 * the list). Used when fast-yaml.ts declines a file; exported for the differential test.
 * YAML 1.2 only (a `%YAML 1.1` directive would change what plain values mean), and
 * integers only as plain decimal digits, so a reviewer and orgshare read the same values.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode, type YAMLError } from 'yaml';
import type { Problem } from '../errors.js';
import { displayPath, FILE_START, pointerSegment, type Pos, type PositionIndex } from './positions.js';
import { excerpt, problem } from './problem.js';
import { MAX_ALIASES, MAX_DEPTH, type ParseResult } from './limits.js';

const MAX_YAML_PROBLEMS = 20;
/** How an integer must be written (a sign only for the schema's range check to refuse). */
const PLAIN_INTEGER = /^-?(?:0|[1-9][0-9]*)$/;
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Parses `text` with the `yaml` package; callers use parseSource. */
export function parseWithYaml(text: string, file: string): ParseResult {
  const lineCounter = new LineCounter();
  const at = (offset: number): Pos => lineCounter.linePos(offset);
  if (flowDepth(text) > MAX_DEPTH) {
    return {
      ok: false,
      problems: [
        problem({
          file,
          pos: FILE_START,
          check: 'schema',
          code: 'too_deep',
          message: `nesting is deeper than ${MAX_DEPTH} levels (counting [ and {)`,
          hint: 'organization files are at most four levels deep',
        }),
      ],
    };
  }
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter });
  } catch (err) {
    // The parser reports errors in doc.errors; a throw means an input it cannot handle.
    const message = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      problems: [problem({ file, pos: FILE_START, check: 'schema', code: 'yaml_syntax', message: `cannot parse YAML: ${message}` })],
    };
  }

  // Before the parser's own warnings: an unsupported version is reported as what it is.
  const version = yamlVersionProblem(text, file, at);
  if (version) return { ok: false, problems: [version] };
  const issues = [...doc.errors, ...doc.warnings];
  if (issues.length > 0) {
    return { ok: false, problems: issues.slice(0, MAX_YAML_PROBLEMS).map((e) => yamlProblem(e, text, file, at)) };
  }
  if (doc.contents === null) {
    return {
      ok: false,
      problems: [
        problem({
          file,
          pos: FILE_START,
          check: 'schema',
          code: 'empty_file',
          message: 'file has no content (only comments)',
          hint: 'see orgs/README.md for a template, or delete the file',
        }),
      ],
    };
  }

  const walker = new Walker(file, text, at);
  walker.visit(doc.contents, '', 1);
  walker.positions.values.set('', at(doc.contents.range[0]));
  if (walker.problems.length > 0) return { ok: false, problems: walker.problems };
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 100 }), positions: walker.positions };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      problems: [problem({ file, pos: FILE_START, check: 'schema', code: 'alias_limit', message: `aliases expand too far: ${message}` })],
    };
  }
}

/**
 * Collects positions and enforces what `yaml` allows but orgshare does not: non-string or
 * reserved keys, explicit tags, too many aliases, too much nesting.
 */
class Walker {
  readonly positions: PositionIndex = { values: new Map(), keys: new Map() };
  readonly problems: Problem[] = [];
  private aliases = 0;
  private tooDeep = false;

  constructor(
    private readonly file: string,
    private readonly text: string,
    private readonly at: (offset: number) => Pos,
  ) {}

  private report(code: string, offset: number, message: string, hint?: string, value?: unknown): void {
    this.problems.push(problem({ file: this.file, pos: this.at(offset), check: 'schema', code, message, hint, value }));
  }

  visit(node: unknown, path: string, depth: number): void {
    if (node === null || node === undefined) return;
    if (isAlias(node)) {
      this.aliases++;
      if (this.aliases === MAX_ALIASES + 1) {
        this.report(
          'alias_limit',
          node.range?.[0] ?? 0,
          `more than ${MAX_ALIASES} YAML aliases (*name) in one file`,
          'write the values out; aliases beyond a few are treated as an expansion attack',
        );
      }
      return;
    }
    const n = node as YamlNode;
    if (n.tag) {
      this.report('yaml_tag', n.range?.[0] ?? 0, `YAML tags are not allowed (${shortTag(n.tag)})`, 'remove the tag; write plain values', shortTag(n.tag));
    }
    if (isScalar(n) && typeof n.value === 'number' && Number.isInteger(n.value) && n.range) {
      this.checkIntegerSpelling(n.range[0], this.text.slice(n.range[0], n.range[1]), n.value, path);
    }
    if (isMap(n)) {
      if (this.checkDepth(n, depth)) return;
      for (const pair of n.items) {
        const key = pair.key as YamlNode | null;
        const keyOffset = key?.range?.[0] ?? n.range?.[0] ?? 0;
        if (!isScalar(key) || typeof key.value !== 'string') {
          this.report('bad_key', keyOffset, 'keys must be plain words', 'use one of the keys described in the schema', isScalar(key) ? key.value : undefined);
          continue;
        }
        if (key.tag) this.report('yaml_tag', keyOffset, `YAML tags are not allowed (${shortTag(key.tag)})`, 'remove the tag', shortTag(key.tag));
        if (RESERVED_KEYS.has(key.value)) {
          this.report('forbidden_key', keyOffset, `key \`${key.value}\` is not allowed`, 'remove it: it is never a valid key and could alter object prototypes', key.value);
          continue;
        }
        const kpath = `${path}/${pointerSegment(key.value)}`;
        const kpos = this.at(keyOffset);
        this.positions.keys.set(kpath, kpos);
        const value = pair.value as YamlNode | null;
        const range = value?.range;
        const pointsAtKey = !range || isMap(value) || isSeq(value) || range[0] === range[1];
        this.positions.values.set(kpath, pointsAtKey ? kpos : this.at(range[0]));
        this.visit(value, kpath, depth + 1);
      }
    } else if (isSeq(n)) {
      if (this.checkDepth(n, depth)) return;
      n.items.forEach((item, i) => {
        const ipath = `${path}/${i}`;
        const offset = (item as YamlNode | null)?.range?.[0];
        if (offset !== undefined) this.positions.values.set(ipath, this.at(offset));
        this.visit(item, ipath, depth + 1);
      });
    }
  }

  /**
   * An integer must be written as plain decimal digits. YAML also reads `0x16062`,
   * `0o260142`, `+90210`, `90210.0`, `9.021e4` and `360000000100.99999999` (a double
   * rounds it to …101) as integers, so what a reviewer reads and what orgshare uses could
   * differ. Every number in the schemas is an integer, so a non-integer value (`90210.5`,
   * `.inf`) is left to the schema, which refuses it. The fast path (fast-yaml.ts) declines
   * every such spelling, so each one reaches this check.
   */
  private checkIntegerSpelling(offset: number, source: string, value: number, path: string): void {
    if (PLAIN_INTEGER.test(source)) return;
    const where = path === '' ? 'the file' : `\`${displayPath(path)}\``;
    this.report(
      'integer_format',
      offset,
      `${where} is written as \`${excerpt(source, 40)}\`, which YAML reads as the integer ${value}: write whole numbers as plain decimal digits`,
      'write the number as digits only (no sign, leading zero, decimal point, exponent or 0x/0o prefix); quote the value if it is text',
      source,
    );
  }

  /** True (and reported once) when `node` is nested deeper than MAX_DEPTH. */
  private checkDepth(node: YamlNode, depth: number): boolean {
    if (depth <= MAX_DEPTH) return false;
    if (!this.tooDeep) {
      this.tooDeep = true;
      this.report('too_deep', node.range?.[0] ?? 0, `nesting is deeper than ${MAX_DEPTH} levels`, 'organization files are at most four levels deep');
    }
    return true;
  }
}

/**
 * A `%YAML` directive other than `%YAML 1.2`. Version 1.1 changes what plain values mean
 * (`y` and `on` become true, `25:3:30` the number 90210, `<<` merges mappings) while the
 * schema, editors and reviewers read YAML 1.2; unknown versions are read as 1.2 by the
 * parser with a warning. Directives are lines starting with `%` before the document.
 */
function yamlVersionProblem(text: string, file: string, at: (offset: number) => Pos): Problem | null {
  let offset = 0;
  while (offset < text.length) {
    const end = text.indexOf('\n', offset);
    const line = text.slice(offset, end < 0 ? text.length : end);
    // The prologue ends at the first line that is not a directive, comment or blank.
    if (!/^(?:%|#|[ \t\r]*$)/.test(line)) return null;
    const m = /^%YAML(?:[ \t]+([^ \t#\r]*))?/.exec(line);
    if (m && m[1] !== '1.2') {
      const written = excerpt(line.replace(/[ \t]+#.*$/, '').trimEnd(), 40);
      return problem({
        file,
        pos: at(offset),
        check: 'schema',
        code: 'yaml_version',
        message: `\`${written}\` is not allowed: orgshare reads YAML 1.2 only`,
        hint: 'remove the %YAML line (and the `---` after it if nothing else needs it); YAML 1.1 reads `y`, `on` and `25:3:30` differently',
        value: written,
      });
    }
    if (end < 0) break;
    offset = end + 1;
  }
  return null;
}

function yamlProblem(err: YAMLError, text: string, file: string, at: (offset: number) => Pos): Problem {
  const pos = at(err.pos[0]);
  const base = { file, pos, check: 'schema' as const };
  switch (err.code) {
    case 'DUPLICATE_KEY': {
      const key = (/^[^:\n]{0,80}/.exec(text.slice(err.pos[0]))?.[0] ?? '').trim();
      return problem({
        ...base,
        code: 'duplicate_key',
        message: `duplicate key${key ? ` \`${key}\`` : ''}: a key may appear only once in a mapping`,
        hint: 'remove one of the two entries; YAML would otherwise silently keep only one',
        value: key || undefined,
      });
    }
    case 'MULTIPLE_DOCS':
      return problem({
        ...base,
        code: 'multiple_documents',
        message: 'file contains more than one YAML document (a second `---`)',
        hint: 'put each organization in its own file',
      });
    case 'TAG_RESOLVE_FAILED':
      return problem({ ...base, code: 'yaml_tag', message: `YAML tags are not allowed: ${err.message}`, hint: 'remove the tag; write plain values' });
    case 'NON_STRING_KEY':
      return problem({ ...base, code: 'bad_key', message: 'keys must be plain words', hint: 'use one of the keys described in the schema' });
    case 'TAB_AS_INDENT':
      return problem({ ...base, code: 'yaml_syntax', message: 'tabs are not allowed for indentation', hint: 'indent with spaces (two per level)' });
    default:
      return problem({ ...base, code: 'yaml_syntax', message: `YAML syntax error: ${err.message}`, hint: 'check indentation, quotes and colons around this position' });
  }
}

/** "tag:yaml.org,2002:str" → "!!str", as written. */
function shortTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
}

/** Maximum nesting of flow brackets outside quoted scalars and comments (an upper bound). */
function flowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  // Where a quote opens a quoted scalar, as YAML reads it: at the start of a line, after
  // [ { , or after ": ", and after "- " or "? " that begin their line. Anywhere else (as in
  // "it's [x]" or "[a-'b [[") it is text of a plain scalar, and brackets after it count.
  let prev = '\n';
  let prevFirstOnLine = true;
  let spaced = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    const opens =
      (prev === '\n' && depth === 0) ||
      prev === '[' ||
      prev === '{' ||
      prev === ',' ||
      (spaced && (prev === ':' || ((prev === '-' || prev === '?') && prevFirstOnLine && depth === 0)));
    if ((ch === '"' || ch === "'") && opens) {
      // Brackets inside a quoted scalar are text, not nesting.
      for (i++; i < text.length; i++) {
        const q = text[i];
        if (ch === '"' && q === '\\') i++;
        else if (q === ch) {
          if (ch === "'" && text[i + 1] === "'") i++;
          else break;
        }
      }
      prev = 'x';
      prevFirstOnLine = false;
      spaced = false;
      continue;
    }
    if (ch === '#' && (i === 0 || /\s/.test(text[i - 1] as string))) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
      continue;
    }
    if (ch === '[' || ch === '{') {
      if (++depth > max) max = depth;
    } else if ((ch === ']' || ch === '}') && depth > 0) {
      depth--;
    }
    if (ch === '\n') {
      prev = '\n';
      prevFirstOnLine = true;
      spaced = false;
    } else if (ch === ' ' || ch === '\t' || ch === '\r') {
      spaced = true;
    } else {
      prevFirstOnLine = prev === '\n';
      prev = ch;
      spaced = false;
    }
  }
  return max;
}

