import { describe, expect, it } from 'vitest';
import { buildImport, slugify } from '../../src/importer/build.js';
import { renderImportYaml } from '../../src/importer/yaml.js';
import type { ObservedOrg, ObservedUser } from '../../src/model/observed.js';

function org(details: string | null, shared = true, comments = false): ObservedOrg {
  return { id: 42, name: 'Initech & Co', sharedTickets: shared, sharedComments: comments, details, notes: null, domainNames: [], updatedAt: 't' };
}
function member(id: number, email: string, restriction: ObservedUser['ticketRestriction'], notes: string | null = null): ObservedUser {
  return { id, email, name: email, role: 'end-user', organizationId: 42, ticketRestriction: restriction, notes, details: null, suspended: false, updatedAt: 't' };
}

describe('buildImport', () => {
  it('takes the LAST history line, in the older lowercase form too, and canonicalises a help-center URL', () => {
    const details = [
      'Customer since 2019.',
      'Shared organization (Read only) enabled 2023-01-05 as per https://acme.zendesk.com/agent/tickets/100',
      '- shared organization (read+write) enabled 2024-03-02 as per https://acme.zendesk.com/hc/en-us/requests/3100.',
    ].join('\r\n');
    const built = buildImport({ org: org(details, true, true), subdomain: 'acme' });
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.record).toMatchObject({ sharing: 'read_write', ticket: 'https://acme.zendesk.com/agent/tickets/3100', warnings: [] });
    expect(built.record.history).toMatchObject({ date: '2024-03-02', action: 'enabled', type: 'read_write', line: 3 });
  });

  it('skips an organization with no history line and says to add the ticket by hand', () => {
    const built = buildImport({ org: org('Customer since 2019.') });
    expect(built).toEqual({ ok: false, reason: expect.stringMatching(/no "Shared organization … as per <ticket>" line in Details: write the file by hand/) });
  });

  it('writes a baseline file (no request) for a private organization that was never shared', () => {
    const built = buildImport({ org: org('Customer since 2019.', false) });
    expect(built).toEqual({ ok: true, record: expect.objectContaining({ sharing: 'private', ticket: null, history: null, grants: [] }) });
    if (!built.ok) return;
    const text = renderImportYaml(built.record, { date: '2026-11-23' });
    expect(text).toContain('A baseline file');
    expect(text).not.toContain('request:');
    expect(text).toContain('sharing: private\n');
  });

  it('warns when live sharing is not what the last line records', () => {
    const built = buildImport({ org: org('Shared organization disabled 2024-01-01 as per https://acme.zendesk.com/agent/tickets/7', true) });
    expect(built.ok && built.record.warnings[0]).toMatch(/live sharing is read_only but the last Details line \(2024-01-01\) records private/);
  });

  it('imports end-user grants with the ticket from the user’s notes, else the organization’s', () => {
    const built = buildImport({
      org: org('Shared organization (Read only) enabled 2023-01-05 as per https://acme.zendesk.com/agent/tickets/100'),
      members: [
        member(1, 'Zed@initech.example', 'organization'),
        member(2, 'amy@initech.example', 'organization', 'Ticket access (All organization tickets) granted 2024-02-02 as per https://acme.zendesk.com/agent/tickets/555'),
        member(3, 'bob@initech.example', 'requested'),
      ],
      requesterEmail: 'Bill@Initech.example',
    });
    expect(built.ok && built.record.grants).toEqual([
      { email: 'amy@initech.example', ticket: 'https://acme.zendesk.com/agent/tickets/555', ticketFrom: 'user_notes' },
      { email: 'zed@initech.example', ticket: 'https://acme.zendesk.com/agent/tickets/100', ticketFrom: 'organization' },
    ]);
    expect(built.ok && built.record.requester).toBe('bill@initech.example');
  });

  it('renders stable YAML: modeline first, import date, key order, comments', async () => {
    const built = buildImport({
      org: org('Shared organization (read only) enabled 2023-01-05 as per https://acme.zendesk.com/agent/tickets/100'),
      members: [member(1, 'zed@initech.example', 'organization')],
      requesterEmail: 'bill@initech.example',
    });
    if (!built.ok) throw new Error(built.reason);
    const text = renderImportYaml(built.record, { date: '2026-11-23' });
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/organization.schema.json');
    await expect(text).toMatchFileSnapshot('golden/initech-and-co.yaml');
    expect(renderImportYaml(built.record, { date: '2026-11-23' })).toBe(text);
  });
});

describe('slugify', () => {
  it('makes lowercase ASCII file names and never an empty one', () => {
    expect(slugify('Acme Corp', 1)).toBe('acme-corp');
    expect(slugify('Umbrella Health', 1)).toBe('umbrella-health');
    expect(slugify('Crème Brûlée GmbH & Co. KG', 1)).toBe('creme-brulee-gmbh-and-co-kg');
    expect(slugify('株式会社', 360000000107)).toBe('org-360000000107');
  });
});
