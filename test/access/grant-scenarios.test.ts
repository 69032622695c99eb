/**
 * Issue 8 scenarios for user-level grants, end to end over real HTTP: the CLI against the
 * sandbox. A grant widens access like enabling sharing, so it needs the same evidence, and
 * HIPAA and authorized_requesters hold for it too. Blocked grants write nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { DEFAULT_SEED } from '../../src/sandbox/seed-default.js';
import { cli, configDir, FILES, removeConfigDirs } from '../apply/helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.close();
  await removeConfigDirs();
});
beforeEach(() => sb.reset());

const HOOLI_GRANT = FILES.hooli;

describe('user-level grants (seed 003: the more permissive setting wins)', () => {
  it('a HIPAA organization refuses a user grant before any request is sent', async () => {
    const umbrellaWithGrant = `${FILES.umbrella}user_access:
  - email: nurse@umbrella.example
    access: organization
    ticket: https://acme.zendesk.com/agent/tickets/4950
    risk_approval:
      approved_by: nurse@umbrella.example
      comment_id: 49500
      quote: "Can our org be kept private?"
`;
    const dir = await configDir({ 'umbrella-health': umbrellaWithGrant });
    const plan = await cli(sb, dir, ['plan']);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(/hipaa/);
    expect(plan.stdout).toMatch(/orgs\/umbrella-health\.yaml:\d+:\d+/);
    expect(sb.log()).toEqual([]);

    const apply = await cli(sb, dir, ['apply', '--yes']);
    expect(apply.code).toBe(1);
    expect(sb.writes()).toEqual([]);
    expect(sb.store.users.get(2301)?.ticket_restriction).toBe('requested');
  });

  it('a grant approved by someone outside authorized_requesters is blocked', async () => {
    const dir = await configDir({ hooli: `${HOOLI_GRANT}authorized_requesters: [lead@hooli.example]\n` });
    const plan = await cli(sb, dir, ['plan']);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(/approver_member/);
    expect(plan.stdout).toContain('gavin@hooli.example');
    const apply = await cli(sb, dir, ['apply', '--yes']);
    expect(apply.code).toBe(1);
    expect(sb.writes()).toEqual([]);
  });

  it('a grant approved by an end-user of another organization is blocked by the live check', async () => {
    // Gavin belongs to Acme, not Hooli: the file still names him, the live membership does not fit.
    const seed = structuredClone(DEFAULT_SEED);
    seed.users = seed.users?.map((u) => (u.id === 2402 ? { ...u, organization_id: 360000000101 } : u));
    sb.reset(seed);
    expect(sb.store.membershipsOfUser(2402).map((m) => m.organization_id)).toEqual([360000000101]);
    const dir = await configDir({ hooli: HOOLI_GRANT });
    const plan = await cli(sb, dir, ['--format', 'json', 'plan']);
    expect(plan.code).toBe(1);
    const doc = JSON.parse(plan.stdout) as { changes: { kind: string; blocked: boolean; checks: { id: string; status: string }[] }[] };
    const grant = doc.changes.find((c) => c.kind === 'user_grant');
    expect(grant?.blocked).toBe(true);
    expect(grant?.checks.find((c) => c.id === 'approver_member')?.status).toBe('fail');
    expect(sb.writes()).toEqual([]);
  });

  it('a valid grant is applied with a dated line in the user notes, and then converges', async () => {
    const dir = await configDir({ hooli: HOOLI_GRANT });
    const apply = await cli(sb, dir, ['apply', '--yes']);
    expect(apply.code).toBe(0);
    const lead = sb.store.users.get(2401);
    expect(lead?.ticket_restriction).toBe('organization');
    expect(lead?.notes).toMatch(/Ticket access \(All organization tickets\) granted \d{4}-\d{2}-\d{2} as per https:\/\/acme\.zendesk\.com\/agent\/tickets\/5010/);
    expect(sb.store.ticket(5010).status).toBe('solved');

    sb.clearLog();
    const again = await cli(sb, dir, ['plan']);
    expect(again.code).toBe(0);
    expect(sb.writes()).toEqual([]);
  });
});
