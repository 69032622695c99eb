/**
 * parseSource refuses what would make a reviewer and orgshare read a file differently,
 * whichever parser (fast-yaml.ts or the `yaml` package path) would have taken the file:
 * raw control characters, a `%YAML` version other than 1.2, and integers not written as
 * plain decimal digits.
 */
import { describe, expect, it } from 'vitest';
import { fastParse } from '../../src/config/fast-yaml.js';
import { parseSource } from '../../src/config/source.js';

const parse = (text: string) => parseSource(Buffer.from(text, 'utf8'), 'orgs/x.yaml');
const codes = async (text: string) => {
  const r = await parse(text);
  return r.ok ? [] : r.problems.map((p) => `${p.line}:${p.col} ${p.code}`);
};

describe('control characters', () => {
  it.each([
    ['a NUL in a comment', 'a: 1\n# x\u0000\n', '2:4'],
    ['an ESC in a plain value', 'a: b\u001b[2Kc\n', '1:5'],
    ['a DEL', 'a: b\u007f\n', '1:5'],
    ['a C1 control (NEL)', 'a: 1\nb: 2\u0085\n', '2:5'],
    ['a form feed', '\u000ca: 1\n', '1:1'],
    ['a control after CRLF lines', 'a: 1\r\nb: 2\r\nc: \u0007\r\n', '3:4'],
  ])('refuses %s at its line and column', async (_label, text, pos) => {
    expect(await codes(text)).toEqual([`${pos} control_character`]);
  });

  it('names the first one and counts the others', async () => {
    const r = await parse('a: "\u001b[1A"\n# \u001b[2K \u0000\n');
    expect(r).toMatchObject({ ok: false, problems: [{ code: 'control_character', check: 'schema', message: expect.stringContaining('U+001B (ESC) and 2 more') }] });
  });

  it('accepts tab, line feed, carriage return and a leading byte-order mark, and YAML escapes', async () => {
    for (const text of ['a: 1\r\n', 'a: "x\ty"\n', '\ufeffa: 1\n', 'a: "x\\e[2K\\0"\n', 'a: 1\rb: 2\n']) {
      expect((await codes(text)).filter((c) => c.endsWith('control_character')), JSON.stringify(text)).toEqual([]);
    }
  });
});

describe('%YAML directives', () => {
  it.each(['%YAML 1.1', '%YAML 1.1 # comment', '%YAML 1.3', '%YAML 2.0', '%YAML', '%YAML\t1.0'])('refuses %s on its line', async (directive) => {
    expect(await codes(`# header\n${directive}\n---\na: y\n`)).toEqual(['2:1 yaml_version']);
  });

  it('accepts an explicit %YAML 1.2, and a "%YAML" that is only text inside the document', async () => {
    expect(await parse('%YAML 1.2\n---\na: y\n')).toMatchObject({ ok: true, value: { a: 'y' } });
    expect(await parse('a: "%YAML 1.1"\n')).toMatchObject({ ok: true, value: { a: '%YAML 1.1' } });
  });

  it('the fast parser declines any directive, so the yaml path always sees it', () => {
    for (const text of ['%YAML 1.1\n---\na: 1\n', '%YAML 1.2\n---\na: 1\n', '%TAG ! tag:x,2000:\n---\na: 1\n']) {
      expect(fastParse(text), text).toBeNull();
    }
  });
});

describe('integers are written as plain decimal digits', () => {
  it.each([
    ['360000000100.99999999', '360000000101'],
    ['360000000101.0', '360000000101'],
    ['3.60000000101e11', '360000000101'],
    ['0x16062', '90210'],
    ['0o260142', '90210'],
    ['+90210', '90210'],
    ['090210', '90210'],
    ['1_000', null], // YAML 1.2 reads this as text: left to the schema
    ['90210.5', null], // not an integer: the schema says "must be an integer"
    ['.inf', null],
  ])('%s', async (spelling, readAs) => {
    // Declined by the fast path (only plain digits are its integers) …
    expect(fastParse(`id: ${spelling}\n`)).toBeNull();
    // … and refused, with the text as written, by the yaml path.
    const r = await parse(`organization:\n  id: ${spelling}\n`);
    if (readAs === null) {
      expect(r.ok).toBe(true);
      return;
    }
    expect(r).toMatchObject({
      ok: false,
      problems: [
        {
          line: 2,
          col: 7,
          code: 'integer_format',
          message: `\`organization.id\` is written as \`${spelling}\`, which YAML reads as the integer ${readAs}: write whole numbers as plain decimal digits`,
          value: spelling,
        },
      ],
    });
  });

  it('accepts plain digits on both paths (a sign is left to the schema range check)', async () => {
    expect(await parse('id: 360000000101\n')).toMatchObject({ ok: true, value: { id: 360000000101 } });
    expect(await parse('ids: [1, 2]\nid: -0\nn: -5\n')).toMatchObject({ ok: true, value: { ids: [1, 2], id: -0, n: -5 } });
  });
});
