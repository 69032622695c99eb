/**
 * One escaping rule for every value from Zendesk (docs/security.md, threat table):
 * `import` escapes organization names like `plan` does, in every format; and the
 * small input rules — invisible characters in organization.name, brackets inside quotes,
 * ticket ids beyond 2^53.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acmeFile, envFor, repo, run, sandboxForFile } from './helpers.js';

const GLOBEX = 360000000102;
const sandbox = sandboxForFile();

/** Raw characters that must never reach a terminal or a PR comment unescaped. */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/u;

describe('import escapes what Zendesk says', () => {
  const hostile = 'Globex \u001b[2J\u001b]0;pwned\u0007 \u202Eevil\u202C\nInjected line \u200B';

  for (const format of ['text', 'markdown', 'json'] as const) {
    it(`prints no raw control, bidi or zero-width character and no injected line (${format})`, async () => {
      sandbox().store.updateOrganization(GLOBEX, { name: hostile });
      const dir = await repo({});
      const r = await run(envFor(sandbox()), dir, ['--format', format, 'import', '--org', String(GLOBEX)]);
      expect(r.code).toBe(0);
      const printed = `${r.stdout}${r.stderr}`;
      expect(printed.replace(/@\u200B/g, '@')).not.toMatch(format === 'markdown' ? /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200c-\u200f\u202a-\u202e]/u : RAW);
      if (format !== 'json') expect(printed.split('\n').some((l) => l.startsWith('Injected line'))).toBe(false);
      if (format === 'json') expect(JSON.parse(r.stdout).results[0].org_name).toBe(hostile);
      expect(sandbox().writes()).toEqual([]);
    });
  }

  it('the file it writes is then refused by validate (the name renders differently from its bytes)', async () => {
    sandbox().store.updateOrganization(GLOBEX, { name: 'Globex \u202Eevil' });
    const dir = await repo({});
    expect((await run(envFor(sandbox()), dir, ['import', '--org', String(GLOBEX)])).code).toBe(0);
    const v = await run(envFor(sandbox()), dir, ['--format', 'json', 'validate']);
    expect(v.code).toBe(1);
    expect((JSON.parse(v.stdout) as { problems: { code: string }[] }).problems.map((p) => p.code)).toContain('invisible_character');
  });

  it('refuses a ticket id beyond 2^53 instead of rounding it', async () => {
    sandbox().store.updateOrganization(GLOBEX, { details: 'Shared organization (Read+write) enabled 2024-03-02 as per https://acme.zendesk.com/agent/tickets/99999999999999999999' });
    const dir = await repo({});
    const r = await run(envFor(sandbox()), dir, ['import', '--org', String(GLOBEX)]);
    const files = await readdir(join(dir, 'orgs'));
    const written = await Promise.all(files.map((f) => readFile(join(dir, 'orgs', f), 'utf8')));
    expect(`${r.stdout}${written.join('')}`).not.toContain('100000000000000000000');
    expect(written.join('')).not.toContain('tickets/9999999999999999');
  });
});

describe('organization.name', () => {
  for (const [what, ch] of [
    ['a bidi override (U+202E)', '\u202E'],
    ['a zero-width space (U+200B)', '\u200B'],
    ['a zero-width joiner (U+200D)', '\u200D'],
    ['a BOM inside the text (U+FEFF)', '\uFEFF'],
  ] as const) {
    it(`with ${what} is refused by validate with file:line`, async () => {
      const dir = await repo({ 'orgs/acme.yaml': acmeFile().replace('name: Acme Corp', `name: "Acme${ch} Corp"`) });
      const v = await run(envFor(sandbox()), dir, ['--format', 'json', 'validate']);
      expect(v.code).toBe(1);
      const problems = (JSON.parse(v.stdout) as { problems: { file: string; line: number; code: string }[] }).problems;
      expect(problems.map((p) => `${p.file}:${p.line} ${p.code}`)).toContain('orgs/acme.yaml:3 invisible_character');
      expect(v.stdout).not.toMatch(RAW);
    });
  }

  it('ESC in the name is refused too (as a control character in the file)', async () => {
    const dir = await repo({ 'orgs/acme.yaml': acmeFile().replace('name: Acme Corp', 'name: "Acme\u001b[2J Corp"') });
    const v = await run(envFor(sandbox()), dir, ['validate']);
    expect(v.code).toBe(1);
    expect(`${v.stdout}${v.stderr}`).toMatch(/orgs\/acme\.yaml:3/);
  });
});

describe('the nesting pre-check', () => {
  it('does not count brackets inside quoted values or comments', async () => {
    const brackets = '[['.repeat(40);
    const dir = await repo({
      // A directive sends the file to the full YAML parser, behind the pre-check.
      'orgs/acme.yaml': `%YAML 1.2\n---\n${acmeFile({ quote: `we accept the security risk ${brackets}` }).replace('sharing: read_only', `sharing: read_only  # ${'{'.repeat(80)}`)}`,
    });
    const v = await run(envFor(sandbox()), dir, ['--format', 'json', 'validate']);
    expect((JSON.parse(v.stdout) as { problems: { code: string }[] }).problems.map((p) => p.code)).not.toContain('too_deep');
  });

  it('still counts real flow nesting after a plain scalar with a quote in it', async () => {
    const dir = await repo({ 'orgs/acme.yaml': `%YAML 1.2\n---\n${acmeFile()}x: [a-'b ${'['.repeat(40)}${']'.repeat(40)}]\n` });
    const v = await run(envFor(sandbox()), dir, ['--format', 'json', 'validate']);
    expect((JSON.parse(v.stdout) as { problems: { code: string }[] }).problems.map((p) => p.code)).toContain('too_deep');
  });
});
