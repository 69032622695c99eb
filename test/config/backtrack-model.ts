/**
 * A step-counting model of a backtracking regular-expression engine (like V8's irregexp),
 * so tests can bound the WORK a deny pattern causes instead of timing V8.
 *
 * Semantics: JavaScript without the `u` flag, always with `i` (how deny patterns are
 * compiled): leftmost search (every start position in turn), alternatives tried in order,
 * greedy quantifiers that give back one iteration at a time (lazy ones the other way
 * round), the empty-iteration check of RepeatMatcher (an iteration past `min` that matches
 * nothing fails), `^` `$` (no `m` flag), `\b` `\B`, lookahead `(?=…)` `(?!…)` (atomic),
 * classes, `.`, `\s \S \w \W \d \D`, escapes, case-insensitive matching by the spec's
 * Canonicalize. Backreferences and lookbehind throw `Unsupported` (deny patterns refuse
 * them anyway).
 *
 * Steps: one per attempt of an atom at a position (a character or class, an assertion, a
 * lookahead, an empty-iteration check) and one per backtrack (resuming the second branch
 * of a choice: the next alternative, one iteration fewer or more). Past `cap` the run
 * aborts, so a catastrophic pattern cannot hang a test.
 *
 * Counting naively would take as long as the engine it models (`.*!` on 1,000 characters
 * is about a million steps), so failures are memoised: without backreferences, what the
 * engine does from a state (program counter, position, and the start of the current
 * iteration of each enclosing loop whose body can match nothing) is a function of that
 * state, so a state that failed once fails again after exactly as many steps. The counts
 * are those of the engine without the memo (`memo: false` runs it plainly; a test checks
 * both agree), computed in time proportional to the states visited.
 *
 * A counted repetition is unrolled; one that allows at least as many iterations past its
 * minimum as the text has characters runs as an unbounded loop (the same matches; at most
 * one more failing attempt at the end of the text).
 */

import fc from 'fast-check';
import { DENY_TEXT_WINDOW } from '../../src/model/policy.js';

/**
 * K in the work bound: an accepted pattern takes at most K × DENY_TEXT_WINDOW × its cost
 * estimate (regexCost) model steps on one window. Measured over the built-in patterns and
 * the generated ones of test/config/regex-safety.test.ts (`npm run bench:regex` prints
 * it): at most 7.0 steps per character and unit of cost (`(?:a|x)(?:a|x)\b.x!`, cost 1,
 * which tries a few atoms at every start), 3 for `.{0,40}x.{0,40}y`; 10 leaves room. The
 * classic catastrophic patterns the analysis refuses go past K × window × MAX_COST.
 */
export const WORK_FACTOR = 10;

/** Lines of one window that make patterns over these characters backtrack the most. */
export function adversarialLines(pattern: string): string[] {
  const units = new Set(['a', 'x', ' ', 'a ', 'ax', 'ab ', '.', 'aa.', '1']);
  // Every letter the pattern spells is a candidate run too.
  for (const ch of pattern.replace(/\\./g, '').match(/[a-z0-9 ]/gi) ?? []) units.add(ch);
  return [...units].flatMap((u) => {
    const run = u.repeat(Math.ceil(DENY_TEXT_WINDOW / u.length)).slice(0, DENY_TEXT_WINDOW);
    return [run, `${run.slice(0, -1)}!`, `${run.slice(0, -1)}\u0000`];
  });
}

/**
 * Deny patterns as the work-bound property generates them (fast-check): up to eight terms
 * over a few atoms and quantifiers, then "!"; about a third pass the analysis.
 */
export function generatedDenyPattern(): fc.Arbitrary<string> {
  const atoms = ['a', 'x', ' ', '\\s', '\\w', '\\S', '.', '[^.\\n]', '[a-z]', '\\b', '(?:a|x)', '(?:a|aa)', '(?:ax|a)', '(a)', '(?:a )'];
  const quantifiers = ['', '', '*', '+', '?', '{0,40}', '{1,100}', '{2}', '{0,1000}'];
  return fc
    .array(fc.tuple(fc.constantFrom(...atoms), fc.constantFrom(...quantifiers)), { minLength: 1, maxLength: 8 })
    .map((terms) => `${terms.map(([a, q]) => (a === '\\b' ? a : a + q)).join('')}!`);
}

export class Unsupported extends Error {}

export interface ModelRun {
  /** Whether the pattern matches somewhere in the text; null when the run aborted. */
  matched: boolean | null;
  /** Steps taken (more than `cap` when aborted). */
  steps: number;
  aborted: boolean;
}

export interface ModelOptions {
  /** Abort past this many steps (default 1e9). */
  cap?: number;
  /** Memoise failed states (default true); false runs the engine plainly. */
  memo?: boolean;
  /**
   * Run a repetition of one character as one loop (default true, like irregexp); false
   * unrolls it into choices. The steps are the same.
   */
  loops?: boolean;
}

const programs = new Map<string, Program>();

/** Run `pattern` (compiled as `new RegExp(pattern, 'i')` would) on `text`, counting steps. */
export function runModel(pattern: string, text: string, options: ModelOptions = {}): ModelRun {
  const loops = options.loops ?? true;
  const key = `${text.length}:${loops}:${pattern}`;
  let program = programs.get(key);
  if (!program) {
    if (programs.size >= 64) programs.clear();
    program = compile(parse(pattern), text.length, loops);
    programs.set(key, program);
  }
  return new Engine(program, text, options.cap ?? 1e9, options.memo ?? true).search();
}

// ---- syntax ----------------------------------------------------------------------------

type Pred = (c: number) => boolean;

type Node =
  | { t: 'char'; key: string; pred: Pred }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; alts: Node[] }
  | { t: 'rep'; min: number; max: number; greedy: boolean; body: Node }
  | { t: 'assert'; kind: '^' | '$' | 'b' | 'B' }
  | { t: 'look'; negative: boolean; body: Node };

const isLineTerminator = (c: number) => c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isWord = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || isDigit(c) || c === 0x5f;
const isSpace = (c: number) =>
  (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;

const CLASS_ESCAPES: Record<string, Pred> = {
  d: isDigit,
  D: (c) => !isDigit(c),
  s: isSpace,
  S: (c) => !isSpace(c),
  w: isWord,
  W: (c) => !isWord(c),
};

/** Canonicalize(ch) for ignoreCase without unicode (ECMA-262, RegExp semantics). */
function canon(c: number): number {
  const upper = String.fromCharCode(c).toUpperCase();
  if (upper.length !== 1) return c;
  const u = upper.charCodeAt(0);
  return c >= 128 && u < 128 ? c : u;
}

let canonical: Uint16Array | null = null;
const equivalents = new Map<number, number[]>();
/** The code units with the same canonical value as `c` (c included). */
function sameCanon(c: number): number[] {
  if (!canonical) {
    canonical = new Uint16Array(0x10000);
    for (let d = 0; d < 0x10000; d++) canonical[d] = canon(d);
  }
  const k = canonical[c]!;
  let list = equivalents.get(k);
  if (!list) {
    list = [];
    for (let d = 0; d < 0x10000; d++) if (canonical[d] === k) list.push(d);
    equivalents.set(k, list);
  }
  return list;
}

const tables = new Map<string, Int8Array>();
/** A case-insensitive character test: `raw` matches some character equivalent to c. */
function charNode(key: string, raw: Pred, negated = false): Node {
  let table = tables.get(key);
  if (!table) {
    table = new Int8Array(0x10000);
    tables.set(key, table);
  }
  const t = table;
  const pred: Pred = (c) => {
    let v = t[c]!;
    if (v === 0) {
      const found = sameCanon(c).some(raw);
      v = found !== negated ? 1 : 2;
      t[c] = v;
    }
    return v === 1;
  };
  return { t: 'char', key, pred };
}

function parse(src: string): Node {
  let i = 0;
  const named = /\(\?<[^=!]/.test(src);
  const fail = (what: string): never => {
    throw new Unsupported(`${what} at ${i} in /${src}/`);
  };

  const disjunction = (): Node => {
    const alts = [alternative()];
    while (src[i] === '|') {
      i++;
      alts.push(alternative());
    }
    return alts.length === 1 ? alts[0]! : { t: 'alt', alts };
  };
  const alternative = (): Node => {
    const items: Node[] = [];
    while (i < src.length && src[i] !== '|' && src[i] !== ')') items.push(term());
    return items.length === 1 ? items[0]! : { t: 'seq', items };
  };
  const term = (): Node => {
    const start = i;
    const atom = atomOrAssertion();
    const q = quantifier();
    if (!q) return atom;
    if (src[start] !== '(' && atom.t === 'assert') fail(`quantified assertion ${src.slice(start, i)}`);
    return { t: 'rep', ...q, body: atom };
  };
  const quantifier = (): { min: number; max: number; greedy: boolean } | null => {
    const c = src[i];
    let q: { min: number; max: number } | null = null;
    if (c === '*') q = { min: 0, max: Infinity };
    else if (c === '+') q = { min: 1, max: Infinity };
    else if (c === '?') q = { min: 0, max: 1 };
    if (q) i++;
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
      if (!m) return null;
      i += m[0].length;
      const min = Number(m[1]);
      q = { min, max: m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]) };
    } else return null;
    let greedy = true;
    if (src[i] === '?') {
      greedy = false;
      i++;
    }
    return { ...q, greedy };
  };
  const atomOrAssertion = (): Node => {
    const c = src[i]!;
    if (c === '^' || c === '$') {
      i++;
      return { t: 'assert', kind: c };
    }
    if (c === '(') return group();
    if (c === '[') return charClass();
    if (c === '.') {
      i++;
      return charNode('.', (d) => !isLineTerminator(d));
    }
    if (c === '\\') {
      const next = src[i + 1];
      if (next === 'b' || next === 'B') {
        i += 2;
        return { t: 'assert', kind: next };
      }
      if (next !== undefined && /[1-9]/.test(next)) fail('backreference');
      if (next === 'k' && named) fail('backreference');
      const e = escape();
      return typeof e === 'number' ? literal(e) : charNode(`\\${src[i - 1]}`, e);
    }
    if (c === '*' || c === '+' || c === '?') fail('nothing to repeat');
    i++;
    return literal(c.charCodeAt(0));
  };
  const literal = (code: number): Node => {
    const k = canon(code);
    return charNode(`=${code}`, (d) => canon(d) === k);
  };
  const group = (): Node => {
    const rest = src.slice(i);
    let look: boolean | null = null;
    if (rest.startsWith('(?<=') || rest.startsWith('(?<!')) fail('lookbehind');
    if (rest.startsWith('(?=') || rest.startsWith('(?!')) {
      look = rest[2] === '!';
      i += 3;
    } else if (rest.startsWith('(?:')) i += 3;
    else if (rest.startsWith('(?<')) i = src.indexOf('>', i) + 1;
    else if (rest.startsWith('(?')) fail('group modifier');
    else i++;
    const body = disjunction();
    if (src[i] !== ')') fail('unterminated group');
    i++;
    return look === null ? body : { t: 'look', negative: look, body };
  };
  /** An escape outside or inside a class: a code unit, or a class escape's test. */
  const escape = (inClass = false): number | Pred => {
    const c = src[i + 1];
    if (c === undefined) fail('trailing backslash');
    i += 2;
    const cls = CLASS_ESCAPES[c!];
    if (cls) return cls;
    const hex = (n: number) => {
      const h = src.slice(i, i + n);
      if (h.length === n && /^[0-9a-f]+$/i.test(h)) {
        i += n;
        return parseInt(h, 16);
      }
      return null;
    };
    switch (c) {
      case 'n':
        return 0x0a;
      case 'r':
        return 0x0d;
      case 't':
        return 0x09;
      case 'v':
        return 0x0b;
      case 'f':
        return 0x0c;
      case 'b':
        return inClass ? 0x08 : fail('\\b');
      case '0':
        if (src[i] !== undefined && /[0-9]/.test(src[i]!)) fail('octal escape');
        return 0;
      case 'x':
        return hex(2) ?? 0x78;
      case 'u':
        return hex(4) ?? 0x75;
      case 'c':
        return fail('control escape');
      default:
        if (/[1-9]/.test(c!)) fail('octal escape');
        return c!.charCodeAt(0);
    }
  };
  const charClass = (): Node => {
    const start = i;
    i++;
    const negated = src[i] === '^';
    if (negated) i++;
    const parts: Pred[] = [];
    const single = (): number | Pred => {
      if (src[i] === '\\') return escape(true);
      return src.charCodeAt(i++);
    };
    while (i < src.length && src[i] !== ']') {
      const a = single();
      if (src[i] === '-' && src[i + 1] !== ']' && i + 1 < src.length) {
        const save = i;
        i++;
        const b = single();
        if (typeof a === 'number' && typeof b === 'number') {
          if (a > b) fail('range out of order');
          parts.push((d) => d >= a && d <= b);
          continue;
        }
        // Annex B: a class escape next to "-" makes the "-" literal.
        i = save;
      }
      parts.push(typeof a === 'number' ? (d) => d === a : a);
    }
    if (src[i] !== ']') fail('unterminated class');
    i++;
    return charNode(src.slice(start, i), (d) => parts.some((p) => p(d)), negated);
  };

  const node = disjunction();
  if (i !== src.length) fail('unbalanced )');
  return node;
}

function nullable(n: Node): boolean {
  switch (n.t) {
    case 'char':
      return false;
    case 'assert':
    case 'look':
      return true;
    case 'seq':
      return n.items.every(nullable);
    case 'alt':
      return n.alts.some(nullable);
    case 'rep':
      return n.min === 0 || nullable(n.body);
  }
}

// ---- program ---------------------------------------------------------------------------

const enum Op {
  Char,
  Assert,
  Split,
  Jmp,
  Mark,
  Check,
  Look,
  /** A repetition of one character test: `a` more iterations at most (Infinity: unbounded). */
  Loop,
  Match,
}

interface Instr {
  op: Op;
  /** Split: first branch; Jmp: target; Mark/Check: register; Look: entry; Loop: most iterations. */
  a: number;
  /** Split: second branch; Look: 1 when negative; Loop: 1 when lazy. */
  b: number;
  pred?: Pred;
  kind?: '^' | '$' | 'b' | 'B';
}

interface Program {
  code: Instr[];
  /** Registers (loop iteration starts) whose value the rest of the run depends on, per pc. */
  live: number[][];
  registers: number;
  /** Per pc, its row in the memo (choices, loops and what follows a loop), or -1. */
  slot: Int32Array;
  slots: number;
}

/** Beyond this many instructions a pattern is too big for the model. */
const MAX_PROGRAM = 200_000;

function compile(root: Node, textLength: number, loops: boolean): Program {
  const code: Instr[] = [];
  const liveRanges: { from: number; to: number; reg: number }[] = [];
  const looks: { at: number; body: Node }[] = [];
  let registers = 0;
  const emit = (op: Op, a = 0, b = 0, extra: Partial<Instr> = {}) => {
    if (code.length >= MAX_PROGRAM) throw new Unsupported('program too large for the model');
    code.push({ op, a, b, ...extra });
    return code.length - 1;
  };
  const iteration = (body: Node, check: boolean) => {
    if (!check) return gen(body);
    const reg = registers++;
    const from = emit(Op.Mark, reg);
    gen(body);
    emit(Op.Check, reg);
    liveRanges.push({ from: from + 1, to: code.length - 1, reg });
  };
  const gen = (n: Node): void => {
    switch (n.t) {
      case 'char':
        emit(Op.Char, 0, 0, { pred: n.pred });
        return;
      case 'assert':
        emit(Op.Assert, 0, 0, { kind: n.kind });
        return;
      case 'look':
        looks.push({ at: emit(Op.Look, -1, n.negative ? 1 : 0), body: n.body });
        return;
      case 'seq':
        for (const item of n.items) gen(item);
        return;
      case 'alt': {
        const jumps: number[] = [];
        n.alts.forEach((alt, k) => {
          if (k === n.alts.length - 1) return gen(alt);
          const split = emit(Op.Split);
          code[split]!.a = code.length;
          gen(alt);
          jumps.push(emit(Op.Jmp));
          code[split]!.b = code.length;
        });
        for (const j of jumps) code[j]!.a = code.length;
        return;
      }
      case 'rep': {
        for (let k = 0; k < n.min; k++) gen(n.body);
        if (loops && n.body.t === 'char' && n.max > n.min) {
          // What irregexp's greedy loop does for a one-character body; the steps are those
          // of the unrolled choices (Engine.loop).
          const more = n.max - n.min >= textLength ? Infinity : n.max - n.min;
          emit(Op.Loop, more, n.greedy ? 0 : 1, { pred: n.body.pred });
          return;
        }
        const check = nullable(n.body);
        const branch = (split: number, body: number, exit: number) => {
          code[split]!.a = n.greedy ? body : exit;
          code[split]!.b = n.greedy ? exit : body;
        };
        if (n.max === Infinity || n.max - n.min >= textLength) {
          const top = emit(Op.Split);
          iteration(n.body, check);
          emit(Op.Jmp, top);
          branch(top, top + 1, code.length);
          return;
        }
        const splits: number[] = [];
        for (let k = n.min; k < n.max; k++) {
          splits.push(emit(Op.Split));
          iteration(n.body, check);
        }
        for (const s of splits) branch(s, s + 1, code.length);
        return;
      }
    }
  };
  gen(root);
  emit(Op.Match);
  for (let k = 0; k < looks.length; k++) {
    const { at, body } = looks[k]!;
    code[at]!.a = code.length;
    gen(body);
    emit(Op.Match);
  }
  const live: number[][] = code.map(() => []);
  for (const r of liveRanges) for (let pc = r.from; pc <= r.to; pc++) live[pc]!.push(r.reg);
  const slot = new Int32Array(code.length).fill(-1);
  let slots = 0;
  code.forEach((ins, pc) => {
    if (ins.op === Op.Split || ins.op === Op.Loop) slot[pc] = slots++;
    if (ins.op === Op.Loop) slot[pc + 1] = slots++;
  });
  return { code, live, registers, slot, slots };
}

// ---- engine ----------------------------------------------------------------------------

class Aborted extends Error {}

let buffer = new Float64Array(0);
/** A zeroed memo of `size` entries; one buffer serves every run (runs do not overlap). */
function memoBuffer(size: number): Float64Array {
  if (buffer.length < size) buffer = new Float64Array(Math.max(size, 2 * buffer.length));
  const view = buffer.subarray(0, size);
  view.fill(0);
  return view;
}

type Key = number | string;

class Engine {
  private steps = 0;
  /** Steps + 1 that a failed state took, by plain key (0: not known to fail). */
  private readonly failed: Float64Array;
  /** The same for states keyed with live registers, and all states of big programs. */
  private readonly failedElse = new Map<Key, number>();
  private readonly looks = new Map<number, { matched: boolean; steps: number }>();
  private readonly codes: Uint16Array;
  private readonly width: number;

  constructor(
    private readonly program: Program,
    private readonly text: string,
    private readonly cap: number,
    private readonly memo: boolean,
  ) {
    this.codes = new Uint16Array(text.length);
    for (let k = 0; k < text.length; k++) this.codes[k] = text.charCodeAt(k);
    this.width = text.length + 1;
    const states = program.slots * this.width;
    this.failed = memo && states <= 1 << 22 ? memoBuffer(states) : new Float64Array(0);
  }

  search(): ModelRun {
    const regs = new Array<number>(this.program.registers).fill(-1);
    try {
      for (let start = 0; start <= this.text.length; start++) {
        if (this.explore(0, start, regs)) return { matched: true, steps: this.steps, aborted: false };
      }
      return { matched: false, steps: this.steps, aborted: false };
    } catch (err) {
      if (err instanceof Aborted) return { matched: null, steps: this.steps, aborted: true };
      throw err;
    }
  }

  private spend(n: number): void {
    this.steps += n;
    if (this.steps > this.cap) throw new Aborted();
  }

  private key(pc: number, pos: number, regs: number[]): Key {
    const live = this.program.live[pc]!;
    const plain = this.program.slot[pc]! * this.width + pos;
    return live.length === 0 ? plain : `${plain}:${live.map((r) => regs[r]).join(',')}`;
  }

  /** Steps a state took when it failed before, or -1. */
  private known(key: Key): number {
    if (!this.memo) return -1;
    const v = typeof key === 'number' && this.failed.length > 0 ? this.failed[key]! : (this.failedElse.get(key) ?? 0);
    return v - 1;
  }

  private remember(key: Key, steps: number): void {
    if (typeof key === 'number' && this.failed.length > 0) this.failed[key] = steps + 1;
    else this.failedElse.set(key, steps + 1);
  }

  /** Run from a state until the program matches (true) or every choice failed (false). */
  private explore(pc: number, pos: number, regs: number[]): boolean {
    const { code } = this.program;
    const t = this.codes;
    const n = t.length;
    // Choice points passed in this call whose last branch this call tries itself: when the
    // call fails, each of them failed, after the steps spent since it was reached.
    let pendingKeys: Key[] | null = null;
    let pendingAt: number[] | null = null;
    for (;;) {
      const ins = code[pc]!;
      let ok = true;
      switch (ins.op) {
        case Op.Char:
          this.spend(1);
          ok = pos < n && ins.pred!(t[pos]!);
          if (ok) {
            pos++;
            pc++;
          }
          break;
        case Op.Assert:
          this.spend(1);
          ok = this.assertion(ins.kind!, pos);
          pc++;
          break;
        case Op.Jmp:
          pc = ins.a;
          break;
        case Op.Mark:
          regs = regs.slice();
          regs[ins.a] = pos;
          pc++;
          break;
        case Op.Check:
          this.spend(1);
          ok = pos !== regs[ins.a];
          pc++;
          break;
        case Op.Look:
          this.spend(1);
          ok = this.lookahead(ins.a, pos) !== (ins.b === 1);
          pc++;
          break;
        case Op.Match:
          return true;
        case Op.Split:
        case Op.Loop: {
          const key = this.memo ? this.key(pc, pos, regs) : 0;
          const known = this.known(key);
          if (known >= 0) {
            this.spend(known);
            ok = false;
            break;
          }
          const at = this.steps;
          if (ins.op === Op.Loop) {
            if (this.loop(ins, pc, pos, regs)) return true;
            if (this.memo) this.remember(key, this.steps - at);
            ok = false;
            break;
          }
          if (this.explore(ins.a, pos, regs)) return true;
          this.spend(1); // backtrack into the second branch
          if (this.memo) {
            (pendingKeys ??= []).push(key);
            (pendingAt ??= []).push(at);
          }
          pc = ins.b;
          break;
        }
      }
      if (!ok) {
        if (pendingKeys) for (let k = 0; k < pendingKeys.length; k++) this.remember(pendingKeys[k]!, this.steps - pendingAt![k]!);
        return false;
      }
    }
  }

  /**
   * A repetition of one character test with `ins.a` optional iterations, counted as the
   * unrolled choices would be: one step per attempt of the character, one per backtrack
   * into a choice's other branch (there is no choice after the last allowed iteration).
   */
  private loop(ins: Instr, pc: number, pos: number, regs: number[]): boolean {
    const most = ins.a;
    const t = this.codes;
    const pred = ins.pred!;
    if (ins.b === 0 && most !== Infinity) {
      let taken = 0;
      while (taken < most) {
        this.spend(1);
        if (pos + taken < t.length && pred(t[pos + taken]!)) taken++;
        else break;
      }
      for (let j = taken; j >= 0; j--) {
        if (j < most) this.spend(1);
        if (this.continueAt(pc + 1, pos + j, regs)) return true;
      }
      return false;
    }
    if (ins.b === 0) {
      // Unbounded: the loop after j iterations is the loop entered at pos + j, one state.
      const attemptAt: number[] = [];
      let taken = 0;
      let last = 0; // iterations whose continuation is still to try
      for (;;) {
        if (taken > 0) {
          const known = this.known(this.key(pc, pos + taken, regs));
          if (known >= 0) {
            this.spend(known);
            last = taken - 1;
            break;
          }
        }
        attemptAt.push(this.steps);
        this.spend(1);
        if (pos + taken < t.length && pred(t[pos + taken]!)) taken++;
        else {
          last = taken;
          break;
        }
      }
      for (let j = last; j >= 0; j--) {
        this.spend(1);
        if (this.continueAt(pc + 1, pos + j, regs)) return true;
        if (this.memo && j > 0) this.remember(this.key(pc, pos + j, regs), this.steps - attemptAt[j]!);
      }
      return false;
    }
    for (let taken = 0; ; taken++) {
      if (this.continueAt(pc + 1, pos + taken, regs)) return true;
      if (taken === most) return false;
      this.spend(2); // backtrack, then one more iteration
      if (!(pos + taken < t.length && pred(t[pos + taken]!))) return false;
    }
  }

  /** What follows a loop, from one of the positions the loop can leave it at. */
  private continueAt(pc: number, pos: number, regs: number[]): boolean {
    if (!this.memo) return this.explore(pc, pos, regs);
    const key = this.key(pc, pos, regs);
    const known = this.known(key);
    if (known >= 0) {
      this.spend(known);
      return false;
    }
    const at = this.steps;
    if (this.explore(pc, pos, regs)) return true;
    this.remember(key, this.steps - at);
    return false;
  }

  private assertion(kind: '^' | '$' | 'b' | 'B', pos: number): boolean {
    const t = this.codes;
    switch (kind) {
      case '^':
        return pos === 0;
      case '$':
        return pos === t.length;
      default: {
        const before = pos > 0 && isWord(t[pos - 1]!);
        const after = pos < t.length && isWord(t[pos]!);
        return (before !== after) === (kind === 'b');
      }
    }
  }

  /** A lookahead's body from `pos`: atomic, so its outcome and cost depend on pos only. */
  private lookahead(entry: number, pos: number): boolean {
    const key = entry * this.width + pos;
    const known = this.memo ? this.looks.get(key) : undefined;
    if (known) {
      this.spend(known.steps);
      return known.matched;
    }
    const at = this.steps;
    const matched = this.explore(entry, pos, new Array<number>(this.program.registers).fill(-1));
    if (this.memo) this.looks.set(key, { matched, steps: this.steps - at });
    return matched;
  }
}
