/**
 * Problem messages quote what files hold (keys, values, file names): the Markdown form is
 * posted as a pull-request comment and the text form goes to terminals and CI logs, so
 * both must render hostile text inert.
 */
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../src/errors.js';
import { codeSpan, inlineMarkdown, renderProblems } from '../../src/render/problems.js';

const problem = (over: Partial<Problem> = {}): Problem => ({
  file: 'orgs/a.yaml',
  line: 3,
  col: 5,
  check: 'schema',
  code: 'unknown_key',
  message: 'unknown key `x`',
  ...over,
});

describe('Markdown problems (pull-request comments)', () => {
  it('keeps an ordinary problem readable', () => {
    const md = renderProblems([problem({ message: 'sharing read_only needs request.risk_approval', hint: 'see orgs/README.md' })], 'markdown');
    expect(md).toBe(
      '**✗ 1 problem in 1 file**\n\n- `orgs/a.yaml:3:5` **schema/unknown_key**: sharing read_only needs request.risk_approval<br>_hint: see orgs/README.md_\n',
    );
  });

  it.each([
    ['an image', '![x](https://evil.example/p.png)', '\\!\\[x\\](https://evil.example/p.png)'],
    ['a link', '[Approve](https://evil.example)', '\\[Approve\\](https://evil.example)'],
    ['HTML', '<img src=x onerror=alert(1)><details open>', '&lt;img src=x onerror=alert(1)&gt;&lt;details open&gt;'],
    ['an entity', '&lt;b&gt;', '&amp;lt;b&amp;gt;'],
    ['a team mention', 'ping @acme/support-ops', 'ping @\u200Bacme/support-ops'],
    ['a code span escape', 'a`b``c', 'a\\`b\\`\\`c'],
    ['emphasis and strikethrough', '*bold* _it_ ~~gone~~', '\\*bold\\* \\_it\\_ \\~\\~gone\\~\\~'],
    ['math and footnotes', '$x$ [^1]', '\\$x\\$ \\[\\^1\\]'],
    ['a table pipe and a backslash', 'a|b\\', 'a\\|b\\\\'],
    ['a line break', 'one\ntwo\r\nthree', 'one two three'],
    ['a control character', 'k\u001b[2K', 'k\\\\x1b\\[2K'],
  ])('escapes %s', (_label, text, want) => {
    expect(inlineMarkdown(text)).toBe(want);
  });

  it('leaves an underscore between letters alone (it can neither open nor close emphasis)', () => {
    expect(inlineMarkdown('read_only user_access _x_')).toBe('read_only user_access \\_x\\_');
  });

  it.each([
    ['orgs/a.yaml:1:1', '`orgs/a.yaml:1:1`'],
    ['orgs/a`b.yaml', '``orgs/a`b.yaml``'],
    ['orgs/a```b.yaml', '````orgs/a```b.yaml````'],
    ['`start', '`` `start ``'],
    ['end`', '`` end` ``'],
    ['a\nb', '`a b`'],
  ])('puts %j in a code span no backtick run inside can close', (text, want) => {
    expect(codeSpan(text)).toBe(want);
  });
});

describe('text problems (terminals, CI logs)', () => {
  it('shows control characters escaped and keeps one problem on one line', () => {
    const text = renderProblems([problem({ file: 'orgs/\u001b]0;x\u0007.yaml', message: 'unknown key `k\u001b[2K\u001b[1A`\nsecond line', hint: 'h\u009bint' })], 'text');
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(text).toBe(
      'orgs/\\x1b]0;x\\x07.yaml:3:5: error [schema/unknown_key] unknown key `k\\x1b[2K\\x1b[1A` second line\n    hint: h\\x9bint\n\n✗ 1 problem in 1 file\n',
    );
  });

  it('JSON keeps the text as it is (JSON escapes control characters itself)', () => {
    const json = renderProblems([problem({ message: 'k\u001b' })], 'json');
    expect(json).toContain('"message": "k\\u001b"');
    expect(JSON.parse(json).problems[0].message).toBe('k\u001b');
  });
});
