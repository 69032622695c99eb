/**
 * A malicious `orgshare.config.yaml` (test/fixtures/hostile/config): deny patterns built to
 * backtrack for minutes, blast radius switched off, ticket hosts that open the door to
 * other accounts, an empty risk message, unknown and prototype keys. The account policy is
 * reviewed like the files, but it changes what every check means, so each of these must be
 * refused before a single request, and no pattern may stall a command.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { regexRisk } from '../../src/config/regex-safety.js';
import { DENY_TEXT_OVERLAP, DENY_TEXT_WINDOW } from '../../src/model/policy.js';
import { compileDenyPatterns, findDenyNotes, type DenyScanWork } from '../../src/policy/restrictions.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { HOSTILE, REPO_ROOT, acmeFile, envFor, removeRepos, repo, run, writesOf } from './helpers.js';

const ACME = 360000000101;

interface Expect {
  check: string;
  code: string;
}

const REFUSED: Record<string, Expect> = {
  'bad-regex.yaml': { check: 'deny_note', code: 'bad_regex' },
  'comment-placeholder.yaml': { check: 'schema', code: 'unknown_placeholder' },
  'constructor-key.yaml': { check: 'schema', code: 'forbidden_key' },
  'max-changes-huge.yaml': { check: 'schema', code: 'out_of_range' },
  'max-changes-infinite.yaml': { check: 'schema', code: 'wrong_type' },
  'max-changes-negative.yaml': { check: 'schema', code: 'out_of_range' },
  'max-changes-string.yaml': { check: 'schema', code: 'wrong_type' },
  'max-changes-zero.yaml': { check: 'schema', code: 'out_of_range' },
  'proto-key.yaml': { check: 'schema', code: 'forbidden_key' },
  'proto-nested.yaml': { check: 'schema', code: 'forbidden_key' },
  'redos-adjacent-stars.yaml': { check: 'deny_note', code: 'unsafe_regex' },
  'redos-alternation.yaml': { check: 'deny_note', code: 'unsafe_regex' },
  'redos-bounded-repeat.yaml': { check: 'deny_note', code: 'unsafe_regex' },
  'redos-named-group.yaml': { check: 'deny_note', code: 'unsafe_regex' },
  'redos-nested.yaml': { check: 'deny_note', code: 'unsafe_regex' },
  'risk-message-empty.yaml': { check: 'schema', code: 'too_short' },
  'risk-message-short.yaml': { check: 'schema', code: 'too_short' },
  'rpm-zero.yaml': { check: 'schema', code: 'out_of_range' },
  'subdomain-other.yaml': { check: 'ticket_url', code: 'subdomain_mismatch' },
  'ticket-hosts-ip.yaml': { check: 'schema', code: 'invalid_format' },
  'ticket-hosts-other-account.yaml': { check: 'ticket_url', code: 'zendesk_ticket_host' },
  'ticket-hosts-trailing-dot.yaml': { check: 'schema', code: 'invalid_format' },
  'ticket-hosts-uppercase.yaml': { check: 'schema', code: 'invalid_format' },
  'ticket-hosts-wildcard.yaml': { check: 'schema', code: 'invalid_format' },
  'ticket-hosts-zendesk.yaml': { check: 'ticket_url', code: 'zendesk_ticket_host' },
  'unknown-key.yaml': { check: 'schema', code: 'unknown_key' },
};

/** Deny patterns and an organization note that makes each of them backtrack. */
const REDOS: Record<string, string> = {
  'redos-nested.yaml': `${'a'.repeat(40)}!`,
  'redos-alternation.yaml': `${'a'.repeat(40)}!`,
  'redos-named-group.yaml': `${'ab '.repeat(20)}!`,
  'redos-adjacent-stars.yaml': 'Customer since 2019. Renewed in 2024 for three years.',
  'redos-bounded-repeat.yaml': `${'a'.repeat(30)}!`,
};

const configFixtures = readdirSync(join(HOSTILE, 'config'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const fixture = (name: string) => readFileSync(join(HOSTILE, 'config', name), 'utf8');

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.close();
  await removeRepos();
});
beforeEach(() => sb.reset());

describe('the hostile config corpus is complete', () => {
  it('lists every fixture in hostile/config', () => {
    const listed = new Set([...Object.keys(REFUSED), ...Object.keys(REDOS)]);
    expect([...listed].sort()).toEqual(configFixtures);
  });
});

describe('a hostile orgshare.config.yaml is refused before any request', () => {
  for (const [name, want] of Object.entries(REFUSED)) {
    it(`${name}: ${want.check}/${want.code}`, async () => {
      const dir = await repo({ 'orgshare.config.yaml': fixture(name), 'orgs/acme-corp.yaml': acmeFile() });
      const validate = await run({ ZENDESK_SUBDOMAIN: 'acme' }, dir, ['--format', 'json', 'validate']);
      expect(validate.code).toBe(1);
      const problems = (JSON.parse(validate.stdout) as { problems: { file: string; check: string; code: string; line: number }[] }).problems;
      expect(problems.map((p) => `${p.file} ${p.check}/${p.code}`)).toContain(`orgshare.config.yaml ${want.check}/${want.code}`);
      expect(problems.find((p) => p.code === want.code)!.line).toBeGreaterThan(2);

      for (const argv of [['plan'], ['apply', '--yes'], ['drift'], ['import', '--org', String(ACME)]]) {
        const r = await run(envFor(sb), dir, argv);
        expect(r.code, argv.join(' ')).toBe(1);
      }
      expect(sb.log()).toEqual([]);
    });
  }

  it('prototype keys pollute nothing: Object.prototype is untouched after loading them', async () => {
    for (const name of ['proto-key.yaml', 'proto-nested.yaml', 'constructor-key.yaml']) {
      const dir = await repo({ 'orgshare.config.yaml': fixture(name), 'orgs/acme-corp.yaml': acmeFile() });
      await run({ ZENDESK_SUBDOMAIN: 'acme' }, dir, ['validate']);
    }
    const probe = {} as Record<string, unknown>;
    expect(probe.maxChanges).toBeUndefined();
    expect(probe.polluted).toBeUndefined();
    expect(probe.id).toBeUndefined();
  });
});

describe('a risk message that says nothing cannot make risk_message_sent pass', () => {
  // The schema counts characters, so 25 spaces pass it; normalised they are empty, and an
  // empty needle never matches (src/policy/normalize.ts): the check fails closed.
  for (const [label, message] of [
    ['25 spaces', ' '.repeat(25)],
    ['25 non-breaking spaces', '\u00a0'.repeat(25)],
    ['line breaks and tabs', '\n\t\n\t\n\t\n\t\n\t\n\t\n\t\n\t\n\t\n\t\n'],
  ] as const) {
    it(`risk_message of ${label}: blocked at plan, zero writes`, async () => {
      const dir = await repo({ 'orgshare.config.yaml': `rpm: 10000\nrisk_message: ${JSON.stringify(message)}\n`, 'orgs/acme-corp.yaml': acmeFile() });
      const plan = await run(envFor(sb), dir, ['--format', 'json', 'plan']);
      expect(plan.code).toBe(1);
      const checks = (JSON.parse(plan.stdout) as { changes: { checks: { id: string; status: string }[] }[] }).changes[0]!.checks;
      expect(checks.find((c) => c.id === 'risk_message_sent')!.status).toBe('fail');
      expect((await run(envFor(sb), dir, ['apply', '--yes'])).code).toBe(1);
      expect(writesOf(sb)).toEqual([]);
    });
  }
});

describe('deny patterns cannot stall a command (catastrophic backtracking)', () => {
  const bin = resolve(REPO_ROOT, 'dist/src/cli.js');
  const children = new Set<ChildProcess>();
  afterEach(() => {
    for (const child of children) child.kill('SIGKILL');
    children.clear();
  });

  /**
   * `orgshare plan` in a child process: if a pattern ever got through and stalled, it would
   * block that process's thread, not the test runner's (the test's own timeout then fails it).
   */
  function planInChild(dir: string): Promise<{ code: number | null; stdout: string }> {
    return new Promise((done) => {
      const child = spawn(process.execPath, [bin, '--dir', dir, '--no-color', 'plan'], { env: envFor(sb), stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('exit', (code) => {
        children.delete(child);
        done({ code, stdout });
      });
    });
  }

  // Every one of them is refused statically as unsafe_regex (src/config/regex-safety.ts):
  // nested repetitions ((a+)+, (a|aa)+, (a{1,100}){1,100}) and repetitions that can match
  // the same text one after the other (.*.*.*…). They used to stall plan for minutes. The
  // bound is on work: the refusal comes before the first request, so no pattern ever runs
  // on the adversarial note.
  for (const [name, note] of Object.entries(REDOS)) {
    it(`${name}: plan refuses the pattern before reading the note (zero requests)`, async () => {
      expect(existsSync(bin), 'run `npm run build` first (npm test does)').toBe(true);
      sb.store.updateOrganization(ACME, { notes: note });
      const dir = await repo({ 'orgshare.config.yaml': `rpm: 10000\n${fixture(name)}`, 'orgs/acme-corp.yaml': acmeFile() });
      const result = await planInChild(dir);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('deny_note/unsafe_regex');
      expect(sb.log()).toEqual([]);
    });
  }

  // What passes the static check still runs on note lines cut into 1,000-character windows
  // (src/policy/restrictions.ts), so an accepted pattern at the edge of the cost estimate
  // (two ambiguous bounded repetitions) stays bounded on a huge adversarial note, and a
  // deny sentence deep inside a long line is still found.
  it('an accepted pattern near the limit, on a 60,000-character note line: the scan work is bounded and the deny sentence is found', async () => {
    const pattern = '.{0,40}x.{0,40}=';
    const dir = await repo({ 'orgshare.config.yaml': `rpm: 10000\ndeny_patterns: ['${pattern}']\n`, 'orgs/acme-corp.yaml': acmeFile() });
    const validate = await run({ ZENDESK_SUBDOMAIN: 'acme' }, dir, ['validate']);
    expect(validate.code, validate.stdout).toBe(0);

    // The work: each execution sees at most one window, the windows cover the line once
    // (plus their overlaps), and the pattern's cost estimate per character is within the
    // analysis' limit — so the engine's steps are bounded by executions × window × cost.
    const adversarialNote = 'x'.repeat(60_000);
    expect(regexRisk(pattern)).toBeNull();
    const work: DenyScanWork = { executions: 0, chars: 0, longest: 0 };
    expect(findDenyNotes({ notes: adversarialNote, details: null }, compileDenyPatterns([pattern]), work)).toEqual([]);
    expect(work.longest).toBe(DENY_TEXT_WINDOW);
    expect(work.executions).toBe(Math.ceil((60_000 - DENY_TEXT_WINDOW) / (DENY_TEXT_WINDOW - DENY_TEXT_OVERLAP)) + 1);
    expect(work.chars).toBeLessThanOrEqual(60_000 * (DENY_TEXT_WINDOW / (DENY_TEXT_WINDOW - DENY_TEXT_OVERLAP)) + DENY_TEXT_WINDOW);

    // The same scan through plan, over HTTP: a change, not blocked (the pattern never matched) …
    sb.store.updateOrganization(ACME, { notes: adversarialNote });
    const adversarial = await run(envFor(sb), dir, ['plan']);
    expect(adversarial.code).toBe(2);
    expect(adversarial.stdout).toMatch(/✓ deny_note/);

    // … and a deny sentence in the middle of a 60,000-character line is found.
    sb.reset();
    sb.store.updateOrganization(ACME, { notes: `${'a'.repeat(30_000)} Legal: we will not enable a shared organization. ${'a'.repeat(30_000)}` });
    const denied = await run(envFor(sb), dir, ['plan']);
    expect(denied.code).toBe(1);
    expect(denied.stdout).toMatch(/✗ deny_note +the organization’s notes in Zendesk say: "a{10}/);
    expect(writesOf(sb)).toEqual([]);
  });
});

describe('control characters in orgshare.config.yaml', () => {
  it('are refused with their position before any request, like in organization files', async () => {
    const dir = await repo({ 'orgshare.config.yaml': 'rpm: 10000\nrisk_message: "Please keep in mind the security risk."  # \u001b[2K\n', 'orgs/acme-corp.yaml': acmeFile() });
    const validate = await run({ ZENDESK_SUBDOMAIN: 'acme' }, dir, ['--format', 'json', 'validate']);
    expect(validate.code).toBe(1);
    expect(JSON.parse(validate.stdout).problems).toMatchObject([{ file: 'orgshare.config.yaml', line: 2, col: 59, check: 'schema', code: 'control_character' }]);
    expect((await run(envFor(sb), dir, ['plan'])).code).toBe(1);
    expect(sb.log()).toEqual([]);
  });
});
