/**
 * Hostile organization files (test/fixtures/hostile/orgs, beyond test/fixtures/invalid):
 * YAML attacks (alias expansion, tags, merge keys, directives, duplicate keys in disguise,
 * control and invisible characters, deep nesting) and schema edge cases (ids that are not
 * plain integers, lookalike emails, empty quotes). Each must be refused by `validate` with
 * its check id, code and position, and `plan`/`apply` must then send no request at all.
 *
 * Raw control characters (a NUL hides the file from the pull-request diff), `%YAML 1.1`
 * and integers spelled as floats, exponents, hex or octal used to be accepted; they are
 * refused now and stay here as regression tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { HOSTILE, REPO_ROOT, envFor, removeRepos, repo, run } from './helpers.js';

interface Expect {
  check: string;
  code: string;
}

/** Every fixture in hostile/orgs that is refused today, with how. */
const REFUSED: Record<string, Expect> = {
  'alias-as-key.yaml': { check: 'schema', code: 'bad_key' },
  'ansi-escape.yaml': { check: 'schema', code: 'control_character' },
  'billion-laughs-keys.yaml': { check: 'schema', code: 'bad_key' },
  'billion-laughs.yaml': { check: 'schema', code: 'alias_limit' },
  'bom-mid-file.yaml': { check: 'schema', code: 'unknown_key' },
  'comment-id-fraction.yaml': { check: 'schema', code: 'wrong_type' },
  'comment-id-negative.yaml': { check: 'schema', code: 'out_of_range' },
  'comment-id-string.yaml': { check: 'schema', code: 'wrong_type' },
  'cr-line-endings.yaml': { check: 'schema', code: 'empty_file' },
  'cr-overwrite.yaml': { check: 'schema', code: 'yaml_syntax' },
  'deep-block-sequence.yaml': { check: 'schema', code: 'too_deep' },
  'deep-flow-braces.yaml': { check: 'schema', code: 'too_deep' },
  'deep-flow-mixed.yaml': { check: 'schema', code: 'too_deep' },
  'duplicate-key-escaped.yaml': { check: 'schema', code: 'duplicate_key' },
  'duplicate-key-far-right.yaml': { check: 'schema', code: 'duplicate_key' },
  'duplicate-key-quoted.yaml': { check: 'schema', code: 'duplicate_key' },
  'email-cyrillic.yaml': { check: 'schema', code: 'invalid_format' },
  'email-fullwidth-at.yaml': { check: 'schema', code: 'invalid_format' },
  'email-idn.yaml': { check: 'schema', code: 'invalid_format' },
  'email-newline.yaml': { check: 'schema', code: 'invalid_format' },
  'email-two-addresses.yaml': { check: 'schema', code: 'invalid_format' },
  'email-zero-width.yaml': { check: 'schema', code: 'invalid_format' },
  'hipaa-string.yaml': { check: 'schema', code: 'wrong_type' },
  'homoglyph-key.yaml': { check: 'schema', code: 'unknown_key' },
  'id-2-53-plus-1.yaml': { check: 'schema', code: 'out_of_range' },
  'id-2-64.yaml': { check: 'schema', code: 'out_of_range' },
  'id-exponent.yaml': { check: 'schema', code: 'integer_format' },
  'id-float-rounding.yaml': { check: 'schema', code: 'integer_format' },
  'id-float.yaml': { check: 'schema', code: 'integer_format' },
  'id-hex.yaml': { check: 'schema', code: 'integer_format' },
  'id-infinity.yaml': { check: 'schema', code: 'wrong_type' },
  'id-nan.yaml': { check: 'schema', code: 'wrong_type' },
  'id-negative-zero.yaml': { check: 'schema', code: 'out_of_range' },
  'id-octal.yaml': { check: 'schema', code: 'integer_format' },
  'line-separator.yaml': { check: 'schema', code: 'yaml_syntax' },
  'merge-key.yaml': { check: 'schema', code: 'unknown_key' },
  'name-newline.yaml': { check: 'schema', code: 'invalid_format' },
  'next-line.yaml': { check: 'schema', code: 'control_character' },
  'nul-in-comment.yaml': { check: 'schema', code: 'control_character' },
  'nul-in-key.yaml': { check: 'schema', code: 'control_character' },
  'nul-in-value.yaml': { check: 'schema', code: 'control_character' },
  'overlong-utf8.yaml': { check: 'schema', code: 'not_utf8' },
  'quote-empty.yaml': { check: 'schema', code: 'too_short' },
  'sharing-padded.yaml': { check: 'schema', code: 'invalid_value' },
  'tag-binary.yaml': { check: 'schema', code: 'yaml_tag' },
  'tag-directive.yaml': { check: 'schema', code: 'yaml_tag' },
  'tag-js-function.yaml': { check: 'schema', code: 'yaml_tag' },
  'tag-local.yaml': { check: 'schema', code: 'yaml_tag' },
  'tag-python.yaml': { check: 'schema', code: 'yaml_tag' },
  'tag-set.yaml': { check: 'schema', code: 'yaml_tag' },
  'tag-verbatim.yaml': { check: 'schema', code: 'yaml_tag' },
  'utf16.yaml': { check: 'schema', code: 'not_utf8' },
  'yaml11-boolean.yaml': { check: 'schema', code: 'yaml_version' },
  'yaml11-merge.yaml': { check: 'schema', code: 'yaml_version' },
  'yaml11-sexagesimal.yaml': { check: 'schema', code: 'yaml_version' },
  'zero-width-key.yaml': { check: 'schema', code: 'unknown_key' },
};

const orgFixtures = readdirSync(join(HOSTILE, 'orgs'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const fixture = (name: string) => readFileSync(join(HOSTILE, 'orgs', name));

interface ValidateJson {
  valid: boolean;
  problems: { file: string; line: number; col: number; check: string; code: string; message: string }[];
}

async function validate(files: Record<string, string | Uint8Array>): Promise<{ code: number; json: ValidateJson; text: string }> {
  const dir = await repo(files);
  const json = await run({ ZENDESK_SUBDOMAIN: 'acme' }, dir, ['--format', 'json', 'validate']);
  const text = await run({ ZENDESK_SUBDOMAIN: 'acme' }, dir, ['validate']);
  return { code: json.code, json: JSON.parse(json.stdout) as ValidateJson, text: text.stdout };
}

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.close();
  await removeRepos();
});

describe('the hostile corpus is complete', () => {
  it('lists every fixture in hostile/orgs exactly once', () => {
    expect(Object.keys(REFUSED).sort()).toEqual(orgFixtures);
  });
});

describe('validate refuses each hostile organization file with its check, code and position', () => {
  for (const [name, want] of Object.entries(REFUSED)) {
    it(`${name}: ${want.check}/${want.code}`, async () => {
      const { code, json, text } = await validate({ [`orgs/${name}`]: fixture(name) });
      expect(code).toBe(1);
      expect(json.valid).toBe(false);
      expect(json.problems.map((p) => `${p.check}/${p.code}`)).toContain(`${want.check}/${want.code}`);
      for (const p of json.problems) {
        expect(p.file).toBe(`orgs/${name}`);
        expect(p.line).toBeGreaterThanOrEqual(1);
        expect(p.col).toBeGreaterThanOrEqual(1);
        expect(p.message.length).toBeGreaterThan(10);
      }
      // The text form names the file and position the way editors link them.
      expect(text).toMatch(new RegExp(`^orgs/${name.replace(/\./g, '\\.')}:\\d+:\\d+: error \\[${want.check}/${want.code}\\]`, 'm'));
    });
  }
});

describe('what reviewers see and what orgshare reads cannot differ', () => {
  it('a NUL byte really does hide the file from a git diff (why nul-in-comment matters)', () => {
    // git's rule (buffer_is_binary): a NUL in the first 8000 bytes makes the file binary.
    const bytes = fixture('nul-in-comment.yaml');
    expect(bytes.subarray(0, 8000).includes(0)).toBe(true);
  });

  it('control characters are refused where they are, comments included, and named', async () => {
    const at = async (name: string) => {
      const { json } = await validate({ [`orgs/${name}`]: fixture(name) });
      return json.problems.map((p) => `${p.line}:${p.col} ${p.code} ${p.message}`);
    };
    expect(await at('nul-in-comment.yaml')).toEqual([expect.stringMatching(/^15:3 control_character .*U\+0000 \(NUL\)/)]);
    expect(await at('nul-in-value.yaml')).toEqual([expect.stringMatching(/^5:13 control_character .*U\+0000 \(NUL\)/)]);
    // The value's "\e" is a YAML escape, not a raw byte; the raw ESC is in the last comment.
    expect(await at('ansi-escape.yaml')).toEqual([expect.stringMatching(/^15:3 control_character .*U\+001B \(ESC\) and 1 more/)]);
  });

  it('a %YAML directive other than 1.2 is refused on its line; %YAML 1.2 is accepted', async () => {
    const { json } = await validate({ 'orgs/a.yaml': fixture('yaml11-boolean.yaml') });
    expect(json.problems.map((p) => `${p.line}:${p.col} ${p.code}`)).toEqual(['3:1 yaml_version']);
    const good = readFileSync(join(REPO_ROOT, 'orgs', 'acme-corp.yaml'), 'utf8');
    for (const directive of ['%YAML 1.1', '%YAML 1.3', '%YAML 2.0', '%YAML']) {
      const r = await validate({ 'orgs/a.yaml': `# note\n${directive}\n---\n${good}` });
      expect(r.json.problems.map((p) => `${p.line} ${p.code}`), directive).toEqual(['2 yaml_version']);
    }
    expect((await validate({ 'orgs/a.yaml': `%YAML 1.2\n---\n${good}` })).code).toBe(0);
  });

  it('an integer must be written as plain decimal digits; the problem quotes the text', async () => {
    const { json } = await validate({ 'orgs/a.yaml': fixture('id-float-rounding.yaml') });
    expect(json.problems).toMatchObject([
      { line: 4, col: 7, code: 'integer_format', message: expect.stringContaining('`360000000100.99999999`, which YAML reads as the integer 360000000101') },
    ]);
    const good = readFileSync(join(REPO_ROOT, 'orgs', 'acme-corp.yaml'), 'utf8');
    for (const spelling of ['+90210', '090210', '90210.0', '9.021e4', '0x16062', '0o260142', '[90210.0]', '{a: 0x1}']) {
      const r = await validate({ 'orgs/a.yaml': good.replace('comment_id: 90210', `comment_id: ${spelling}`) });
      expect(r.json.problems.map((p) => p.code), spelling).toEqual(['integer_format']);
    }
    // Plain digits still reach the schema's own checks.
    const negative = await validate({ 'orgs/a.yaml': good.replace('comment_id: 90210', 'comment_id: -90210') });
    expect(negative.json.problems.map((p) => p.code)).toEqual(['out_of_range']);
  });
});

describe('plan and apply with a hostile file send no request to Zendesk at all', () => {
  it('refuses all refused fixtures at once (every problem reported), with zero requests', async () => {
    const files: Record<string, Uint8Array> = {};
    for (const name of Object.keys(REFUSED)) files[`orgs/${name}`] = fixture(name);
    const dir = await repo(files);
    sb.reset();

    const plan = await run(envFor(sb), dir, ['--format', 'json', 'plan']);
    expect(plan.code).toBe(1);
    const reported = new Set((JSON.parse(plan.stdout) as ValidateJson).problems.map((p) => p.file));
    expect([...reported].sort()).toEqual(Object.keys(REFUSED).map((n) => `orgs/${n}`).sort());

    const apply = await run(envFor(sb), dir, ['apply', '--yes']);
    expect(apply.code).toBe(1);
    const drift = await run(envFor(sb), dir, ['drift']);
    expect(drift.code).toBe(1);
    expect(sb.log()).toEqual([]);
    expect(sb.writes()).toEqual([]);
  });

  it('a hostile file next to valid ones blocks the whole apply: nothing is written for anyone', async () => {
    const good = readFileSync(join(REPO_ROOT, 'orgs', 'acme-corp.yaml'));
    const dir = await repo({ 'orgs/acme-corp.yaml': good, 'orgs/zz-hostile.yaml': fixture('duplicate-key-quoted.yaml').toString().replace('360000000101', '360000000199') });
    sb.reset();
    const apply = await run(envFor(sb), dir, ['apply', '--yes']);
    expect(apply.code).toBe(1);
    expect(apply.stdout).toContain('duplicate_key');
    expect(sb.writes()).toEqual([]);
    expect(sb.store.org(360000000101).shared_tickets).toBe(false);
  });

  it('a NUL byte in the organization name is refused before any request (control_character), zero writes', async () => {
    const dir = await repo({ 'orgs/acme.yaml': fixture('nul-in-value.yaml') });
    sb.reset();
    const plan = await run(envFor(sb), dir, ['plan']);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('orgs/acme.yaml:5:13: error [schema/control_character]');
    expect(plan.stdout).not.toContain('\0');
    const apply = await run(envFor(sb), dir, ['apply', '--yes']);
    expect(apply.code).toBe(1);
    expect(sb.log()).toEqual([]);
  });
});

describe('huge inputs stay bounded in work and output', () => {
  const base = readFileSync(join(REPO_ROOT, 'orgs', 'acme-corp.yaml'), 'utf8');

  it('a file over 256 KiB is refused unread (file_too_large)', async () => {
    const { code, json } = await validate({ 'orgs/big.yaml': `${base}# ${'x'.repeat(300_000)}\n` });
    expect(code).toBe(1);
    // The only problem is its size: nothing in it was parsed or checked.
    expect(json.problems.map((p) => p.code)).toEqual(['file_too_large']);
  });

  it('a 200 KB string value is refused by length without being echoed', async () => {
    const { code, json, text } = await validate({ 'orgs/a.yaml': base.replace('name: Acme Corp', `name: ${'A'.repeat(200_000)}`) });
    expect(code).toBe(1);
    expect(json.problems.map((p) => p.code)).toContain('too_long');
    expect(text.length).toBeLessThan(4_096);
  });

  // Work, not time: the 10,000 keys are reported one problem each (not 10,000 × 10,000
  // comparisons' worth of output); the timing of validate at scale is in bench/validate.
  it('10,000 unknown keys are all reported, once each', async () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `k${i}: 1`).join('\n');
    const { code, json } = await validate({ 'orgs/a.yaml': `${base}${keys}\n` });
    expect(code).toBe(1);
    const unknown = json.problems.filter((p) => p.code === 'unknown_key');
    expect(unknown).toHaveLength(10_000);
    expect(new Set(unknown.map((p) => p.line)).size).toBe(10_000);
  });

  // An unknown key is shown as an excerpt with its length (src/config/problem.ts excerpt),
  // so a 200 KB key does not become 200 KB of CI log or PR comment.
  it('a 200 KB key is not echoed whole', async () => {
    const { code, text, json } = await validate({ 'orgs/a.yaml': `${base}${'k'.repeat(200_000)}: 1\n` });
    expect(code).toBe(1);
    expect(text.length).toBeLessThan(16_384);
    expect(json.problems[0]!.message).toBe(`unknown key \`${'k'.repeat(60)}… (200000 characters)\``);
    expect(JSON.stringify(json).length).toBeLessThan(16_384);
  });
});

describe('problems rendered for a pull request cannot carry active Markdown or terminal escapes', () => {
  const base = readFileSync(join(REPO_ROOT, 'orgs', 'acme-corp.yaml'), 'utf8');
  const sneaky = `${base}"a\`![x](https://evil.example/p.png) [Approve here](https://evil.example/approve) @acme/support-ops\`b": 1\n`;

  // A key with a backtick must not leave its code span and render an image, a link or a
  // team @mention in the plan comment the bot posts (src/render/problems.ts).
  it('plan --format markdown (the PR comment) shows a hostile key as inert text', async () => {
    const dir = await repo({ 'orgs/a.yaml': sneaky });
    const { stdout } = await run({ ZENDESK_SUBDOMAIN: 'acme' }, dir, ['--format', 'markdown', 'plan']);
    expect(stdout).toContain('**schema/unknown_key**');
    expect(stdout).not.toMatch(/(?<!\\)\]\(https:\/\/evil/);
    expect(stdout).not.toMatch(/(?<!\\)!\[/);
    expect(stdout).not.toMatch(/(?<![\\`])@acme\/support-ops/);
    expect(stdout).toContain('unknown key \\`a\\`\\!\\[x\\](https://evil.example/p.png) \\[Approve here\\](https://ev… (99 characters)\\`');
  });

  it('a short hostile key is shown whole, escaped: no image, link, emphasis or @mention', async () => {
    const dir = await repo({ 'orgs/a.yaml': `${base}"a\`![x](https://e.example/p) *@acme/ops* ~~x~~\`b": 1\n` });
    const { stdout } = await run({ ZENDESK_SUBDOMAIN: 'acme' }, dir, ['--format', 'markdown', 'validate']);
    expect(stdout).toContain('unknown key \\`a\\`\\!\\[x\\](https://e.example/p) \\*@\u200Bacme/ops\\* \\~\\~x\\~\\~\\`b\\`');
  });

  it('markdown problems: HTML neutralised, file names in code spans no backtick can close', async () => {
    const dir = await repo({ 'orgs/we`ird ``name.yaml': `${base}"<img src=x onerror=alert(1)> <details>": 1\n` });
    const { stdout } = await run({ ZENDESK_SUBDOMAIN: 'acme' }, dir, ['--format', 'markdown', 'validate']);
    expect(stdout).toMatch(/^- ```orgs\/we`ird ``name\.yaml:\d+:\d+``` \*\*schema\/unknown_key\*\*/m);
    expect(stdout).not.toMatch(/<img|<details/);
    expect(stdout).toContain('&lt;img src=x onerror=alert(1)&gt; &lt;details&gt;');
  });

  // The text form (terminal, CI log) shows control characters escaped.
  it('validate prints control characters in a hostile key escaped', async () => {
    const dir = await repo({ 'orgs/a.yaml': `${base}"k\\e[2K\\e[1A": 1\n` });
    const { stdout } = await run({ ZENDESK_SUBDOMAIN: 'acme' }, dir, ['validate']);
    expect(stdout).toContain('unknown_key');
    expect(stdout).toContain('unknown key `k\\x1b[2K\\x1b[1A`');
    expect(stdout).not.toContain('\u001b');
  });
});
