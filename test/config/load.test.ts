import { readdirSync, readFileSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadConfigOrThrow } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { ACME_ENV, FIXTURES, makeRepo, orgYaml, REPO_ROOT } from './helpers.js';

/**
 * One mistake per fixture: the exact problem (check/code) and where it is reported.
 * Each file is otherwise a valid organization file, so exactly one problem is expected.
 */
const INVALID: Record<string, { check: string; code: string; line: number; col?: number }> = {
  'alias-bomb.yaml': { check: 'schema', code: 'alias_limit', line: 23, col: 5 },
  'bad-email.yaml': { check: 'schema', code: 'invalid_format', line: 9, col: 14 },
  'bad-key-type.yaml': { check: 'schema', code: 'bad_key', line: 15, col: 1 },
  'bad-sharing-enum.yaml': { check: 'schema', code: 'invalid_value', line: 6, col: 10 },
  'bad-ticket-id.yaml': { check: 'ticket_url', code: 'bad_id', line: 8, col: 11 },
  'bad-url-encoded.yaml': { check: 'ticket_url', code: 'encoded_path', line: 8, col: 11 },
  'bad-url-fragment.yaml': { check: 'ticket_url', code: 'fragment', line: 8, col: 11 },
  'bad-url-http.yaml': { check: 'ticket_url', code: 'not_https', line: 8, col: 11 },
  'bad-url-path.yaml': { check: 'ticket_url', code: 'bad_path', line: 8, col: 11 },
  'bad-url-port.yaml': { check: 'ticket_url', code: 'port', line: 8, col: 11 },
  'bad-url-query.yaml': { check: 'ticket_url', code: 'query', line: 8, col: 11 },
  'bad-url-userinfo.yaml': { check: 'ticket_url', code: 'userinfo', line: 8, col: 11 },
  'comments-only.yaml': { check: 'schema', code: 'empty_file', line: 1, col: 1 },
  'constructor-key.yaml': { check: 'schema', code: 'forbidden_key', line: 9, col: 3 },
  'deep-flow-nesting.yaml': { check: 'schema', code: 'too_deep', line: 1, col: 1 },
  'deep-nesting.yaml': { check: 'schema', code: 'too_deep', line: 41, col: 65 },
  'duplicate-grant.yaml': { check: 'schema', code: 'duplicate_user_grant', line: 18, col: 12 },
  'duplicate-key.yaml': { check: 'schema', code: 'duplicate_key', line: 15, col: 1 },
  'duplicate-requester-list.yaml': { check: 'schema', code: 'duplicate_item', line: 15, col: 44 },
  'empty.yaml': { check: 'schema', code: 'empty_file', line: 1, col: 1 },
  'grant-without-evidence.yaml': { check: 'risk_approved', code: 'missing_evidence', line: 11, col: 5 },
  'hipaa-partner.yaml': { check: 'hipaa', code: 'hipaa_partner', line: 15, col: 5 },
  'hipaa-shared.yaml': { check: 'hipaa', code: 'hipaa_sharing', line: 6, col: 10 },
  'hipaa-user-grant.yaml': { check: 'hipaa', code: 'hipaa_user_grant', line: 16, col: 13 },
  'hyphen-lookalike.yaml': { check: 'ticket_url', code: 'lookalike_host', line: 8, col: 11 },
  'javascript-url.yaml': { check: 'ticket_url', code: 'not_https', line: 8, col: 11 },
  'legacy-string.yaml': { check: 'schema', code: 'wrong_type', line: 11, col: 11 },
  'lookalike-host.yaml': { check: 'ticket_url', code: 'lookalike_host', line: 8, col: 11 },
  'missing-confirmed-type.yaml': { check: 'confirmed_type', code: 'missing_confirmed_type', line: 7, col: 1 },
  'missing-evidence.yaml': { check: 'risk_approved', code: 'missing_evidence', line: 7, col: 1 },
  'missing-name.yaml': { check: 'schema', code: 'missing_key', line: 3, col: 1 },
  'multi-doc.yaml': { check: 'schema', code: 'multiple_documents', line: 15, col: 1 },
  'negative-id.yaml': { check: 'schema', code: 'out_of_range', line: 4, col: 7 },
  'no-sharing-shared.yaml': { check: 'deny_note', code: 'deny_note_sharing', line: 6, col: 10 },
  'no-sharing-user-grant.yaml': { check: 'deny_note', code: 'deny_note_user_grant', line: 16, col: 13 },
  'not-authorized.yaml': { check: 'approver_member', code: 'not_authorized', line: 12, col: 18 },
  'partner-without-consent.yaml': { check: 'risk_approved', code: 'missing_consent', line: 11, col: 5 },
  'proto-key.yaml': { check: 'schema', code: 'forbidden_key', line: 15, col: 1 },
  'public-partner-domain.yaml': { check: 'schema', code: 'public_email_domain', line: 15, col: 13 },
  'punycode-host.yaml': { check: 'ticket_url', code: 'lookalike_host', line: 8, col: 11 },
  'quote-too-short.yaml': { check: 'schema', code: 'too_short', line: 14, col: 12 },
  'root-list.yaml': { check: 'schema', code: 'wrong_type', line: 3, col: 1 },
  'string-instead-of-list.yaml': { check: 'schema', code: 'wrong_type', line: 15, col: 24 },
  'tab-indent.yaml': { check: 'schema', code: 'yaml_syntax', line: 5, col: 1 },
  'type-mismatch.yaml': { check: 'confirmed_type', code: 'type_mismatch', line: 10, col: 19 },
  'unknown-key.yaml': { check: 'schema', code: 'unknown_key', line: 9, col: 3 },
  'unknown-ticket-host.yaml': { check: 'ticket_url', code: 'unknown_host', line: 8, col: 11 },
  'unknown-top-level-key.yaml': { check: 'schema', code: 'unknown_key', line: 15, col: 1 },
  'wrong-subdomain.yaml': { check: 'ticket_url', code: 'wrong_subdomain', line: 8, col: 11 },
  'wrong-type-id.yaml': { check: 'schema', code: 'wrong_type', line: 4, col: 7 },
  'yaml-syntax.yaml': { check: 'schema', code: 'yaml_syntax', line: 15, col: 1 },
  'yaml-tag.yaml': { check: 'schema', code: 'yaml_tag', line: 5, col: 15 },
};

const invalidDir = join(FIXTURES, 'invalid');

describe('invalid organization files', () => {
  it('has a table row for every fixture and a fixture for every row', () => {
    const files = readdirSync(invalidDir).filter((f) => f.endsWith('.yaml')).sort();
    expect(files).toEqual(Object.keys(INVALID).sort());
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  it.each(Object.entries(INVALID))('%s → exactly one problem: %o', async (name, want) => {
    const dir = makeRepo({ [`orgs/${name}`]: readFileSync(join(invalidDir, name)) });
    const { problems, desired } = await loadConfig(dir, { env: ACME_ENV });
    expect(problems).toHaveLength(1);
    const [p] = problems;
    expect({ check: p!.check, code: p!.code, line: p!.line, col: p!.col }).toEqual({ col: p!.col, ...want });
    expect(p!.file).toBe(`orgs/${name}`);
    expect(p!.message.length).toBeGreaterThan(10);
    expect(desired.orgs).toEqual([]);
  });

  it('reports a file above 256 KiB without parsing it', async () => {
    const huge = orgYaml() + `# ${'x'.repeat(300 * 1024)}\n`;
    const dir = makeRepo({ 'orgs/huge-file.yaml': huge });
    const { problems } = await loadConfig(dir, { env: ACME_ENV });
    expect(problems).toMatchObject([{ check: 'schema', code: 'file_too_large', file: 'orgs/huge-file.yaml', line: 1, col: 1 }]);
  });

  it('reports bytes that are not UTF-8 at their line', async () => {
    const bytes = Buffer.concat([Buffer.from(orgYaml().replace('Acme Corp', 'Acme ')), Buffer.from([0xff, 0xfe, 0x0a])]);
    const dir = makeRepo({ 'orgs/non-utf8.yaml': bytes });
    const { problems } = await loadConfig(dir, { env: ACME_ENV });
    expect(problems).toMatchObject([{ check: 'schema', code: 'not_utf8', line: 13, col: 1 }]);
  });

  it('refuses a nested billion-laughs document at the alias limit instead of expanding it', async () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const dir = makeRepo({ 'orgs/laughs.yaml': `${lines.join('\n')}\n` });
    // Expanded, the document would hold 10^10 scalars; the loader stops at the alias limit
    // (the test's own timeout is the only clock: no wall-time bound here).
    const { problems } = await loadConfig(dir, { env: ACME_ENV });
    expect(problems.map((p) => p.code)).toEqual(['alias_limit']);
  });

  it('reports every problem of every file at once, sorted by file and line', async () => {
    const dir = makeRepo({
      'orgs/b.yaml': readFileSync(join(invalidDir, 'type-mismatch.yaml')).toString().replace('360000000101', '360000000102'),
      'orgs/a.yaml': readFileSync(join(invalidDir, 'wrong-subdomain.yaml')).toString().replace('sharing: read_only', 'sharing: shared'),
      'orgs/c.yaml': readFileSync(join(invalidDir, 'empty.yaml')),
      'orgs/ok.yaml': orgYaml(360000000199, 'Fine Ltd'),
    });
    const { problems, desired, files } = await loadConfig(dir, { env: ACME_ENV });
    expect(files).toEqual(['orgs/a.yaml', 'orgs/b.yaml', 'orgs/c.yaml', 'orgs/ok.yaml']);
    expect(problems.map((p) => `${p.file}:${p.line} ${p.check}/${p.code}`)).toEqual([
      // a.yaml: the schema error hides the offline rules of that file (they need a valid file)
      'orgs/a.yaml:6 schema/invalid_value',
      'orgs/b.yaml:10 confirmed_type/type_mismatch',
      'orgs/c.yaml:1 schema/empty_file',
    ]);
    expect(desired.orgs.map((o) => o.file)).toEqual(['orgs/ok.yaml']);
  });
});

describe('the example organizations in orgs/', () => {
  it('validate cleanly against the sandbox account', async () => {
    const { problems, desired, files } = await loadConfig(REPO_ROOT, { env: ACME_ENV });
    expect(problems).toEqual([]);
    expect(files).toEqual(['orgs/acme-corp.yaml', 'orgs/globex.yaml', 'orgs/hooli.yaml', 'orgs/initech.yaml', 'orgs/umbrella-health.yaml']);
    expect(desired.orgs.map((o) => [o.id, o.name, o.sharing])).toEqual([
      [360000000101, 'Acme Corp', 'read_only'],
      [360000000102, 'Globex', 'read_write'],
      [360000000105, 'Hooli', 'private'],
      [360000000103, 'Initech', 'private'],
      [360000000104, 'Umbrella Health', 'private'],
    ]);
  });

  it('builds the desired state of Acme Corp with its evidence and source positions', async () => {
    const { desired } = await loadConfig(REPO_ROOT, { env: ACME_ENV });
    const acme = desired.orgs.find((o) => o.id === 360000000101)!;
    expect(acme).toMatchObject({
      file: 'orgs/acme-corp.yaml',
      request: {
        ticket: {
          url: 'https://acme.zendesk.com/agent/tickets/4821',
          id: 4821,
          host: 'acme.zendesk.com',
          subdomain: 'acme',
          canonical: 'https://acme.zendesk.com/agent/tickets/4821',
        },
        requester: 'jane@acme.example',
        confirmedType: 'read_only',
        riskApproval: { approvedBy: 'jane@acme.example', commentId: 90210, quote: 'we accept the security risk' },
        legacy: false,
      },
      authorizedRequesters: ['jane@acme.example'],
      userAccess: [],
      partners: [],
      restrictions: { hipaa: false },
    });
    const text = readFileSync(join(REPO_ROOT, 'orgs/acme-corp.yaml'), 'utf8').split('\n');
    const at = (path: string) => {
      const p = acme.positions[path]!;
      expect(p.file).toBe('orgs/acme-corp.yaml');
      return text[p.line - 1]!.slice(p.col - 1);
    };
    expect(at('/sharing')).toBe('read_only');
    expect(at('/request/ticket')).toBe('https://acme.zendesk.com/agent/tickets/4821');
    expect(at('/request/risk_approval/quote')).toBe('"we accept the security risk"');
    expect(at('/request/risk_approval')).toBe('risk_approval:');
    expect(at('/authorized_requesters/0')).toBe('jane@acme.example]');
  });

  it('builds Hooli’s user grant and Umbrella Health’s HIPAA restriction', async () => {
    const { desired } = await loadConfig(REPO_ROOT, { env: ACME_ENV });
    const hooli = desired.orgs.find((o) => o.name === 'Hooli')!;
    expect(hooli.userAccess).toMatchObject([
      {
        email: 'lead@hooli.example',
        access: 'organization',
        ticket: { id: 5010, canonical: 'https://acme.zendesk.com/agent/tickets/5010' },
        riskApproval: { approvedBy: 'gavin@hooli.example', commentId: 50110, quote: 'We accept the security risk' },
        source: { file: 'orgs/hooli.yaml', line: 13, col: 5 },
      },
    ]);
    expect(hooli.positions['/user_access/0/email']).toEqual({ file: 'orgs/hooli.yaml', line: 13, col: 12 });
    const umbrella = desired.orgs.find((o) => o.name === 'Umbrella Health')!;
    expect(umbrella.restrictions).toEqual({ hipaa: true });
    expect(umbrella.request).toMatchObject({ ticket: { id: 4950 }, requester: 'nurse@umbrella.example', legacy: false });
  });
});

describe('cross-file rules', () => {
  it('reports a duplicate organization id in both files', async () => {
    const dir = makeRepo({
      'orgs/acme.yaml': orgYaml(360000000101, 'Acme Corp'),
      'orgs/acme-copy.yaml': orgYaml(360000000101, 'Acme Corporation'),
      'orgs/globex.yaml': orgYaml(360000000102, 'Globex'),
    });
    const { problems, desired } = await loadConfig(dir, { env: ACME_ENV });
    expect(problems).toEqual([
      expect.objectContaining({ file: 'orgs/acme-copy.yaml', line: 2, col: 7, check: 'schema', code: 'duplicate_id', message: expect.stringContaining('orgs/acme.yaml') }),
      expect.objectContaining({ file: 'orgs/acme.yaml', line: 2, col: 7, check: 'schema', code: 'duplicate_id', message: expect.stringContaining('orgs/acme-copy.yaml') }),
    ]);
    expect(desired.orgs.map((o) => o.file)).toEqual(['orgs/globex.yaml']);
  });

  it('reports a user granted in two organization files (one Zendesk setting per user)', async () => {
    const grant = (ticket: number) => `user_access:
  - email: pat@partnerco.example
    access: organization
    ticket: https://acme.zendesk.com/agent/tickets/${ticket}
    risk_approval: {approved_by: jane@acme.example, comment_id: 90210, quote: accept the risk}
`;
    const dir = makeRepo({
      'orgs/acme.yaml': orgYaml(360000000101, 'Acme Corp', grant(4821)),
      'orgs/globex.yaml': orgYaml(360000000102, 'Globex', grant(3100)),
    });
    const { problems } = await loadConfig(dir, { env: ACME_ENV });
    expect(problems.map((p) => [p.file, p.line, p.code])).toEqual([
      ['orgs/acme.yaml', 14, 'duplicate_user_grant'],
      ['orgs/globex.yaml', 14, 'duplicate_user_grant'],
    ]);
  });
});

describe('the orgs/ directory', () => {
  it('ignores README.md and dot-files, reports other entries, symlinks and a missing directory', async () => {
    const dir = makeRepo({
      'orgs/README.md': '# notes',
      'orgs/.gitkeep': '',
      'orgs/acme.yaml': orgYaml(),
      'orgs/acme.yaml.bak': orgYaml(),
      'orgs/nested/x.yaml': orgYaml(360000000109),
      'elsewhere.yaml': orgYaml(360000000108),
    });
    symlinkSync(join(dir, 'elsewhere.yaml'), join(dir, 'orgs', 'linked.yaml'));
    const { problems, files } = await loadConfig(dir, { env: ACME_ENV });
    expect(files).toEqual(['orgs/acme.yaml']);
    expect(problems.map((p) => [p.file, p.code])).toEqual([
      ['orgs/acme.yaml.bak', 'unexpected_file'],
      ['orgs/linked.yaml', 'symlink'],
      ['orgs/nested', 'unexpected_file'],
    ]);

    const empty = makeRepo();
    mkdirSync(join(empty, 'unrelated'));
    const none = await loadConfig(join(empty, 'unrelated'), { env: ACME_ENV });
    expect(none.problems).toMatchObject([{ file: 'orgs', code: 'no_orgs_dir', check: 'schema' }]);
  });

  it('accepts .yml files and an empty orgs/ directory', async () => {
    expect((await loadConfig(makeRepo(), { env: ACME_ENV })).problems).toEqual([]);
    const { problems, desired } = await loadConfig(makeRepo({ 'orgs/acme.yml': orgYaml() }), { env: ACME_ENV });
    expect(problems).toEqual([]);
    expect(desired.orgs.map((o) => o.file)).toEqual(['orgs/acme.yml']);
  });
});

describe('desired state hash', () => {
  it('is stable, covers every organization file and the config file, and ignores README.md', async () => {
    const dir = makeRepo({ 'orgs/acme.yaml': orgYaml(), 'orgs/globex.yaml': orgYaml(360000000102, 'Globex') });
    const hash = async () => (await loadConfig(dir, { env: ACME_ENV })).desired.hash;
    const first = await hash();
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await hash()).toBe(first);

    writeFileSync(join(dir, 'orgs', 'README.md'), 'docs only');
    expect(await hash()).toBe(first);

    writeFileSync(join(dir, 'orgs', 'globex.yaml'), orgYaml(360000000102, 'Globex') + '# a comment\n');
    const afterEdit = await hash();
    expect(afterEdit).not.toBe(first);

    writeFileSync(join(dir, 'orgshare.config.yaml'), 'max_changes: 5\n');
    expect(await hash()).not.toBe(afterEdit);
  });

  it('differs when content moves between files', async () => {
    const a = makeRepo({ 'orgs/a.yaml': orgYaml(1, 'A'), 'orgs/b.yaml': orgYaml(2, 'B') });
    const b = makeRepo({ 'orgs/a.yaml': orgYaml(2, 'B'), 'orgs/b.yaml': orgYaml(1, 'A') });
    const [ha, hb] = await Promise.all([loadConfig(a, { env: ACME_ENV }), loadConfig(b, { env: ACME_ENV })]);
    expect(ha.desired.hash).not.toBe(hb.desired.hash);
  });
});

describe('loadConfigOrThrow', () => {
  it('returns the configuration when valid and throws ConfigError with every problem otherwise', async () => {
    const ok = await loadConfigOrThrow(makeRepo({ 'orgs/acme.yaml': orgYaml() }), { env: ACME_ENV });
    expect(ok.desired.orgs).toHaveLength(1);
    expect(ok.policy.subdomain).toBe('acme');

    const dir = makeRepo({
      'orgs/a.yaml': readFileSync(join(invalidDir, 'missing-evidence.yaml')),
      'orgs/b.yaml': readFileSync(join(invalidDir, 'lookalike-host.yaml')).toString().replace('360000000101', '360000000102'),
    });
    const err = await loadConfigOrThrow(dir, { env: ACME_ENV }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => p.code)).toEqual(['missing_evidence', 'lookalike_host']);
    expect((err as ConfigError).message).toBe('2 problems in the configuration');
  });
});

describe('evidence rules', () => {
  it('lets a grant on the request’s ticket use the request’s risk approval', async () => {
    const extra = `user_access:
  - email: bob@acme.example
    access: organization
    ticket: https://acme.zendesk.com/hc/en-us/requests/4821
`;
    const { problems, desired } = await loadConfig(makeRepo({ 'orgs/acme.yaml': orgYaml(360000000101, 'Acme Corp', extra) }), { env: ACME_ENV });
    expect(problems).toEqual([]);
    expect(desired.orgs[0]!.userAccess[0]).toMatchObject({ email: 'bob@acme.example', ticket: { canonical: 'https://acme.zendesk.com/agent/tickets/4821' } });
    expect(desired.orgs[0]!.userAccess[0]!.riskApproval).toBeUndefined();
  });

  it('waives evidence for a legacy record but never the HIPAA restriction', async () => {
    const legacy = `organization: {id: 360000000101, name: Acme Corp}
sharing: read_write
request:
  ticket: https://acme.zendesk.com/agent/tickets/100
  legacy: true
`;
    const ok = await loadConfig(makeRepo({ 'orgs/acme.yaml': legacy }), { env: ACME_ENV });
    expect(ok.problems).toEqual([]);
    expect(ok.desired.orgs[0]!.request).toMatchObject({ legacy: true });

    const hipaa = await loadConfig(makeRepo({ 'orgs/acme.yaml': `${legacy}restrictions: {hipaa: true}\n` }), { env: ACME_ENV });
    expect(hipaa.problems.map((p) => `${p.check}/${p.code}`)).toEqual(['hipaa/hipaa_sharing']);
  });

  it('checks every approver against authorized_requesters, case-insensitively', async () => {
    const extra = `authorized_requesters: [JANE@acme.example]
user_access:
  - email: bob@acme.example
    access: organization
    ticket: https://acme.zendesk.com/agent/tickets/4900
    risk_approval: {approved_by: bob@acme.example, comment_id: 49001, quote: we accept it}
partners:
  - domain: partnerco.example
    ticket: https://acme.zendesk.com/agent/tickets/4901
    consent: {approved_by: sam@acme.example, comment_id: 49011, quote: we agree}
`;
    const { problems } = await loadConfig(makeRepo({ 'orgs/acme.yaml': orgYaml(360000000101, 'Acme Corp', extra) }), { env: ACME_ENV });
    expect(problems.map((p) => [p.line, p.check, p.code, p.value])).toEqual([
      [18, 'approver_member', 'not_authorized', 'bob@acme.example'],
      [22, 'approver_member', 'not_authorized', 'sam@acme.example'],
    ]);
  });
});

describe('valid fixtures (test/fixtures/valid: a config repo with a policy file)', () => {
  const dir = join(FIXTURES, 'valid');

  it('load without problems, whatever the style, line endings or byte-order mark', async () => {
    const { problems, desired, files, policy } = await loadConfig(dir, { env: {} });
    expect(problems).toEqual([]);
    expect(files).toHaveLength(9);
    expect(desired.orgs).toHaveLength(9);
    expect(policy.subdomain).toBe('acme');
    const byName = Object.fromEntries(desired.orgs.map((o) => [o.name, o]));
    expect(byName['Windows Line Endings']!.request!.ticket.id).toBe(6020);
    expect(byName['Byte Order Mark']!.positions['/organization/id']).toMatchObject({ line: 2, col: 7 });
    expect(byName['Flow & Co']!.request).toMatchObject({ requester: 'eve@flow.example', riskApproval: { approvedBy: 'eve@flow.example', commentId: 60100 } });
    expect(byName['Flow & Co']!.authorizedRequesters).toEqual(['eve@flow.example']);
    expect(byName['Müller & Söhne GmbH']).toBeDefined();
    expect(byName['Host Mapped']!.request!.ticket).toEqual({
      url: 'https://support.acme.example/hc/requests/6050',
      id: 6050,
      host: 'support.acme.example',
      subdomain: null,
      // The record cites the account's own host, never the ticket_hosts entry.
      canonical: 'https://acme.zendesk.com/agent/tickets/6050',
    });
    expect(byName['Help Center Request']!.request!.ticket.canonical).toBe('https://acme.zendesk.com/agent/tickets/6040');
    expect(byName['Legacy Shared']!.request).toMatchObject({ legacy: true });
    expect(byName['Deny Note Ltd']!.restrictions.noSharing).toContain('will not enable');
    const full = byName['Full Example Ltd']!;
    expect(full.userAccess.map((g) => [g.email, g.access, g.riskApproval?.approvedBy])).toEqual([
      ['carl@full.example', 'organization', 'ben@full.example'],
      ['dora@full.example', 'requested', undefined],
    ]);
    expect(full.partners).toMatchObject([
      { domain: 'partnerco.example', name: 'PartnerCo', ticket: { id: 6004 }, consent: { approvedBy: 'ann@full.example', commentId: 60040 } },
    ]);
  });

  it('reject the host-mapped ticket when ticket_hosts does not list it', async () => {
    const text = readFileSync(join(dir, 'orgs', 'ticket-host.yaml'));
    const { problems } = await loadConfig(makeRepo({ 'orgs/ticket-host.yaml': text }), { env: ACME_ENV });
    expect(problems.map((p) => `${p.check}/${p.code}`)).toEqual(['ticket_url/unknown_host']);
  });
});

describe('baseline files (sharing: private, no request)', () => {
  it('accepts a private organization without a request, as a baseline', async () => {
    const dir = makeRepo({ 'orgs/umbrella.yaml': 'organization:\n  id: 360000000104\n  name: Umbrella Health\nsharing: private\n' });
    const loaded = await loadConfig(dir, { env: ACME_ENV });
    expect(loaded.problems).toEqual([]);
    expect(loaded.desired.orgs.map((o) => [o.id, o.sharing, o.request])).toEqual([[360000000104, 'private', null]]);
  });

  it('needs the full request again as soon as the file widens sharing', async () => {
    const dir = makeRepo({ 'orgs/umbrella.yaml': 'organization:\n  id: 360000000104\n  name: Umbrella Health\nsharing: read_only\n' });
    const loaded = await loadConfig(dir, { env: ACME_ENV });
    expect(loaded.problems.map((p) => `${p.file}:${p.line} ${p.check}/${p.code}`)).toEqual(['orgs/umbrella.yaml:1 schema/missing_key']);
  });
});
