/**
 * Which sharing type a requester's words name (docs/prechecks.md, "confirmed_type"): the
 * account's `type_words` (orgshare.config.yaml; defaults in model/policy.ts) looked up in
 * a quote under `normalizeText`, on word boundaries, so "Read only please" names read_only
 * and "read-only" or "READ  ONLY" do too, while "bread onlyx" names nothing.
 */
import type { TypeWords } from '../model/policy.js';
import type { Sharing } from '../model/sharing.js';
import { normalizeText } from '../records/normalize.js';

export type SharedType = keyof TypeWords;
export const SHARED_TYPES: readonly SharedType[] = ['read_only', 'read_write'];

const WORD_CHAR = /[\p{L}\p{N}]/u;

/** True when `word` occurs in `text` (both normalized) not inside a longer word. */
function hasWord(text: string, word: string): boolean {
  if (word === '') return false;
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
    const before = text[at - 1];
    const after = text[at + word.length];
    const startsWord = !WORD_CHAR.test(word[0]!) || before === undefined || !WORD_CHAR.test(before);
    const endsWord = !WORD_CHAR.test(word[word.length - 1]!) || after === undefined || !WORD_CHAR.test(after);
    if (startsWord && endsWord) return true;
  }
  return false;
}

/** The types a quote names, in SHARED_TYPES order (none, one, or both). */
export function typesNamed(quote: string, words: TypeWords): SharedType[] {
  const text = normalizeText(quote);
  return SHARED_TYPES.filter((t) => words[t].some((w) => hasWord(text, normalizeText(w))));
}

/** `read_only: "read only", "read-only", "view only"`, for hints. */
export function describeTypeWords(words: TypeWords, only?: Sharing): string {
  return SHARED_TYPES.filter((t) => only === undefined || only === t)
    .map((t) => `${t}: ${words[t].map((w) => `"${w}"`).join(', ')}`)
    .join('; ');
}

/**
 * A word of one type that contains a word of the other ("read" for read_only next to
 * "read/write") would make every quote of the second type name both: such a policy is
 * refused when the config is loaded. Returns the first clash, or null.
 */
export function typeWordClash(words: TypeWords): { word: string; type: SharedType; inside: string; insideType: SharedType } | null {
  for (const type of SHARED_TYPES) {
    for (const other of SHARED_TYPES) {
      if (other === type) continue;
      for (const w of words[type]) {
        for (const o of words[other]) {
          if (hasWord(normalizeText(o), normalizeText(w))) return { word: w, type, inside: o, insideType: other };
        }
      }
    }
  }
  return null;
}
