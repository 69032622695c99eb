import { describe, expect, it } from 'vitest';
import { composeReport, GITHUB_BODY_LIMIT, githubBody, hasMarker, marker, statusLine, truncateBody, utf8Bytes } from '../../src/github/body.js';

describe('report bodies', () => {
  it('maps every contract exit code to what it means for the reader', () => {
    expect(statusLine('plan', 0)).toContain('No changes');
    expect(statusLine('plan', 2)).toContain('Changes planned');
    expect(statusLine('plan', 1)).toContain('Blocked');
    expect(statusLine('apply', 0)).toContain('Applied');
    expect(statusLine('apply', 1)).toContain('failed or was refused');
    expect(statusLine('drift', 0)).toContain('No drift');
    expect(statusLine('drift', 2)).toContain('Drift found');
    expect(statusLine('drift', 1)).toContain('drift check failed');
    expect(statusLine('validate', 0)).toContain('Valid');
    expect(statusLine('validate', 1)).toContain('Invalid (exit 1)');
    expect(statusLine('apply', 2)).toContain('failed or was refused (exit 2)');
    expect(statusLine('history', 2)).toContain('Findings');
    expect(statusLine('history', 1)).toContain('history check failed');
    expect(statusLine('review', 0)).toContain('Access review');
    expect(statusLine('review', 1)).toContain('access review failed');
  });

  it('recognises only a marker on the first line', () => {
    const m = marker('orgshare-plan');
    expect(m).toBe('<!-- orgshare-plan -->');
    expect(hasMarker(`${m}\n### plan`, m)).toBe(true);
    expect(hasMarker(`\n  ${m}\n### plan`, m)).toBe(true);
    expect(hasMarker(`quote: ${m}`, m)).toBe(false);
    expect(hasMarker(null, m)).toBe(false);
    expect(() => marker('--> <script>')).toThrow(/invalid marker name/);
  });

  it('leaves a body that fits untouched', () => {
    const composed = composeReport({ kind: 'plan', exitCode: 0, report: 'No changes.' });
    expect(githubBody(marker('orgshare-plan'), composed, 'see log')).toBe(`<!-- orgshare-plan -->\n${composed}`);
  });

  it('cuts to exactly the limit or less, keeping the note, whatever the input length', () => {
    for (const extra of [1, 2, 3, 50, 10_000]) {
      const text = 'x'.repeat(GITHUB_BODY_LIMIT + extra);
      const out = truncateBody(text, { limit: GITHUB_BODY_LIMIT, note: '> truncated' });
      expect(out.truncated).toBe(true);
      expect(out.text.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
      expect(out.text.length).toBeGreaterThan(GITHUB_BODY_LIMIT - 20);
      expect(out.text.endsWith('> truncated\n')).toBe(true);
    }
  });

  it('never splits an emoji in half', () => {
    const text = '😀'.repeat(100);
    for (let limit = 20; limit < 40; limit++) {
      const out = truncateBody(text, { limit, note: 'n' }).text;
      expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
      expect(out.length).toBeLessThanOrEqual(limit);
    }
  });

  it('measures in UTF-8 bytes for the job summary', () => {
    const text = 'é'.repeat(1000);
    const out = truncateBody(text, { limit: 500, note: 'cut', measure: utf8Bytes });
    expect(utf8Bytes(out.text)).toBeLessThanOrEqual(500);
    expect(utf8Bytes(out.text)).toBeGreaterThan(490);
  });

  it('closes a code fence the cut left open, so the note renders as text', () => {
    const text = ['intro', '```', ...Array.from({ length: 200 }, (_, i) => `line ${i}`), '```', 'outro'].join('\n');
    const out = truncateBody(text, { limit: 300, note: '> truncated' }).text;
    expect((out.match(/^```/gm) ?? []).length).toBe(2);
    expect(out).toMatch(/```\n\n> truncated\n$/);
  });
});
