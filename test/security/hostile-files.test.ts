/**
 * Hostile organization files (test/fixtures/hostile/orgs, beyond test/fixtures/invalid):
 * YAML attacks (alias expansion, tags, merge keys, directives, duplicate keys in disguise,
 * control and invisible characters, deep nesting) and schema edge cases (ids that are not
 * plain integers, lookalike emails, empty quotes). Each must be refused by `validate` with
 * its check id, code and position, and `plan`/`apply` must then send no request at all.
 *
 * Cases marked `it.fails` are accepted today and should not be (see the comment on each);
 * they pass once the product refuses them.
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
  'id-infinity.yaml': { check: 'schema', code: 'wrong_type' },
  'id-nan.yaml': { check: 'schema', code: 'wrong_type' },
  'id-negative-zero.yaml': { check: 'schema', code: 'out_of_range' },
  'line-separator.yaml': { check: 'schema', code: 'yaml_syntax' },
  'merge-key.yaml': { check: 'schema', code: 'unknown_key' },
  'name-newline.yaml': { check: 'schema', code: 'invalid_format' },
  'next-line.yaml': { check: 'schema', code: 'yaml_syntax' },
  'nul-in-key.yaml': { check: 'schema', code: 'unknown_key' },
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
  'yaml11-merge.yaml': { check: 'schema', code: 'bad_key' },
  'zero-width-key.yaml': { check: 'schema', code: 'unknown_key' },
};

/**
 * Accepted today, and should not be. Each entry says why it matters; the suggested fix is
 * in docs/security.md ("Known gaps").
 */
const ACCEPTED_BUT_HOSTILE: Record<string, string> = {
  // A NUL byte makes git and GitHub show the whole file as "Binary file not shown": the
  // pull request hides the file from its reviewers while orgshare reads it. Fix: refuse
  // C0/C1 control characters other than TAB, LF, CR (and DEL) anywhere in a file, comments
  // included (src/config/source.ts, before parsing).
  'nul-in-comment.yaml': 'a NUL byte in a comment hides the file from the pull-request diff',
  'nul-in-value.yaml': 'a NUL byte in a value hides the file from the pull-request diff',
  // ESC sequences rewrite terminal and log output (erase line, cursor up). Same fix.
  'ansi-escape.yaml': 'terminal escape sequences in a value and a comment',
  // `%YAML 1.1` switches the yaml package to YAML 1.1: "y" becomes true, 25:3:30 becomes
  // 90210. The schema tooling and the reviewer read YAML 1.2. Fix: refuse any %YAML
  // directive other than 1.2 (doc.directives.yaml.explicit) in src/config/yaml-path.ts.
  'yaml11-boolean.yaml': 'a %YAML 1.1 directive turns "legacy: y" into legacy: true',
  'yaml11-sexagesimal.yaml': 'a %YAML 1.1 directive turns 25:3:30 into comment 90210',
  // Ids must be written as plain decimal integers, as the fast parser already requires:
  // a reviewer reads 360000000100.99999999 while orgshare uses 360000000101. Fix: in
  // yaml-path.ts refuse number scalars whose source is not /^-?[0-9]+$/ where the schema
  // wants an integer (or all non-decimal number spellings).
  'id-float-rounding.yaml': 'an id that is not an integer rounds to another organization id',
  'id-float.yaml': 'an id written as a float',
  'id-exponent.yaml': 'an id in exponent notation',
  'id-hex.yaml': 'a comment id in hexadecimal',
  'id-octal.yaml': 'a comment id in octal',
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
    const listed = [...Object.keys(REFUSED), ...Object.keys(ACCEPTED_BUT_HOSTILE)].sort();
    expect(listed).toEqual(orgFixtures);
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

describe('hostile files that validate accepts today (should be refused)', () => {
  for (const [name, why] of Object.entries(ACCEPTED_BUT_HOSTILE)) {
    // BUG: accepted by validate; see the comment on ACCEPTED_BUT_HOSTILE for the fix.
    it.fails(`${name}: ${why}`, async () => {
      const { code, json } = await validate({ [`orgs/${name}`]: fixture(name) });
      expect(code).toBe(1);
      expect(json.problems.some((p) => p.file === `orgs/${name}`)).toBe(true);
    });
  }

  it('a NUL byte really does hide the file from a git diff (why nul-in-comment matters)', () => {
    // git's rule (buffer_is_binary): a NUL in the first 8000 bytes makes the file binary.
    const bytes = fixture('nul-in-comment.yaml');
    expect(bytes.subarray(0, 8000).includes(0)).toBe(true);
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

  it('a NUL byte in the organization name (accepted by validate today) is still blocked by name_match, zero writes', async () => {
    const dir = await repo({ 'orgs/acme.yaml': fixture('nul-in-value.yaml') });
    sb.reset();
    const plan = await run(envFor(sb), dir, ['plan']);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('name_match');
    // The control character is shown escaped, never raw.
    expect(plan.stdout).not.toContain('\0');
    const apply = await run(envFor(sb), dir, ['apply', '--yes']);
    expect(apply.code).toBe(1);
    expect(sb.writes()).toEqual([]);
  });
});

describe('huge inputs stay bounded in time and output', () => {
  const base = readFileSync(join(REPO_ROOT, 'orgs', 'acme-corp.yaml'), 'utf8');

  it('a file over 256 KiB is refused unread (file_too_large)', async () => {
    const started = performance.now();
    const { code, json } = await validate({ 'orgs/big.yaml': `${base}# ${'x'.repeat(300_000)}\n` });
    expect(code).toBe(1);
    expect(json.problems.map((p) => p.code)).toEqual(['file_too_large']);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('a 200 KB string value is refused by length without being echoed', async () => {
    const { code, json, text } = await validate({ 'orgs/a.yaml': base.replace('name: Acme Corp', `name: ${'A'.repeat(200_000)}`) });
    expect(code).toBe(1);
    expect(json.problems.map((p) => p.code)).toContain('too_long');
    expect(text.length).toBeLessThan(4_096);
  });

  it('10,000 unknown keys are all reported within 5 s', async () => {
    const started = performance.now();
    const keys = Array.from({ length: 10_000 }, (_, i) => `k${i}: 1`).join('\n');
    const { code, json } = await validate({ 'orgs/a.yaml': `${base}${keys}\n` });
    expect(code).toBe(1);
    expect(json.problems.filter((p) => p.code === 'unknown_key')).toHaveLength(10_000);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  // BUG (low): an unknown key is echoed whole, so a 200 KB key becomes 200 KB of output
  // (CI log, PR annotation). Fix: show keys and values through excerpt() (80 characters)
  // in src/config/schema-errors.ts and yaml-path.ts.
  it.fails('a 200 KB key is not echoed whole', async () => {
    const { code, text } = await validate({ 'orgs/a.yaml': `${base}${'k'.repeat(200_000)}: 1\n` });
    expect(code).toBe(1);
    expect(text.length).toBeLessThan(16_384);
  });
});

describe('problems rendered for a pull request cannot carry active Markdown or terminal escapes', () => {
  const base = readFileSync(join(REPO_ROOT, 'orgs', 'acme-corp.yaml'), 'utf8');
  const sneaky = `${base}"a\`![x](https://evil.example/p.png) [Approve here](https://evil.example/approve) @acme/support-ops\`b": 1\n`;

  // BUG: src/render/problems.ts escapes only < > | in Markdown, so a key with a backtick
  // leaves its code span and the rest renders: an image, a link, a team @mention in the
  // plan comment the bot posts. Fix: render problem messages with escapeMd from
  // src/render/markdown.ts (it escapes ` [ ] ! * _ and breaks @mentions).
  it.fails('plan --format markdown (the PR comment) shows a hostile key as inert text', async () => {
    const dir = await repo({ 'orgs/a.yaml': sneaky });
    const { stdout } = await run({ ZENDESK_SUBDOMAIN: 'acme' }, dir, ['--format', 'markdown', 'plan']);
    expect(stdout).toContain('unknown_key');
    expect(stdout).not.toMatch(/(?<!\\)\]\(https:\/\/evil/);
    expect(stdout).not.toMatch(/(?<![\\`])@acme\/support-ops/);
  });

  // BUG: the text form prints control characters raw (src/render/problems.ts oneLine only
  // removes line breaks). Fix: pass messages through clean() from src/render/text.ts.
  it.fails('validate prints control characters in a hostile key escaped', async () => {
    const dir = await repo({ 'orgs/a.yaml': `${base}"k\\e[2K\\e[1A": 1\n` });
    const { stdout } = await run({ ZENDESK_SUBDOMAIN: 'acme' }, dir, ['validate']);
    expect(stdout).toContain('unknown_key');
    expect(stdout).not.toContain('\u001b');
  });
});
