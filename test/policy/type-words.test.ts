/**
 * Which words name which sharing type (docs/prechecks.md, "confirmed_type"): the default
 * words, word boundaries, and the config rules that keep a policy unambiguous.
 */
import { describe, expect, it } from 'vitest';
import { policyFromConfig } from '../../src/config/policy.js';
import { DEFAULT_TYPE_WORDS } from '../../src/model/policy.js';
import { typesNamed, typeWordClash } from '../../src/policy/type-words.js';

describe('typesNamed (default type words)', () => {
  const cases: [string, string[]][] = [
    ['Read only please', ['read_only']],
    ['READ-ONLY', ['read_only']],
    ['“view   only”, thanks', ['read_only']],
    ['Read+write please', ['read_write']],
    ['read/write', ['read_write']],
    ['Everyone should see and comment', ['read_write']],
    ['read and write', ['read_write']],
    ['Read only, or read and write', ['read_only', 'read_write']],
    ['we accept the security risk', []],
    ['bread only', []],
    ['read onlyish', []],
  ];
  for (const [quote, types] of cases) {
    it(`${JSON.stringify(quote)} names ${types.join(' and ') || 'no type'}`, () => {
      expect(typesNamed(quote, DEFAULT_TYPE_WORDS)).toEqual(types);
    });
  }

  it('the defaults do not clash', () => {
    expect(typeWordClash(DEFAULT_TYPE_WORDS)).toBeNull();
  });
});

describe('type_words in orgshare.config.yaml', () => {
  it('a list replaces the defaults of its type only', () => {
    const { policy, problems } = policyFromConfig({ type_words: { read_only: ['nur lesen'] } }, null, {});
    expect(problems).toEqual([]);
    expect(policy.typeWords.read_only).toEqual(['nur lesen']);
    expect(policy.typeWords.read_write).toEqual(DEFAULT_TYPE_WORDS.read_write);
  });

  it('a word of one type inside a word of the other is refused', () => {
    const { policy, problems } = policyFromConfig({ type_words: { read_only: ['read'] } }, null, {});
    expect(problems.map((p) => [p.check, p.code])).toEqual([['confirmed_type', 'type_word_clash']]);
    expect(problems[0]!.message).toMatch(/"read" \(read_only\) is part of "read\+write" \(read_write\)/);
    expect(policy.typeWords).toEqual(DEFAULT_TYPE_WORDS);
  });

  it('a blank word is refused', () => {
    const { problems } = policyFromConfig({ type_words: { read_write: ['  \u00a0 '] } }, null, {});
    expect(problems.map((p) => p.code)).toEqual(['empty_type_word']);
  });
});
