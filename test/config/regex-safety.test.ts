/**
 * Deny patterns run over text read from Zendesk, so a pattern that backtracks
 * catastrophically stalls `plan`. The static check (src/config/regex-safety.ts) refuses
 * the dangerous shapes; what it accepts is shown to do bounded WORK on adversarial lines
 * as long as a note window (DENY_TEXT_WINDOW): the steps of a model backtracking engine
 * (./backtrack-model.ts, itself checked against V8) stay within
 * K × DENY_TEXT_WINDOW × the analysis' cost estimate, and the classic catastrophic patterns
 * it refuses go past that bound. How long V8 takes is measured in bench/regex-safety.ts,
 * never asserted here.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unsafePatternReason } from '../../src/config/policy.js';
import { MAX_COST, MAX_REPETITIONS, regexCost, regexRisk } from '../../src/config/regex-safety.js';
import { DEFAULT_DENY_PATTERNS, DENY_TEXT_OVERLAP, DENY_TEXT_WINDOW } from '../../src/model/policy.js';
import { compileDenyPatterns, findDenyNotes, type DenyScanWork } from '../../src/policy/restrictions.js';
import { adversarialLines, generatedDenyPattern, runModel, WORK_FACTOR } from './backtrack-model.js';

/** The work bound of an accepted pattern on one window: K × window × cost estimate. */
function workBound(cost: number): number {
  return WORK_FACTOR * DENY_TEXT_WINDOW * cost;
}

/** The most model steps `pattern` takes on one of its adversarial lines (cap + 1 when it hit the cap). */
function worstSteps(pattern: string, cap: number): { steps: number; line: string } {
  let worst = { steps: 0, line: '' };
  for (const line of adversarialLines(pattern)) {
    const run = runModel(pattern, line, { cap });
    if (run.steps > worst.steps) worst = { steps: run.steps, line };
    if (run.aborted) break;
  }
  return worst;
}

/** Generated patterns in the work-bound property. */
const NUM_RUNS = 250;

describe('deny pattern safety: what is refused', () => {
  it.each([
    // Nested repetition: exponential.
    ['(a+)+$', 'repeats a group'],
    ['(a|aa)+$', 'repeats a group'],
    ['(?:(?<x>\\w+)\\s?)*$', 'repeats a group'],
    // A bounded repeat of a quantified group: (a{1,100}){1,100} (hostile config fixture).
    ['(a{1,100}){1,100}$', 'repeats a group'],
    ['(?:a?){20}a{20}', 'repeats a group'],
    // Repetitions that can trade the same characters: polynomial with a high degree.
    ['.*.*.*.*.*.*.*.*.*.*.*.*=', `at most ${MAX_REPETITIONS}`],
    ['.*.*=', 'match the same text'],
    ['a*a*a*!', 'match the same text'],
    ['\\s*\\s*!', 'match the same text'],
    ['legal.*hold.*shar', 'match the same text'],
    ['[a-z]+[^.\\n]\\w{2}.{1,100}!', 'match the same text'],
    ['.{0,100}x.{0,100}x.{0,100}y', 'match the same text'],
    ['\\u4e01*[\\u4e00-\\u4e05]*!', 'match the same text'],
    // Alternatives that all start alike, multiplied.
    ['(a|a)(a|a)(a|a)(a|a)(a|a)(a|a)(a|a)(a|a)(a|a)(a|a).*', 'alternatives'],
    // Constructs a deny sentence never needs.
    ['(a)\\1', 'backreference'],
    ['(?<x>a)\\k<x>', 'backreference'],
    ['(?<=legal )hold', 'lookbehind'],
    ['(?<!not )shared', 'lookbehind'],
    ['a{1,5000}', 'counted repetitions above 1000'],
  ])('%s: %s', (pattern, why) => {
    expect(unsafePatternReason(pattern)).toMatchObject({ code: 'unsafe_regex', message: expect.stringContaining(why) });
  });
});

describe('deny pattern safety: what is accepted', () => {
  it('accepts the built-in patterns and plain phrase detectors', () => {
    for (const p of [
      ...DEFAULT_DENY_PATTERNS,
      '\\blegal hold\\b',
      '\\bno\\s+sharing\\b',
      '\\bnever\\s+share\\b[^.\\n]*\\bticket',
      '(?:cat|dog)s?\\s+\\w+',
      '\\w+\\s\\w+!',
      '[a-z]+[0-9]+',
      '.{0,40}x.{0,40}y',
      '(ab){3}',
      '(?=.*legal).*hold',
      'not (?:be )?(?:enabled|shared)',
    ]) {
      expect(regexRisk(p), p).toBeNull();
    }
  });

  it('the built-in patterns and the accepted examples stay within the work bound on adversarial lines', () => {
    for (const p of [...DEFAULT_DENY_PATTERNS, '[^.\\n]*\\bshar', '.{0,40}x.{0,40}y', '\\w{1,40}\\S{1,40}!', '(?=.*legal).*hold']) {
      const cost = regexCost(p);
      expect(cost, p).not.toBeNull();
      const worst = worstSteps(p, workBound(cost!));
      expect(worst.steps, `${p} on ${JSON.stringify(worst.line.slice(0, 12))}…`).toBeLessThanOrEqual(workBound(cost!));
    }
  });

  it('every generated pattern it accepts stays within the work bound on every adversarial line of one window (property)', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(generatedDenyPattern(), (p) => {
        try {
          new RegExp(p, 'i');
        } catch {
          return;
        }
        const cost = regexCost(p);
        if (cost === null) {
          refused++;
          return;
        }
        accepted++;
        expect(cost, p).toBeLessThanOrEqual(MAX_COST);
        const worst = worstSteps(p, workBound(cost));
        expect(worst.steps, `${p} (cost ${cost}) on ${JSON.stringify(worst.line.slice(0, 12))}…`).toBeLessThanOrEqual(workBound(cost));
      }),
      { numRuns: NUM_RUNS, seed: 4821 },
    );
    // The property is only worth something if both sides are exercised.
    expect(accepted).toBeGreaterThan(NUM_RUNS / 4);
    expect(refused).toBeGreaterThan(NUM_RUNS / 8);
  });
});

describe('deny pattern safety: the work bound separates what is refused', () => {
  // The most any accepted pattern may do on one window: its cost estimate is at most
  // MAX_COST. Each classic catastrophic pattern goes past it on some adversarial line (the
  // model stops counting there). Not listed: refused patterns these lines do not provoke
  // (`legal.*hold.*shar` needs the words, `(?:a?){20}a{20}` and `(a|a)…(a|a).*` match at
  // once on a run of "a"), and `[a-z]+[^.\n]\w{2}.{1,100}!`, refused with a margin: about
  // 1.4e8 steps (a window squared times 100), under the ceiling of 2e8.
  const ceiling = workBound(MAX_COST);
  it.each([
    '(a+)+$',
    '(a|aa)+$',
    '(?:(?<x>\\w+)\\s?)*$',
    '(a{1,100}){1,100}$',
    '.*.*.*.*.*.*.*.*.*.*.*.*=',
    '.*.*=',
    'a*a*a*!',
    '\\s*\\s*!',
    '.{0,100}x.{0,100}x.{0,100}y',
  ])('%s', (p) => {
    expect(regexRisk(p), p).not.toBeNull();
    expect(worstSteps(p, ceiling).steps).toBeGreaterThan(ceiling);
  });
});

describe('the model engine agrees with V8', () => {
  const alphabet = ['a', 'x', 'A', 'X', 'b', ' ', '!', '.', '1', '_', '\n', '\u00e9', '\u00c9', '\u00a0', '\u212a', 'k'];
  const input = fc.array(fc.constantFrom(...alphabet), { maxLength: 10 }).map((cs) => cs.join(''));
  const atom = fc.constantFrom('a', 'x', 'A', ' ', '!', 'k', '.', '\\.', '\\s', '\\S', '\\w', '\\W', '\\d', '[^.\\n]', '[a-z]', '[^a]', '[x-z!]', '[\\w.]', '\\u00e9', '\\x41');
  const assertion = fc.constantFrom('\\b', '\\B', '^', '$');
  const quantifier = fc.constantFrom('', '', '', '*', '+', '?', '{0,2}', '{1,3}', '{2}', '{2,}', '*?', '+?', '??', '{0,3}?');
  const { alternation } = fc.letrec<{ alternation: string; sequence: string; term: string }>((tie) => ({
    alternation: fc.array(tie('sequence'), { minLength: 1, maxLength: 3 }).map((alts) => alts.join('|')),
    sequence: fc.array(tie('term'), { maxLength: 4 }).map((terms) => terms.join('')),
    term: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.tuple(atom, quantifier).map(([a, q]) => a + q),
      assertion,
      fc.tuple(fc.constantFrom('(?:', '(', '(?<n>'), tie('alternation'), quantifier).map(([open, body, q]) => `${open}${body})${q}`),
      fc.tuple(fc.constantFrom('(?=', '(?!'), tie('alternation')).map(([open, body]) => `${open}${body})`),
    ),
  }));
  const pattern = alternation.filter((p) => {
    if ((p.match(/\(\?<n>/g) ?? []).length > 1) return false;
    try {
      new RegExp(p, 'i');
      return true;
    } catch {
      return false;
    }
  });

  it('finds a match exactly where V8 does, and the memo and loops change no count (property)', () => {
    let matched = 0;
    let missed = 0;
    fc.assert(
      fc.property(pattern, fc.array(input, { minLength: 1, maxLength: 6 }), (p, texts) => {
        const re = new RegExp(p, 'i');
        for (const text of texts) {
          const run = runModel(p, text, { cap: 1e6 });
          expect(run.aborted, p).toBe(false);
          expect(run.matched, `/${p}/i on ${JSON.stringify(text)}`).toBe(re.test(text));
          if (run.matched) matched++;
          else missed++;
          const plain = runModel(p, text, { cap: 1e6, memo: false, loops: false });
          expect(plain, `/${p}/i on ${JSON.stringify(text)}, plainly`).toEqual(run);
        }
      }),
      { numRuns: 300, seed: 1307 },
    );
    expect(matched).toBeGreaterThan(100);
    expect(missed).toBeGreaterThan(100);
  });

  it('finds the built-in deny sentences like V8, on a window of adversarial text too', () => {
    const texts = [
      'Legal: we will not enable a shared organization.',
      'We WON’T be enabled; sharing later.',
      'do not share',
      'We can’t turn on shared orgs',
      'never allow it, no matter how often they ask to share',
      'no shared org, please',
      'we will be enabled soon for sharing',
      ...adversarialLines(DEFAULT_DENY_PATTERNS.join('')),
    ];
    for (const p of DEFAULT_DENY_PATTERNS) {
      for (const text of texts) expect(runModel(p, text).matched, `${p} on ${text.slice(0, 40)}`).toBe(new RegExp(p, 'i').test(text));
    }
  });
});

describe('deny notes are checked in windows, so text length cannot multiply the work', () => {
  it('the scan of a line is bounded work; a deny sentence deep inside a 100,000-character line is found', () => {
    // An accepted pattern near the cost limit, on the line it is worst on.
    const pattern = '.{0,40}x.{0,40}=';
    const cost = regexCost(pattern)!;
    expect(cost).toBeGreaterThan(1000);
    const heavy = compileDenyPatterns([pattern]);
    const length = 30_000;
    const work: DenyScanWork = { executions: 0, chars: 0, longest: 0 };
    expect(findDenyNotes({ notes: 'x'.repeat(length), details: null }, heavy, work)).toEqual([]);
    // No execution sees more than a window; the windows step by window − overlap, so the
    // line is covered once plus the overlaps.
    const step = DENY_TEXT_WINDOW - DENY_TEXT_OVERLAP;
    const windows = Math.ceil((length - DENY_TEXT_WINDOW) / step) + 1;
    expect(work.longest).toBe(DENY_TEXT_WINDOW);
    expect(work.executions).toBe(windows);
    expect(work.chars).toBeLessThanOrEqual(windows * DENY_TEXT_WINDOW);
    expect(work.chars).toBeLessThanOrEqual(length * (DENY_TEXT_WINDOW / step) + DENY_TEXT_WINDOW);
    // Each execution is one window of that line, within the pattern's work bound, so the
    // whole scan is at most executions × bound: linear in the length of the line.
    const perWindow = runModel(pattern, 'x'.repeat(work.longest));
    expect(perWindow.matched).toBe(false);
    expect(perWindow.steps).toBeLessThanOrEqual(workBound(cost));
    expect(work.executions * perWindow.steps).toBeLessThanOrEqual(Math.ceil(length / step) * workBound(cost));

    // Windows overlap, so a sentence across a window boundary is still seen whole.
    const matcher = compileDenyPatterns(DEFAULT_DENY_PATTERNS);
    const sentence = 'Legal: we will not enable a shared organization.';
    for (const at of [0, 799, 800, 980, 999, 50_000, 99_990]) {
      const line = `${'a'.repeat(at)}${sentence}${'a'.repeat(100_000 - at)}`;
      expect(findDenyNotes({ notes: line, details: null }, matcher), `at ${at}`).toHaveLength(1);
    }
  });
});
