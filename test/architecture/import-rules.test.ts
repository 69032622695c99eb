/**
 * The import rules of docs/architecture.md ("What each part may import"), checked over
 * every file in src/: a part imports only what its row lists (type-only and dynamic
 * imports included), and no files import each other in a cycle.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = join(ROOT, 'src');

type Rules = Map<string, Set<string>>;

/** The "may import" table of docs/architecture.md. */
function readRules(): Rules {
  const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
  const section = doc.split('## What each part may import')[1]?.split('\n## ')[0] ?? '';
  const rules: Rules = new Map();
  for (const line of section.split('\n')) {
    const m = /^\|\s*([a-z-]+)\s*\|\s*([^|]*?)\s*\|$/.exec(line);
    if (!m || m[1] === 'part') continue;
    const allowed = m[2] === '—' ? [] : m[2]!.split(',').map((s) => s.trim());
    rules.set(m[1]!, new Set(allowed));
  }
  return rules;
}

/** The part a path under the repository belongs to: `src/<dir>/…` → dir, `src/x.ts` → x, `schema/…` → schema. */
function partOf(path: string): string {
  const parts = relative(ROOT, path).split(sep);
  if (parts[0] !== 'src') return parts[0]!;
  const head = parts[1]!;
  return parts.length === 2 ? head.replace(/\.(ts|js)$/, '') : head;
}

/** Relative import specifiers of one source text: static, `import type`, re-exports and dynamic `import()`. */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) out.push(m[1]!);
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The `.ts` file an import specifier names (`./x.js` → `./x.ts`), or the path as is. */
function resolve(from: string, spec: string): string {
  return normalize(join(dirname(from), spec)).replace(/\.js$/, '.ts');
}

interface Violation {
  file: string;
  imports: string;
  rule: string;
}

export function violations(files: Map<string, string>, rules: Rules): Violation[] {
  const out: Violation[] = [];
  for (const [file, text] of files) {
    const part = partOf(file);
    const allowed = rules.get(part);
    for (const spec of importsOf(text)) {
      const target = partOf(resolve(file, spec));
      if (target === part) continue;
      if (!allowed) {
        out.push({ file: relative(ROOT, file), imports: spec, rule: `part "${part}" has no row in docs/architecture.md` });
      } else if (!allowed.has(target)) {
        out.push({ file: relative(ROOT, file), imports: spec, rule: `${part} may not import ${target}` });
      }
    }
  }
  return out;
}

/** Every import cycle among the files, as a list of repository-relative paths. */
export function cycles(files: Map<string, string>): string[][] {
  const edges = new Map<string, string[]>();
  for (const [file, text] of files) edges.set(file, importsOf(text).map((s) => resolve(file, s)).filter((t) => files.has(t)));
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const t of edges.get(f) ?? []) {
      if (state.get(t) === 'open') found.push([...stack.slice(stack.indexOf(t)), t].map((p) => relative(ROOT, p)));
      else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of [...files.keys()].sort()) if (!state.has(f)) visit(f);
  return found;
}

const RULES = readRules();
const FILES = new Map(sourceFiles(SRC).map((f) => [f, readFileSync(f, 'utf8')]));

describe('import rules (docs/architecture.md)', () => {
  it('the table names every part of src/', () => {
    const parts = new Set([...FILES.keys()].map(partOf));
    expect([...parts].filter((p) => !RULES.has(p)).sort()).toEqual([]);
    expect(RULES.get('model')).toEqual(new Set());
  });

  it('no file in src/ imports a part its row does not list', () => {
    expect(violations(FILES, RULES)).toEqual([]);
  });

  it('no import cycles between files in src/', () => {
    expect(cycles(FILES)).toEqual([]);
  });

  it('catches the forbidden imports the document names', () => {
    const file = (path: string, text: string): Map<string, string> => new Map([[join(ROOT, path), text]]);
    const cases: [string, string, string][] = [
      ['src/plan/x.ts', "import type { Adapter } from '../remote/types.js';", 'plan may not import remote'],
      ['src/policy/x.ts', "import { mapLimit } from '../remote/adapter.js';", 'policy may not import remote'],
      ['src/config/x.ts', "const m = await import('../remote/observe.js');", 'config may not import remote'],
      ['src/render/x.ts', "export { observeForPlan } from '../remote/observe.js';", 'render may not import remote'],
      ['src/remote/x.ts', "import { plan } from '../plan/plan.js';", 'remote may not import plan'],
      ['src/sandbox/x.ts', "import { DEFAULT_RISK_MESSAGE } from '../model/policy.js';", 'sandbox may not import model'],
      ['src/sandbox/x.ts', "import type { Adapter } from '../remote/types.js';", 'sandbox may not import remote'],
      ['src/records/x.ts', "import { runChecks } from '../policy/checks.js';", 'records may not import policy'],
    ];
    for (const [path, text, rule] of cases) {
      expect(violations(file(path, text), RULES).map((v) => v.rule)).toEqual([rule]);
    }
    // Allowed arrows pass.
    expect(violations(file('src/plan/x.ts', "import { detailsLine } from '../records/details.js';"), RULES)).toEqual([]);
  });

  it('catches a cycle', () => {
    const a = join(ROOT, 'src/config/a.ts');
    const b = join(ROOT, 'src/config/b.ts');
    const found = cycles(new Map([[a, "import { x } from './b.js';"], [b, "const a = import('./a.js');"]]));
    expect(found).toEqual([['src/config/a.ts', 'src/config/b.ts', 'src/config/a.ts']]);
  });
});
