/**
 * Deny patterns run over text read from Zendesk, so a pattern that backtracks
 * catastrophically stalls `plan`. The static check (src/config/regex-safety.ts) refuses
 * the dangerous shapes, and what it accepts is shown to run fast on adversarial lines as
 * long as a note window (DENY_TEXT_WINDOW), under a time bound.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unsafePatternReason } from '../../src/config/policy.js';
import { MAX_REPETITIONS, regexRisk } from '../../src/config/regex-safety.js';
import { DEFAULT_DENY_PATTERNS, DENY_TEXT_WINDOW } from '../../src/model/policy.js';
import { compileDenyPatterns, findDenyNotes } from '../../src/policy/restrictions.js';

/** A bound far above what an accepted pattern takes on one window, far below a stall. */
const PER_RUN_MS = 500;

/** Lines of one window that make patterns over these characters backtrack the most. */
function adversarialLines(pattern: string): string[] {
  const units = ['a', 'x', ' ', 'a ', 'ax', 'ab ', '.', 'aa.', '1'];
  // Every letter the pattern spells is a candidate run too.
  for (const ch of new Set(pattern.replace(/\\./g, '').match(/[a-z0-9 ]/gi) ?? [])) units.push(ch);
  return units.flatMap((u) => {
    const run = u.repeat(Math.ceil(DENY_TEXT_WINDOW / u.length)).slice(0, DENY_TEXT_WINDOW);
    return [run, `${run.slice(0, -1)}!`, `${run.slice(0, -1)}\u0000`];
  });
}

function slowestRunMs(pattern: string): number {
  const re = new RegExp(pattern, 'i');
  let worst = 0;
  for (const line of adversarialLines(pattern)) {
    const started = performance.now();
    re.test(line);
    worst = Math.max(worst, performance.now() - started);
  }
  return worst;
}

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

  it('the built-in patterns and the accepted examples run fast on adversarial lines', () => {
    for (const p of [...DEFAULT_DENY_PATTERNS, '[^.\\n]*\\bshar', '.{0,40}x.{0,40}y', '\\w{1,40}\\S{1,40}!']) {
      expect(regexRisk(p), p).toBeNull();
      expect(slowestRunMs(p), p).toBeLessThan(PER_RUN_MS);
    }
  });

  it('every generated pattern it accepts runs within the bound on one window (property)', () => {
    const atoms = ['a', 'x', ' ', '\\s', '\\w', '\\S', '.', '[^.\\n]', '[a-z]', '\\b', '(?:a|x)', '(?:a|aa)', '(?:ax|a)', '(a)', '(?:a )'];
    const quantifiers = ['', '', '*', '+', '?', '{0,40}', '{1,100}', '{2}', '{0,1000}'];
    const pattern = fc
      .array(fc.tuple(fc.constantFrom(...atoms), fc.constantFrom(...quantifiers)), { minLength: 1, maxLength: 8 })
      .map((terms) => `${terms.map(([a, q]) => (a === '\\b' ? a : a + q)).join('')}!`);
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(pattern, (p) => {
        try {
          new RegExp(p, 'i');
        } catch {
          return;
        }
        if (regexRisk(p)) {
          refused++;
          return;
        }
        accepted++;
        expect(slowestRunMs(p), p).toBeLessThan(PER_RUN_MS);
      }),
      { numRuns: 400, seed: 4821 },
    );
    // The property is only worth something if both sides are exercised.
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(50);
  });
});

describe('deny notes are checked in windows, so text length cannot multiply the work', () => {
  it('a deny sentence deep inside a 100,000-character line is found; the line is scanned in bounded time', () => {
    // An accepted pattern near the cost limit, on the line it is worst on.
    const heavy = compileDenyPatterns(['.{0,40}x.{0,40}=']);
    const started = performance.now();
    expect(findDenyNotes({ notes: 'x'.repeat(100_000), details: null }, heavy)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(5_000);
    // Windows overlap, so a sentence across a window boundary is still seen whole.
    const matcher = compileDenyPatterns(DEFAULT_DENY_PATTERNS);
    const sentence = 'Legal: we will not enable a shared organization.';
    for (const at of [0, 799, 800, 980, 999, 50_000, 99_990]) {
      const line = `${'a'.repeat(at)}${sentence}${'a'.repeat(100_000 - at)}`;
      expect(findDenyNotes({ notes: line, details: null }, matcher), `at ${at}`).toHaveLength(1);
    }
  });
});
