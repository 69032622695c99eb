/**
 * `orgshare validate` as users and CI run it: the built binary in a child process.
 * `npm test` builds first (pretest); running this file alone builds only when dist/ lacks
 * the CLI or the config loader.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist', 'src', 'cli.js');
const FIXTURES = join(ROOT, 'test', 'fixtures');

beforeAll(() => {
  if (existsSync(CLI) && existsSync(join(ROOT, 'dist', 'src', 'config', 'load.js'))) return;
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'pipe' });
  } catch {
    // Type errors elsewhere still emit JavaScript; the check below decides.
  }
  if (!existsSync(CLI)) throw new Error('build failed: dist/src/cli.js missing (run npm run build)');
}, 120_000);

const temp: string[] = [];
afterAll(() => temp.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A config repo holding the named invalid fixtures, each under orgs/ with a unique id. */
function repoWith(fixtures: string[], rename: (name: string) => string = (n) => n): string {
  const dir = mkdtempSync(join(tmpdir(), 'orgshare-cli-'));
  temp.push(dir);
  mkdirSync(join(dir, 'orgs'));
  for (const name of fixtures) copyFileSync(join(FIXTURES, 'invalid', name), join(dir, 'orgs', rename(name)));
  return dir;
}

function validate(args: string[], env: Record<string, string> = {}) {
  const base = { ...process.env };
  for (const key of Object.keys(base)) if (/^(GITHUB_|ZENDESK_|NO_COLOR)/.test(key)) delete base[key];
  const r = spawnSync(process.execPath, [CLI, 'validate', ...args], { encoding: 'utf8', env: { ...base, ...env }, timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('orgshare validate (built CLI)', () => {
  it('exits 0 with a one-line summary for a valid repository', () => {
    const r = validate(['--dir', join(FIXTURES, 'valid')]);
    expect(r).toEqual({ code: 0, stdout: '✓ 9 organization files valid\n', stderr: '' });
  });

  it('validates the example orgs/ against the sandbox account, without network or secrets', () => {
    const r = validate(['--dir', ROOT], {
      ZENDESK_SUBDOMAIN: 'acme',
      ZENDESK_API_URL: 'http://127.0.0.1:9/api/v2',
      ZENDESK_EMAIL: 'admin@acme.example',
      ZENDESK_API_TOKEN: 'sandbox-token',
    });
    expect(r).toEqual({ code: 0, stdout: '✓ 5 organization files valid\n', stderr: '' });
  });

  it('lists every problem at once with file:line:col, check, code and hint, and exits 1', () => {
    const dir = repoWith(['wrong-subdomain.yaml', 'missing-evidence.yaml', 'unknown-key.yaml']);
    // Distinct organization ids, so the only problems are the fixtures' own mistakes.
    writeFileSync(join(dir, 'orgs', 'unknown-key.yaml'), readText(dir, 'unknown-key.yaml').replace('360000000101', '360000000102'));
    writeFileSync(join(dir, 'orgs', 'missing-evidence.yaml'), readText(dir, 'missing-evidence.yaml').replace('360000000101', '360000000103'));
    const r = validate(['--dir', dir], { ZENDESK_SUBDOMAIN: 'acme' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines.filter((l) => /^orgs\//.test(l))).toEqual([
      'orgs/missing-evidence.yaml:7:1: error [risk_approved/missing_evidence] sharing "read_only" needs request.risk_approval: the requester\'s approval of the security risk',
      'orgs/unknown-key.yaml:9:3: error [schema/unknown_key] unknown key `reqester` in `request`',
      'orgs/wrong-subdomain.yaml:8:11: error [ticket_url/wrong_subdomain] ticket is on globex.zendesk.com, not on this account (acme.zendesk.com)',
    ]);
    expect(lines.filter((l) => l.startsWith('    hint: '))).toHaveLength(3);
    expect(r.stdout).toContain('    hint: did you mean `requester`?');
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('✗ 3 problems in 3 of 3 organization files');
  });

  it('prints JSON with format_version 1 and every problem field', () => {
    const dir = repoWith(['type-mismatch.yaml']);
    const r = validate(['--dir', dir, '--format', 'json'], { ZENDESK_SUBDOMAIN: 'acme' });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      format_version: 1,
      valid: false,
      files: 1,
      problems: [
        {
          code: 'type_mismatch',
          check: 'confirmed_type',
          message: 'the requester confirmed read_only but sharing is read_write',
          file: 'orgs/type-mismatch.yaml',
          line: 10,
          col: 19,
          value: 'read_only',
          hint: expect.stringContaining('confirm'),
        },
      ],
    });

    const ok = validate(['--dir', join(FIXTURES, 'valid'), '--format', 'json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ format_version: 1, valid: true, files: 9, problems: [] });
  });

  it('prints Markdown for pull-request comments', () => {
    const dir = repoWith(['hipaa-shared.yaml']);
    const r = validate(['--dir', dir, '--format', 'markdown'], { ZENDESK_SUBDOMAIN: 'acme' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('**✗ 1 problem in 1 of 1 organization file**');
    expect(r.stdout).toContain('- `orgs/hipaa-shared.yaml:6:10` **hipaa/hipaa_sharing**: HIPAA organization must stay private, not read_only');
  });

  it('emits GitHub ::error annotations in Actions, escaped, relative to the workspace', () => {
    const dir = repoWith(['bad-url-query.yaml'], () => 'acme, corp:1.yaml');
    const r = validate(['--dir', dir], { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: join(dir, '..'), ZENDESK_SUBDOMAIN: 'acme' });
    expect(r.code).toBe(1);
    const folder = dir.split('/').pop()!;
    const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(annotations).toEqual([
      `::error file=${folder}/orgs/acme%2C corp%3A1.yaml,line=8,col=11,title=orgshare ticket_url/query::` +
        'ticket URL must not contain a query string (?…)%0Ahint: remove everything from "?"; write https://acme.zendesk.com/agent/tickets/4821',
    ]);
    // The human-readable report is still there.
    expect(r.stdout).toContain('orgs/acme, corp:1.yaml:8:11: error [ticket_url/query]');
  });

  it('keeps JSON on stdout parseable in Actions by sending annotations to stderr', () => {
    const dir = repoWith(['lookalike-host.yaml']);
    const r = validate(['--dir', dir, '--format', 'json'], { GITHUB_ACTIONS: 'true', ZENDESK_SUBDOMAIN: 'acme' });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).problems).toHaveLength(1);
    expect(r.stderr).toMatch(/^::error file=orgs\/lookalike-host\.yaml,line=8,col=11,title=orgshare ticket_url\/lookalike_host::/);
  });

  it('emits no annotations outside Actions or when valid', () => {
    expect(validate(['--dir', repoWith(['empty.yaml'])]).stdout).not.toContain('::error');
    const ok = validate(['--dir', join(FIXTURES, 'valid')], { GITHUB_ACTIONS: 'true' });
    expect(ok).toEqual({ code: 0, stdout: '✓ 9 organization files valid\n', stderr: '' });
  });

  it('reports an organization id declared in two files, in both files', () => {
    const r = validate(['--dir', join(FIXTURES, 'duplicate-ids')], { ZENDESK_SUBDOMAIN: 'acme' });
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('orgs/'))).toEqual([
      'orgs/initech-copy.yaml:3:7: error [schema/duplicate_id] organization id 360000000103 is also declared in orgs/initech.yaml',
      'orgs/initech.yaml:3:7: error [schema/duplicate_id] organization id 360000000103 is also declared in orgs/initech-copy.yaml',
    ]);
  });

  it('reports a directory without orgs/ instead of crashing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orgshare-cli-'));
    temp.push(dir);
    const r = validate(['--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('orgs:1:1: error [schema/no_orgs_dir] no orgs/ directory in');
    expect(r.stdout).toContain('hint: run orgshare in the config repository, or pass --dir <path>');
  });
});

function readText(dir: string, name: string): string {
  return readFileSync(join(dir, 'orgs', name), 'utf8');
}
