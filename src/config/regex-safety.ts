/**
 * A static bound on how long a deny pattern can take, so a pattern in
 * `orgshare.config.yaml` cannot stall `plan` on a crafted organization note
 * (catastrophic backtracking: exponential with nested quantifiers, polynomial of a huge
 * degree with adjacent ones such as `.*.*.*…`).
 *
 * Deny patterns run (src/policy/restrictions.ts) on one line of a note at a time, in
 * windows of at most DENY_TEXT_WINDOW characters; that bounds every repetition in
 * practice, and this module bounds what a backtracking engine can do within a window:
 * - no backreferences and no lookbehind (neither is needed to spot a sentence);
 * - no counted repetition above DENY_TEXT_WINDOW (`a{1,5000}`);
 * - no repeated group (`+`, `*`, `{n,m}` with m > 1) containing a quantifier or an
 *   alternation: `(a+)+`, `(a|aa)*`, `(a{1,100}){1,100}` (`(be\s+)?` is fine);
 * - at most MAX_REPETITIONS repetitions in all;
 * - a cost estimate: along each path through the alternations, two repetitions are
 *   *ambiguous* when the first can also match a character of each mandatory element
 *   between them and one of the second (`.*x.*`, `\s*\s*`, `[a-z]+\w.+`, but not
 *   `\s*not\s+`). A chain of ambiguous repetitions costs the product of their sizes (a
 *   repetition's size is its maximum, at most DENY_TEXT_WINDOW) and must stay within
 *   MAX_CHAIN (one unbounded repetition, or two small bounded ones); the worst chain
 *   times the number of alternation branches that can start on the same character must
 *   stay within MAX_COST.
 * Character sets are compared on a sample alphabet (ASCII, common Unicode spaces, quotes
 * and letters, and every character and escape written in the pattern, range ends
 * included), evaluated by the engine itself with the `i` flag the check uses.
 *
 * The estimate errs towards refusing. The built-in DEFAULT_DENY_PATTERNS pass it (a test
 * keeps it so), and the tests bound the steps of a model backtracking engine on
 * adversarial lines of a window by a multiple of the window times the estimate
 * (docs/security.md).
 */
import { DENY_TEXT_WINDOW } from '../model/policy.js';

/** Repetitions (max > 1) allowed in one pattern. */
export const MAX_REPETITIONS = 10;
/** The heaviest chain of ambiguous repetitions allowed: one unbounded, or a few bounded. */
export const MAX_CHAIN = 2_000;
/** Worst-case steps per start position: the chain times the branches tried there. */
export const MAX_COST = 20_000;
/** Combinations of alternatives examined; more is refused as too complex. */
const MAX_PATHS = 1024;

export interface RegexRisk {
  message: string;
  hint: string;
}

const SIMPLER = 'describe the sentence with plain words, \\s+ between them and at most one [^.\\n]* (e.g. "\\bno\\s+sharing\\b")';

/** Why `pattern` (a valid JavaScript regular expression) is refused, or null. */
export function regexRisk(pattern: string): RegexRisk | null {
  const verdict = assess(pattern);
  return 'risk' in verdict ? verdict.risk : null;
}

/**
 * The cost estimate of an accepted pattern: its worst chain of ambiguous repetitions times
 * the branches tried at one position (at most MAX_COST), or null when it is refused. A
 * backtracking engine does about this much work per start position in a window.
 */
export function regexCost(pattern: string): number | null {
  const verdict = assess(pattern);
  return 'cost' in verdict ? verdict.cost : null;
}

function assess(pattern: string): { risk: RegexRisk } | { cost: number } {
  const refuse = (message: string, hint: string) => ({ risk: { message, hint } });
  let ast: Alternative[];
  try {
    ast = new Parser(pattern).parse();
  } catch (err) {
    if (err instanceof Refusal) return refuse(err.message, err.hint);
    throw err;
  }
  const nested = findNestedRepetition(ast);
  if (nested) {
    return refuse(
      'repeats a group that itself contains a repetition or an alternation, which can take exponential time',
      `rewrite without a repeated group containing + * ? {n,m} or | (a character class such as [ab]+ often does); ${SIMPLER}`,
    );
  }
  const repetitions = countRepetitions(ast);
  if (repetitions > MAX_REPETITIONS) {
    return refuse(`has ${repetitions} repetitions (+, *, {n,m}); at most ${MAX_REPETITIONS} are allowed`, SIMPLER);
  }
  const analysis = new Analysis(alphabetOf(pattern));
  let cost: { chain: number; branches: number };
  try {
    cost = analysis.cost(ast);
  } catch (err) {
    if (err instanceof Refusal) return refuse(err.message, err.hint);
    throw err;
  }
  if (cost.chain > MAX_CHAIN) {
    return refuse(
      'has repetitions that can match the same text one after the other (like .*x.* or \\s*\\s*), which can take polynomial time with a high degree',
      `keep one unbounded repetition per stretch of text, or bound them ({0,40}); ${SIMPLER}`,
    );
  }
  if (cost.chain * cost.branches > MAX_COST) {
    return refuse(
      'has alternatives or optional parts that can start with the same character, on top of repetitions, which multiplies the work',
      `make the alternatives start differently, or split the pattern into several (each is checked on its own); ${SIMPLER}`,
    );
  }
  return { cost: cost.chain * cost.branches };
}

// ---- parsing (JavaScript syntax without the u flag; the pattern is known to compile) ----

type Node =
  | { kind: 'chars'; src: string }
  | { kind: 'assert' }
  | { kind: 'group'; alts: Alternative[]; lookahead: boolean }
  | { kind: 'repeat'; min: number; max: number; body: Node };
type Alternative = Node[];

class Refusal extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

class Parser {
  private i = 0;
  constructor(private readonly src: string) {}

  parse(): Alternative[] {
    return this.disjunction();
  }

  private disjunction(): Alternative[] {
    const alts: Alternative[] = [this.alternative()];
    while (this.src[this.i] === '|') {
      this.i++;
      alts.push(this.alternative());
    }
    return alts;
  }

  private alternative(): Alternative {
    const out: Alternative = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      out.push(this.term());
    }
    return out;
  }

  private term(): Node {
    const atom = this.atom();
    const q = this.quantifier();
    if (!q) return atom;
    if (atom.kind === 'assert') return atom;
    return { kind: 'repeat', min: q.min, max: q.max, body: atom };
  }

  private quantifier(): { min: number; max: number } | null {
    const c = this.src[this.i];
    let q: { min: number; max: number } | null = null;
    if (c === '*') q = { min: 0, max: Infinity };
    else if (c === '+') q = { min: 1, max: Infinity };
    else if (c === '?') q = { min: 0, max: 1 };
    if (q) {
      this.i++;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) return null; // a literal "{" (allowed without the u flag)
      this.i += m[0].length;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (min > DENY_TEXT_WINDOW || (max !== Infinity && max > DENY_TEXT_WINDOW)) {
        throw new Refusal(
          `repeats {${m[1]}${m[2] ?? ''}} times; counted repetitions above ${DENY_TEXT_WINDOW} are not allowed`,
          `notes are checked ${DENY_TEXT_WINDOW} characters at a time; use a smaller bound such as {0,80}`,
        );
      }
      q = { min, max };
    } else {
      return null;
    }
    if (this.src[this.i] === '?') this.i++; // lazy: the same search space
    return q;
  }

  private atom(): Node {
    const src = this.src;
    const c = src[this.i]!;
    if (c === '(') return this.group();
    if (c === '^' || c === '$') {
      this.i++;
      return { kind: 'assert' };
    }
    if (c === '[') return { kind: 'chars', src: this.charClass() };
    if (c === '\\') return this.escape();
    this.i++;
    return { kind: 'chars', src: c === '.' ? '.' : /[{}\]]/.test(c) ? `\\${c}` : c };
  }

  private group(): Node {
    const rest = this.src.slice(this.i);
    if (rest.startsWith('(?<=') || rest.startsWith('(?<!')) {
      throw new Refusal('uses a lookbehind ((?<= or (?<!), which is not allowed in deny patterns', SIMPLER);
    }
    let lookahead = false;
    if (rest.startsWith('(?=') || rest.startsWith('(?!')) {
      lookahead = true;
      this.i += 3;
    } else if (rest.startsWith('(?:')) {
      this.i += 3;
    } else if (rest.startsWith('(?<')) {
      this.i = this.src.indexOf('>', this.i) + 1;
    } else {
      this.i++;
    }
    const alts = this.disjunction();
    this.i++; // ")"
    return { kind: 'group', alts, lookahead };
  }

  private charClass(): string {
    const start = this.i;
    this.i++; // "["
    if (this.src[this.i] === '^') this.i++;
    while (this.i < this.src.length && this.src[this.i] !== ']') {
      this.i += this.src[this.i] === '\\' ? 2 : 1;
    }
    this.i++; // "]"
    return this.src.slice(start, this.i);
  }

  private escape(): Node {
    const rest = this.src.slice(this.i);
    const next = rest[1] ?? '';
    if (next === 'b' || next === 'B') {
      this.i += 2;
      return { kind: 'assert' };
    }
    if (/[1-9]/.test(next) || rest.startsWith('\\k<')) {
      throw new Refusal('uses a backreference (\\1, \\k<name>), which is not allowed in deny patterns', SIMPLER);
    }
    const m = /^\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|c[A-Za-z]|0[0-7]{0,2}|[\s\S])/.exec(rest)!;
    this.i += m[0].length;
    return { kind: 'chars', src: m[0] };
  }
}

// ---- structural rules ------------------------------------------------------------------

function* nodes(alts: Alternative[]): Generator<Node> {
  for (const alt of alts) {
    for (const n of alt) {
      yield n;
      if (n.kind === 'group') yield* nodes(n.alts);
      if (n.kind === 'repeat') yield* nodes([[n.body]]);
    }
  }
}

/** A repeated group (max > 1) containing a repetition of any kind or an alternation. */
function findNestedRepetition(alts: Alternative[]): boolean {
  for (const n of nodes(alts)) {
    if (n.kind !== 'repeat' || n.max <= 1) continue;
    for (const inner of nodes([[n.body]])) {
      if (inner === n.body && inner.kind !== 'group') continue;
      if (inner.kind === 'repeat' || (inner.kind === 'group' && inner.alts.length > 1)) return true;
    }
  }
  return false;
}

function countRepetitions(alts: Alternative[]): number {
  let n = 0;
  for (const node of nodes(alts)) if (node.kind === 'repeat' && node.max > 1) n++;
  return n;
}

// ---- character sets ----------------------------------------------------------------------

const SAMPLE =
  '\u0085\u00a0\u00c9\u00e9\u00df\u017f\u0130\u0131\u0416\u0436\u1680\u2000\u200a\u200b\u2018\u2019\u201c\u201d' +
  '\u2028\u2029\u202f\u205f\u212a\u3000\u4e00\ufeff\ud83d\ude00\uffff';

/** The sample alphabet for one pattern. */
function alphabetOf(pattern: string): string[] {
  const chars = new Set<string>();
  for (let c = 0; c < 128; c++) chars.add(String.fromCharCode(c));
  const add = (s: string) => {
    for (const ch of s) {
      for (const unit of [ch, ch.toLowerCase(), ch.toUpperCase()]) {
        for (let k = 0; k < unit.length; k++) chars.add(unit[k]!);
      }
    }
  };
  add(SAMPLE);
  add(pattern);
  // Escaped characters and range ends written as \xHH, \uHHHH, \0oo.
  for (const m of pattern.matchAll(/\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|([0-7]{1,3}))/g)) {
    add(String.fromCharCode(parseInt(m[1] ?? m[2] ?? m[3]!, m[3] ? 8 : 16)));
  }
  return [...chars];
}

type CharSet = boolean[];

interface Element {
  set: CharSet;
  min: number;
  max: number;
}

class Analysis {
  private readonly sets = new Map<string, CharSet>();
  private readonly lookaheads = new Set<Alternative[]>();

  constructor(private readonly alphabet: string[]) {}

  /**
   * The worst chain over all paths and the alternation multiplicity; a lookahead runs
   * once per position it is tried at, so its cost adds up rather than multiplies: the
   * worst of the pattern and its lookaheads counts.
   */
  cost(alts: Alternative[]): { chain: number; branches: number } {
    const of = (body: Alternative[]) => ({ chain: Math.max(1, ...this.paths(body).map(chainCost)), branches: this.multiplicity(body) });
    let worst = of(alts);
    const done = new Set<Alternative[]>();
    for (const body of this.lookaheads) {
      if (done.has(body)) continue;
      done.add(body);
      const inner = of(body);
      if (inner.chain > worst.chain || inner.chain * inner.branches > worst.chain * worst.branches) worst = inner;
    }
    return worst;
  }

  setOf(src: string): CharSet {
    let set = this.sets.get(src);
    if (!set) {
      const re = new RegExp(`^(?:${src})$`, 'i');
      set = this.alphabet.map((c) => re.test(c));
      this.sets.set(src, set);
    }
    return set;
  }

  // Paths: every combination of alternatives and optional parts, as flat element lists.

  private paths(alts: Alternative[]): Element[][] {
    const out: Element[][] = [];
    for (const alt of alts) {
      for (const p of this.seqPaths(alt)) {
        out.push(p);
        if (out.length > MAX_PATHS) throw tooManyPaths();
      }
    }
    return out;
  }

  private seqPaths(alt: Alternative): Element[][] {
    let acc: Element[][] = [[]];
    for (const node of alt) {
      const options = this.nodePaths(node);
      if (options.length === 1) {
        const only = options[0]!;
        acc = acc.map((p) => (only.length === 0 ? p : [...p, ...only]));
        continue;
      }
      if (acc.length * options.length > MAX_PATHS) throw tooManyPaths();
      acc = acc.flatMap((p) => options.map((o) => [...p, ...o]));
    }
    return acc;
  }

  private nodePaths(node: Node): Element[][] {
    switch (node.kind) {
      case 'chars':
        return [[{ set: this.setOf(node.src), min: 1, max: 1 }]];
      case 'assert':
        return [[]];
      case 'group':
        if (node.lookahead) {
          this.lookaheads.add(node.alts);
          return [[]];
        }
        return this.paths(node.alts);
      case 'repeat': {
        if (node.max === 0) return [[]];
        if (node.max === 1) {
          const body = this.nodePaths(node.body);
          return node.min === 0 ? [[], ...body] : body;
        }
        // A repeated atom or simple group (no repetition or alternation inside, see
        // findNestedRepetition): one element over the union of its characters.
        const elements = this.paths([[node.body]])[0] ?? [];
        if (elements.length === 0) return [[]];
        const set = this.alphabet.map((_, k) => elements.some((e) => e.set[k]));
        return [[{ set, min: node.min > 0 ? 1 : 0, max: node.max === Infinity ? Infinity : node.max * elements.length }]];
      }
    }
  }

  // Multiplicity: how many branches of each alternation (or optional part) can be tried
  // at the same character; their product bounds the paths tried per position.

  private multiplicity(alts: Alternative[]): number {
    let m = this.branching(alts);
    for (const node of nodes(alts)) {
      if (node.kind === 'group' && !node.lookahead) m *= this.branching(node.alts);
      if (node.kind === 'repeat' && node.max === 1 && node.min === 0) m *= 2;
      if (m > MAX_COST) return m;
    }
    return m;
  }

  private branching(alts: Alternative[]): number {
    if (alts.length < 2) return 1;
    const firsts = alts.map((a) => this.first(a));
    let most = 0;
    for (let k = 0; k < this.alphabet.length; k++) {
      let n = 0;
      for (const f of firsts) if (f.nullable || f.set[k]) n++;
      if (n > most) most = n;
    }
    return Math.max(1, most);
  }

  /** Characters an alternative can start with, and whether it can match nothing. */
  private first(alt: Alternative): { set: CharSet; nullable: boolean } {
    const set: CharSet = this.alphabet.map(() => false);
    for (const node of alt) {
      const f = this.firstOfNode(node);
      f.set.forEach((v, k) => {
        if (v) set[k] = true;
      });
      if (!f.nullable) return { set, nullable: false };
    }
    return { set, nullable: true };
  }

  private firstOfNode(node: Node): { set: CharSet; nullable: boolean } {
    switch (node.kind) {
      case 'chars':
        return { set: this.setOf(node.src), nullable: false };
      case 'assert':
        return { set: this.alphabet.map(() => false), nullable: true };
      case 'group': {
        if (node.lookahead) return { set: this.alphabet.map(() => false), nullable: true };
        const fs = node.alts.map((a) => this.first(a));
        return { set: this.alphabet.map((_, k) => fs.some((f) => f.set[k])), nullable: fs.some((f) => f.nullable) };
      }
      case 'repeat': {
        const f = this.firstOfNode(node.body);
        return { set: f.set, nullable: f.nullable || node.min === 0 };
      }
    }
  }
}

function tooManyPaths(): Refusal {
  return new Refusal(`combines more than ${MAX_PATHS} alternatives`, 'split it into several simpler patterns (each is checked on its own)');
}

const size = (e: Element) => Math.min(e.max, DENY_TEXT_WINDOW);

/**
 * The heaviest chain of pairwise ambiguous repetitions along one path: repetition i and a
 * later j are ambiguous when i can match a character of every mandatory element between
 * them and one of j's, so the engine can split the same text between them in many ways. The chain's cost is the product of the sizes of its repetitions.
 */
function chainCost(path: Element[]): number {
  const best: number[] = [];
  let worst = 1;
  for (let j = 0; j < path.length; j++) {
    const ej = path[j]!;
    if (ej.max <= 1) continue;
    let before = 1;
    for (let i = 0; i < j; i++) {
      const ei = path[i]!;
      if (ei.max <= 1 || best[i] === undefined) continue;
      if (!overlaps(ei.set, ej.set)) continue;
      let swallows = true;
      for (let k = i + 1; k < j && swallows; k++) {
        const ek = path[k]!;
        if (ek.min >= 1 && !overlaps(ek.set, ei.set)) swallows = false;
      }
      if (swallows) before = Math.max(before, best[i]!);
    }
    best[j] = before * size(ej);
    worst = Math.max(worst, best[j]!);
  }
  return worst;
}

function overlaps(a: CharSet, b: CharSet): boolean {
  for (let k = 0; k < a.length; k++) if (a[k] && b[k]) return true;
  return false;
}
