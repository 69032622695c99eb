/**
 * Text comparison used for evidence (risk message, approval quote, confirmation comment):
 * case-, whitespace- and quote-insensitive. Curly quotes become straight ones, runs of
 * whitespace (including non-breaking spaces and newlines) become one space, and the result
 * is lowercased. Comment bodies are plain text; HTML is not expected and not stripped.
 */
export function normalizeText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[\u2018\u2019\u201A\u201B]/g, "'")
    .replace(/[\u201C\u201D\u201E\u201F]/g, '"')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** True when `needle` occurs in `haystack` under `normalizeText`. An empty needle never matches. */
export function containsNormalized(haystack: string, needle: string): boolean {
  const n = normalizeText(needle);
  return n.length > 0 && normalizeText(haystack).includes(n);
}

/** Shortens text for a message: first `max` characters on one line, with an ellipsis. */
export function excerpt(text: string, max = 80): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}
