/**
 * The evidence chain from the request to the change, against the sandbox over real HTTP:
 * the requester named the sharing type on the ticket (`confirmed_type`, verified live), the
 * file's requester is the ticket's (`requester_match`), and checks that could not run say
 * why (`skip`). Every blocked case is refused by plan and apply, and nothing is written.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type CommentRecord, type Sandbox } from '../../src/sandbox/index.js';
import { envFor, removeRepos, repo, run, writesOf } from './helpers.js';

const ACME = 360000000101;

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.close();
  await removeRepos();
});
beforeEach(() => sb.reset());

interface AcmeOptions {
  id?: number;
  sharing?: 'read_only' | 'read_write';
  requester?: string;
  /** null: no type_confirmation (the risk approval's quote must name the type). */
  confirmation?: { commentId: number; quote: string } | null;
  approvalQuote?: string;
}

/** orgs/acme-corp.yaml of the shared world, with the evidence under test. */
function acme(o: AcmeOptions = {}): string {
  const sharing = o.sharing ?? 'read_only';
  const c = o.confirmation === undefined ? { commentId: 90200, quote: 'Read only please' } : o.confirmation;
  return [
    'organization:',
    `  id: ${o.id ?? ACME}`,
    '  name: Acme Corp',
    `sharing: ${sharing}`,
    'request:',
    '  ticket: https://acme.zendesk.com/agent/tickets/4821',
    `  requester: ${o.requester ?? 'jane@acme.example'}`,
    `  confirmed_type: ${sharing}`,
    ...(c ? ['  type_confirmation:', `    comment_id: ${c.commentId}`, `    quote: ${JSON.stringify(c.quote)}`] : []),
    '  risk_approval:',
    '    approved_by: jane@acme.example',
    '    comment_id: 90210',
    `    quote: ${JSON.stringify(o.approvalQuote ?? 'we accept the security risk')}`,
    '',
  ].join('\n');
}

function comment(id: number): CommentRecord {
  const c = (sb.store.comments.get(4821) ?? []).find((x) => x.id === id);
  if (!c) throw new Error(`no comment ${id} on ticket 4821`);
  return c;
}

function setBody(c: CommentRecord, body: string): void {
  c.body = body;
  c.plain_body = body;
  c.html_body = `<p>${body}</p>`;
}

/** A public comment on ticket 4821 by `authorId`, after every other comment. */
function addComment(id: number, authorId: number, body: string): number {
  const list = sb.store.comments.get(4821)!;
  const last = list[list.length - 1]!;
  const c: CommentRecord = { ...last, id, author_id: authorId, public: true, created_at: '2024-12-31T00:00:00Z' };
  setBody(c, body);
  list.push(c);
  return id;
}

interface CheckJson {
  id: string;
  status: string;
  message: string;
  hint?: string;
}
interface ChangeJson {
  org_id: number;
  blocked: boolean;
  org_missing?: boolean;
  checks: CheckJson[];
  evidence?: Record<string, unknown>;
}

async function planJson(file: string): Promise<{ code: number; change: ChangeJson; dir: string }> {
  const dir = await repo({ 'orgs/acme-corp.yaml': file });
  const plan = await run(envFor(sb), dir, ['--format', 'json', 'plan']);
  const doc = JSON.parse(plan.stdout) as { changes: ChangeJson[] };
  return { code: plan.code, change: doc.changes[0]!, dir };
}

/** Plan blocks on `check` with `message`; every format names the check; apply writes nothing. */
async function expectBlocked(file: string, check: string, message: RegExp): Promise<CheckJson> {
  sb.clearLog();
  const { code, change, dir } = await planJson(file);
  expect(code).toBe(1);
  expect(change.blocked).toBe(true);
  const failed = change.checks.filter((c) => c.status === 'fail');
  expect(failed.map((c) => c.id)).toContain(check);
  const result = failed.find((c) => c.id === check)!;
  expect(result.message).toMatch(message);
  for (const format of ['text', 'markdown']) {
    const out = await run(envFor(sb), dir, ['--format', format, 'plan']);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain(check);
  }
  const apply = await run(envFor(sb), dir, ['apply', '--yes']);
  expect(apply.code).toBe(1);
  expect(writesOf(sb)).toEqual([]);
  expect(sb.store.org(ACME).shared_tickets).toBe(false);
  return result;
}

/** Refused by the offline checks, naming confirmed_type: exit 1 before any request. */
async function expectRefusedOffline(file: string, message: RegExp): Promise<void> {
  const dir = await repo({ 'orgs/acme-corp.yaml': file });
  sb.clearLog();
  const out = await run(envFor(sb), dir, ['plan']);
  expect(out.code).toBe(1);
  expect(out.stdout + out.stderr).toMatch(/confirmed_type/);
  expect(out.stdout + out.stderr).toMatch(message);
  expect(sb.log()).toEqual([]);
}

async function expectPasses(file: string): Promise<ChangeJson> {
  const { code, change } = await planJson(file);
  expect(change.checks.filter((c) => c.status !== 'pass')).toEqual([]);
  expect(code).toBe(2);
  return change;
}

describe('confirmed_type: the requester named the type on the ticket (verified live)', () => {
  it('the issue’s case: the only comment says "Read only", the file says read_write (approval quote names read_only)', async () => {
    setBody(comment(90210), 'Confirmed, Read only. We accept the security risk.');
    const r = await expectBlocked(
      acme({ sharing: 'read_write', confirmation: null, approvalQuote: 'Confirmed, Read only. We accept the security risk.' }),
      'confirmed_type',
      /names read_only, but request\.confirmed_type and sharing say read_write/,
    );
    expect(r.hint).toMatch(/sharing and confirmed_type/);
  });

  it('the issue’s case with the bare approval quote: it names no type', async () => {
    setBody(comment(90210), 'Confirmed, Read only. We accept the security risk.');
    const r = await expectBlocked(acme({ sharing: 'read_write', confirmation: null, approvalQuote: 'We accept the security risk' }), 'confirmed_type', /names no sharing type/);
    expect(r.hint).toMatch(/read_write: "read\+write"/);
    expect(r.hint).toMatch(/request\.type_confirmation/);
  });

  it('a type_confirmation quote naming read_only in a read_write file is refused before any request (validate)', async () => {
    await expectRefusedOffline(acme({ sharing: 'read_write' }), /type_confirmation\.quote names read_only, but sharing is read_write/);
  });

  it('the confirmation comment is an internal note', async () => {
    comment(90200).public = false;
    await expectBlocked(acme(), 'confirmed_type', /comment 90200 is an internal note/);
  });

  it('the confirmation comment was written by an agent', async () => {
    addComment(90290, 1002, 'Read only please');
    await expectBlocked(acme({ confirmation: { commentId: 90290, quote: 'Read only please' } }), 'confirmed_type', /written by sam@acme\.example, an agent/);
  });

  it('the confirmation comment was written by an end-user of another organization', async () => {
    addComment(90290, 2101, 'Read only please');
    await expectBlocked(
      acme({ confirmation: { commentId: 90290, quote: 'Read only please' } }),
      'confirmed_type',
      /written by greta@globex\.example, who is neither the ticket’s requester nor the approver/,
    );
  });

  it('the ticket’s requester confirms, but they are not a member of the organization', async () => {
    // Jane left Acme: she is still the ticket's requester, but no longer speaks for Acme.
    for (const [id, m] of sb.store.memberships) if (m.user_id === 2001) sb.store.memberships.delete(id);
    sb.store.user(2001).organization_id = null;
    await expectBlocked(acme(), 'confirmed_type', /jane@acme\.example, who is not a member of Acme Corp \(360000000101\); member of no organization/);
  });

  it('the quote is not in the comment', async () => {
    await expectBlocked(acme({ confirmation: { commentId: 90200, quote: 'View only, thanks' } }), 'confirmed_type', /comment 90200 does not contain the quote "View only, thanks"/);
  });

  it('the quote names no type: refused offline for type_confirmation, live for the risk approval', async () => {
    await expectRefusedOffline(acme({ confirmation: { commentId: 90200, quote: 'see all of our organization' } }), /type_confirmation\.quote names no sharing type/);
    const r = await expectBlocked(
      acme({ confirmation: null, approvalQuote: 'On behalf of Acme Corp we accept the security risk' }),
      'confirmed_type',
      /quote "On behalf of Acme Corp we accept the security risk" \(request\.risk_approval\) names no sharing type/,
    );
    expect(r.hint).toMatch(/read_only: "read only", "read-only", "view only"/);
  });

  it('the quote names both types: refused offline for type_confirmation, live for the risk approval', async () => {
    addComment(90290, 2001, 'Read only please, or read and write if that is simpler.');
    await expectRefusedOffline(acme({ confirmation: { commentId: 90290, quote: 'Read only please, or read and write' } }), /names both sharing types/);
    setBody(comment(90210), 'Read only or read/write, whatever works. We accept the security risk.');
    await expectBlocked(
      acme({ confirmation: null, approvalQuote: 'Read only or read/write, whatever works. We accept the security risk.' }),
      'confirmed_type',
      /names both sharing types/,
    );
  });

  it('the confirmation comment is on another ticket', async () => {
    await expectBlocked(acme({ confirmation: { commentId: 31000, quote: 'Read only please' } }), 'confirmed_type', /comment 31000 \(request\.type_confirmation\) is not on ticket 4821/);
  });

  it('passes: the type named in the risk-approval comment, with no type_confirmation', async () => {
    const c = await expectPasses(acme({ confirmation: null, approvalQuote: 'Confirmed: Read only. On behalf of Acme Corp we accept the security risk.' }));
    expect(c.evidence?.type_confirmation).toEqual(expect.objectContaining({ via: 'risk_approval', comment_id: 90210 }));
  });

  it('passes: curly quotes, case and whitespace differ between comment and quote', async () => {
    setBody(comment(90200), 'Hi! We’d like  “READ-ONLY”\n access for everyone, please.');
    await expectPasses(acme({ confirmation: { commentId: 90200, quote: 'we\'d like "read-only" access' } }));
  });

  it('passes: type words are account policy (orgshare.config.yaml type_words)', async () => {
    setBody(comment(90200), 'Bitte nur lesen.');
    const dir = await repo({
      'orgs/acme-corp.yaml': acme({ confirmation: { commentId: 90200, quote: 'nur lesen' } }),
      'orgshare.config.yaml': 'rpm: 10000\ntype_words:\n  read_only: ["nur lesen"]\n',
    });
    const out = await run(envFor(sb), dir, ['--format', 'json', 'plan']);
    expect(out.code, out.stdout + out.stderr).toBe(2);
  });

  it('the plan shows the confirmation quote next to the approval quote, and the requester, in every format', async () => {
    const dir = await repo({ 'orgs/acme-corp.yaml': acme() });
    const text = await run(envFor(sb), dir, ['plan']);
    expect(text.stdout).toMatch(/requester\s+jane@acme\.example \(Jane Cooper\), requester of ticket 4821/);
    expect(text.stdout).toMatch(/type confirmation "Read only please" \(comment 90200 by jane@acme\.example\)\n\s+risk approval\s+"we accept the security risk" \(comment 90210/);
    const md = await run(envFor(sb), dir, ['--format', 'markdown', 'plan']);
    expect(md.stdout).toMatch(/\*\*Requester:\*\* jane@acme\.example \(Jane Cooper\)/);
    expect(md.stdout).toMatch(/\*\*Type confirmation:\*\* “Read only please” — comment 90200[^\n]*\n- \*\*Risk approval:\*\* “we accept the security risk”/);
    const json = JSON.parse((await run(envFor(sb), dir, ['--format', 'json', 'plan'])).stdout) as { changes: ChangeJson[] };
    expect(json.changes[0]!.evidence).toEqual(
      expect.objectContaining({
        requester: { id: 2001, email: 'jane@acme.example', name: 'Jane Cooper' },
        type_confirmation: expect.objectContaining({ via: 'type_confirmation', comment_id: 90200, quote: 'Read only please' }) as unknown,
        approval_quote: 'we accept the security risk',
      }),
    );
  });
});

describe('requester_match: request.requester is the ticket’s requester', () => {
  it('blocked: the file names someone else (nobody@nowhere.example)', async () => {
    const r = await expectBlocked(
      acme({ requester: 'nobody@nowhere.example' }),
      'requester_match',
      /request\.requester is nobody@nowhere\.example, but ticket 4821 was requested by jane@acme\.example \(Jane Cooper\)/,
    );
    expect(r.hint).toMatch(/its requester/);
  });

  it('blocked: the file names another member of the organization', async () => {
    await expectBlocked(acme({ requester: 'bob@acme.example' }), 'requester_match', /requested by jane@acme\.example/);
  });

  it('passes: emails compare case-insensitively', async () => {
    await expectPasses(acme({ requester: 'Jane@ACME.example' }));
  });
});

describe('checks that could not run say why (skip)', () => {
  it('a wrong organization id: follow-on checks are skipped naming name_match, no "report a bug", no "private →" header', async () => {
    const dir = await repo({ 'orgs/acme-corp.yaml': acme({ id: 360000000999 }) });
    const out = await run(envFor(sb), dir, ['plan']);
    expect(out.code).toBe(1);
    expect(out.stdout).not.toMatch(/report a bug/);
    expect(out.stdout).not.toMatch(/private → read_only/);
    expect(out.stdout).toMatch(/enable: organization not found in Zendesk {2}\(none\) → read_only/);
    expect(out.stdout).toMatch(/✗ name_match\s+organization 360000000999 \("Acme Corp"\) does not exist/);
    for (const id of ['ticket_org', 'requester_match', 'confirmed_type', 'risk_message_sent', 'risk_approved', 'approver_member']) {
      expect(out.stdout).toMatch(new RegExp(`- ${id}\\s+not checked: organization 360000000999 does not exist in Zendesk \\(name_match failed\\)`));
    }
    const json = JSON.parse((await run(envFor(sb), dir, ['--format', 'json', 'plan'])).stdout) as { changes: ChangeJson[] };
    expect(json.changes[0]!.org_missing).toBe(true);
    const md = await run(envFor(sb), dir, ['--format', 'markdown', 'plan']);
    expect(md.stdout).toMatch(/`ticket_org` \| ➖ skip \| not checked: organization 360000000999 does not exist/);
  });

  it('a ticket that does not exist: the evidence checks are skipped naming ticket_org', async () => {
    const file = acme().replace('tickets/4821', 'tickets/999999');
    const { change } = await planJson(file);
    const byId = Object.fromEntries(change.checks.map((c) => [c.id, c]));
    expect(byId.ticket_org!.status).toBe('fail');
    for (const id of ['requester_match', 'confirmed_type', 'risk_message_sent', 'risk_approved']) {
      expect(byId[id], id).toEqual(expect.objectContaining({ status: 'skip', message: expect.stringMatching(/ticket_org failed/) as unknown }));
    }
    expect(JSON.stringify(change)).not.toMatch(/report a bug/);
  });
});
