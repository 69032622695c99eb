/**
 * The fast path must never disagree with the `yaml` package: for any text, fastParse
 * either declines (null) or returns exactly the value and positions of parseWithYaml.
 * Checked on every fixture and example, then differentially on generated documents in
 * and around the subset, and on random mutations of them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastParse } from '../../src/config/fast-yaml.js';
import { parseWithYaml } from '../../src/config/yaml-path.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function expectSameAsYaml(text: string): 'fast' | 'declined' {
  const fast = fastParse(text);
  if (fast === null) return 'declined';
  const slow = parseWithYaml(text, 'x.yaml');
  if (!slow.ok) {
    throw new Error(`fast path accepted what yaml rejects (${slow.problems.map((p) => p.code).join(', ')}):\n${text}`);
  }
  expect(fast.value, text).toStrictEqual(slow.value);
  expect(Object.fromEntries(fast.positions.values), text).toStrictEqual(Object.fromEntries(slow.positions.values));
  expect(Object.fromEntries(fast.positions.keys), text).toStrictEqual(Object.fromEntries(slow.positions.keys));
  return 'fast';
}

function yamlFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(dir, f));
}

describe('fast YAML path', () => {
  it('takes every example organization file, with the same result as yaml', () => {
    const files = yamlFilesIn(join(root, 'orgs'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) expect(expectSameAsYaml(readFileSync(f, 'utf8')), f).toBe('fast');
  });

  it('agrees with yaml (or declines) on every fixture', () => {
    const files = [...yamlFilesIn(join(root, 'test/fixtures/valid/orgs')), ...yamlFilesIn(join(root, 'test/fixtures/invalid'))];
    expect(files.length).toBeGreaterThan(30);
    for (const f of files) expectSameAsYaml(readFileSync(f, 'utf8'));
  });

  it('declines every construct outside its subset', () => {
    const declined = [
      'a: 1\n\tb: 2\n', // tab
      'a: 1\r\nb: 2\r\n', // CRLF
      '---\na: 1\n', // document marker
      'a: &x 1\nb: *x\n', // anchor and alias
      'a: !!str 1\n', // tag
      'a: |\n  text\n', // block scalar
      '"a": 1\n', // quoted key
      'a: "x\\ny"\n', // escape
      "a: 'it''s'\n", // quote escape
      'a: one\n  two\n', // multi-line plain scalar
      'a:\nb: 1\n', // empty value
      'a: 1\na: 2\n', // duplicate key
      '__proto__: 1\n', // reserved key
      'constructor: 1\n',
      'true: 1\n', // non-string key
      'a: 1.5\n', // float
      'a: 0x1F\n', // hex
      'a: 007\n', // leading zero
      'a: ~\n', // null
      'a: True\n', // other boolean spelling
      'a: [b, [c]]\n', // nested flow
      'a: {b: 1}\n', // flow mapping
      'a: b: c\n', // nested compact mapping
      'a: b:\n', // trailing colon
      'a: -1\n', // sign
      '- a\n', // root sequence
      '  a: 1\n', // indented root
      'a: 😀\n', // astral character
      'a:\n- - b\n', // nested compact sequence
      'a:\n  b: 1\n c: 2\n', // bad indentation
    ];
    for (const text of declined) expect(fastParse(text), JSON.stringify(text)).toBeNull();
  });

  it('agrees with yaml on generated documents and their mutations', () => {
    // Mostly tokens inside the subset, so the fast path is exercised, plus every kind of
    // token it must decline or resolve exactly like yaml.
    const token = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.constantFrom(
          'plain', 'two words', 'Acme Corp', 'jane@acme.example', 'https://acme.zendesk.com/agent/tickets/4821',
          'a:b', 'a#b', 'x,y', '0', '7', '360000000101', 'true', 'false', 'yes', 'no', '""', "''", '"quoted"',
          "'single'", '"with #hash"', '"a: b"', 'Ärger GmbH', '(paren)', '/path', '[]', '[a, b]', '[ a ]', '[a,b]',
          '[a, 1]', '[jane@acme.example]', 'a #comment', '"x" # c',
        ),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '9007199254740993', '007', '1.5', '1e3', '0x1F', 'True', 'FALSE', 'null', 'Null', '~', 'on', '"esc\\"aped"',
          "'it''s'", '"unclosed', 'naïve', '.dot', '-dash', '@at', '*star', '&amp', '!bang', '|pipe', '>gt', '%pct',
          '`tick`', 'trailing   ', 'a\u00a0b', '\u00a0lead', '[a,]', '[a b]', '{}', '{a: 1}', '"x"y', 'a: b', 'a:',
        ),
      },
    );
    const key = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('a', 'b', 'name', 'id', 'user_access', 'x_1', '_u', 'A') },
      { weight: 1, arbitrary: fc.constantFrom('true', 'null', '__proto__', 'a b', 'a-b', '"q"', '1') },
    );
    type Tree = { kind: 'leaf'; token: string } | { kind: 'map'; entries: [string, Tree][] } | { kind: 'seq'; items: Tree[] };
    const tree = fc.letrec<{ node: Tree; map: Tree }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.record({ kind: fc.constant('leaf' as const), token }),
        tie('map'),
        fc.record({ kind: fc.constant('seq' as const), items: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
      ),
      map: fc.record({
        kind: fc.constant('map' as const),
        entries: fc.array(fc.tuple(key, tie('node')), { minLength: 1, maxLength: 4 }),
      }),
    })).map;
    const style = fc.record({
      step: fc.constantFrom(1, 2, 4),
      seqIndent: fc.boolean(),
      dashSpaces: fc.constantFrom(1, 1, 3),
      comments: fc.boolean(),
      blankLines: fc.boolean(),
    });
    type Style = { step: number; seqIndent: boolean; dashSpaces: number; comments: boolean; blankLines: boolean };

    function render(t: Tree, s: Style): string {
      const out: string[] = [];
      const trail = (i: number) => (s.comments && i % 3 === 0 ? '  # note' : '');
      const block = (node: Tree, ind: number, first?: string): void => {
        const pad = ' '.repeat(ind);
        if (node.kind === 'map') {
          node.entries.forEach(([k, v], i) => {
            const lead = i === 0 && first !== undefined ? first : pad;
            if (s.blankLines && i === 1) out.push('');
            if (s.comments && i === 2) out.push(`${pad}# comment line`);
            if (v.kind === 'leaf') out.push(`${lead}${k}: ${v.token}${trail(i)}`);
            else {
              out.push(`${lead}${k}:${trail(i + 1)}`);
              block(v, v.kind === 'seq' && !s.seqIndent ? ind : ind + s.step);
            }
          });
        } else if (node.kind === 'seq') {
          node.items.forEach((item, i) => {
            const dash = `${pad}-${' '.repeat(s.dashSpaces)}`;
            if (item.kind === 'leaf') out.push(`${dash}${item.token}${trail(i)}`);
            else if (item.kind === 'map') block(item, dash.length, dash);
            else {
              out.push(`${pad}-`);
              block(item, ind + s.step);
            }
          });
        } else {
          out.push(`${first ?? pad}${node.token}`);
        }
      };
      block(t, 0);
      return `${out.join('\n')}\n`;
    }

    const mutation = fc.array(
      fc.record({
        at: fc.nat(),
        op: fc.constantFrom('insert', 'delete', 'replace'),
        ch: fc.constantFrom(' ', '  ', '\n', ':', '#', '-', '- ', '"', "'", '[', ']', ',', '&', '*', '!', '|', 'a', '1', '.', '\t', '\r', '~', '{', '%', '@', 'é'),
      }),
      { maxLength: 3 },
    );
    const mutate = (text: string, ms: { at: number; op: string; ch: string }[]): string => {
      let t = text;
      for (const m of ms) {
        const at = t.length === 0 ? 0 : m.at % t.length;
        if (m.op === 'insert') t = t.slice(0, at) + m.ch + t.slice(at);
        else if (m.op === 'delete') t = t.slice(0, at) + t.slice(at + 1);
        else t = t.slice(0, at) + m.ch + t.slice(at + 1);
      }
      return t;
    };

    let fast = 0;
    fc.assert(
      fc.property(tree, style, mutation, (t, s, ms) => {
        const text = render(t, s);
        if (expectSameAsYaml(text) === 'fast') fast++;
        expectSameAsYaml(mutate(text, ms));
      }),
      // Fixed seed in CI; FAST_YAML_SEED / FAST_YAML_RUNS explore further (soak).
      { numRuns: Number(process.env.FAST_YAML_RUNS ?? 3000), seed: Number(process.env.FAST_YAML_SEED ?? 20261123) },
    );
    // The generator must exercise the fast path, not only its refusals.
    expect(fast).toBeGreaterThan(300);
  });
});
