import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadPolicy } from '../../src/config/load.js';
import { normalizeSubdomain, unsafePatternReason } from '../../src/config/policy.js';
import { DEFAULT_DENY_PATTERNS, DEFAULT_POLICY } from '../../src/model/policy.js';
import { makeRepo } from './helpers.js';

describe('account policy (orgshare.config.yaml)', () => {
  it('is the defaults when there is no config file and no environment', async () => {
    const { policy, problems } = await loadPolicy(makeRepo(), {});
    expect(problems).toEqual([]);
    expect(policy).toEqual(DEFAULT_POLICY);
    expect(policy).not.toBe(DEFAULT_POLICY);
  });

  it('takes the subdomain from ZENDESK_SUBDOMAIN in any common spelling', async () => {
    for (const value of ['acme', 'ACME', 'acme.zendesk.com', 'https://acme.zendesk.com/']) {
      const { policy, problems } = await loadPolicy(makeRepo(), { ZENDESK_SUBDOMAIN: value });
      expect(problems).toEqual([]);
      expect(policy.subdomain).toBe('acme');
    }
    expect(normalizeSubdomain('')).toBeNull();
    expect(normalizeSubdomain('acme.zendesk.com.evil.example')).toBeUndefined();
  });

  it('reports a config path that is not a regular file without blocking on it', async () => {
    const dir = makeRepo();
    execFileSync('mkfifo', [join(dir, 'orgshare.config.yaml')]);
    const { problems } = await loadPolicy(dir, {});
    expect(problems).toMatchObject([{ file: 'orgshare.config.yaml', check: 'schema', code: 'not_a_file' }]);
  });

  it('reports a ZENDESK_SUBDOMAIN that is not a subdomain', async () => {
    const { problems, policy } = await loadPolicy(makeRepo(), { ZENDESK_SUBDOMAIN: 'evil.example/x' });
    expect(problems).toMatchObject([{ file: '$ZENDESK_SUBDOMAIN', check: 'ticket_url', code: 'bad_env_subdomain' }]);
    expect(policy.subdomain).toBeNull();
  });

  it('maps every key onto the policy, keeping defaults for what is left out', async () => {
    const dir = makeRepo({
      'orgshare.config.yaml': `subdomain: acme
ticket_hosts: [support.acme.example]
max_changes: 5
risk_message: Sharing tickets is a risk. Do you accept it?
deny_patterns: ['\\blegal hold\\b']
ticket_fields:
  problem_type: {id: 7001}
  shared_org_type: {values: {read_write: Read and write}}
  confirm_risk: {id: 7003, title: Risk confirmed}
comments:
  disabled: "Sharing is off for {org} since {date}."
rpm: 120
`,
    });
    const { policy, problems } = await loadPolicy(dir, {});
    expect(problems).toEqual([]);
    expect(policy).toEqual({
      ...DEFAULT_POLICY,
      subdomain: 'acme',
      ticketHosts: ['support.acme.example'],
      maxChanges: 5,
      riskMessage: 'Sharing tickets is a risk. Do you accept it?',
      denyPatterns: [...DEFAULT_DENY_PATTERNS, '\\blegal hold\\b'],
      ticketFields: {
        problemType: { id: 7001, title: 'Support Ops Problem Type', value: 'Shared organization requests' },
        sharedOrgType: { title: 'Shared Org type', values: { read_only: 'Read only', read_write: 'Read and write' } },
        confirmRisk: { id: 7003, title: 'Risk confirmed' },
      },
      comments: { enabled: DEFAULT_POLICY.comments.enabled, disabled: 'Sharing is off for {org} since {date}.' },
      rpm: 120,
    });
    // The shared defaults were not modified.
    expect(DEFAULT_POLICY.denyPatterns).toEqual(DEFAULT_DENY_PATTERNS);
    expect(DEFAULT_POLICY.ticketFields.problemType.id).toBeUndefined();
  });

  it('reports config problems at their line: schema, bad and unsafe regexes, placeholders, subdomain mismatch', async () => {
    const dir = makeRepo({
      'orgshare.config.yaml': `subdomain: acme
max_changes: "20"
deny_patterns:
  - '(unclosed'
  - '(\\w+\\s?)*$'
  - '\\bfine\\b'
comments:
  enabled: "Enabled for {organization}"
rpm: 400
colour: blue
`,
    });
    const { problems, policy } = await loadConfig(dir, { env: { ZENDESK_SUBDOMAIN: 'globex' } });
    expect(problems.map((p) => [p.file, p.line, p.col, p.check, p.code])).toEqual([
      ['orgshare.config.yaml', 2, 14, 'schema', 'wrong_type'],
      ['orgshare.config.yaml', 10, 1, 'schema', 'unknown_key'],
    ]);
    // A config that fails its schema is not used at all (defaults apply), except the env.
    expect(policy.maxChanges).toBe(20);
    expect(policy.subdomain).toBe('globex');

    const semantic = makeRepo({
      'orgshare.config.yaml': `subdomain: acme
ticket_hosts: [support.acme.example, globex.zendesk.com]
deny_patterns:
  - '(unclosed'
  - '(\\w+\\s?)*$'
  - '\\bfine\\b'
comments:
  enabled: "Enabled for {organization}"
`,
    });
    const second = await loadConfig(semantic, { env: { ZENDESK_SUBDOMAIN: 'globex' } });
    expect(second.problems.map((p) => [p.line, p.col, p.check, p.code])).toEqual([
      [1, 12, 'ticket_url', 'subdomain_mismatch'],
      [2, 38, 'ticket_url', 'zendesk_ticket_host'],
      [4, 5, 'deny_note', 'bad_regex'],
      [5, 5, 'deny_note', 'unsafe_regex'],
      [8, 12, 'schema', 'unknown_placeholder'],
    ]);
    expect(second.policy.denyPatterns).toEqual([...DEFAULT_DENY_PATTERNS, '\\bfine\\b']);
    expect(second.policy.ticketHosts).toEqual(['support.acme.example']);
  });

  it('refuses nested quantifiers but accepts the built-in deny patterns', () => {
    for (const p of DEFAULT_DENY_PATTERNS) expect(unsafePatternReason(p)).toBeNull();
    for (const p of ['(a+)+', '(.*)*x', '(a|aa)*b', '((ab)*c)+', '(x{2,})*', '(?:\\s*,)+$']) {
      expect(unsafePatternReason(p), p).toMatchObject({ code: 'unsafe_regex' });
    }
    for (const p of ['\\bno\\s+sharing\\b', '(be\\s+)?enabled', '[(+*)]+', '\\(a+\\)+', '(ab){3}']) {
      expect(unsafePatternReason(p), p).toBeNull();
    }
    expect(unsafePatternReason('[z-a]')).toMatchObject({ code: 'bad_regex' });
  });
});
