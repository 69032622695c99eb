/**
 * Evidence spoofing, run against the sandbox: the file looks right, but what Zendesk holds
 * does not prove an approval (an approval edited after the fact, an agent or an outsider
 * as the approver, the risk message hidden in an internal note or written by the customer,
 * a borrowed comment or ticket). Each must be blocked by its check, with a message saying
 * why, and neither plan nor apply may write anything.
 *
 * Zendesk does not let anyone edit a comment's text or date; the sandbox's store stands
 * in for whatever could make the live ticket differ from what the reviewer was shown
 * (a redaction, an import, a bug, or a forged record).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RISK_MESSAGE } from '../../src/model/policy.js';
import { startSandbox, type CommentRecord, type Sandbox } from '../../src/sandbox/index.js';
import { acmeFile, envFor, removeRepos, repo, run, writesOf } from './helpers.js';

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

function comment(ticketId: number, id: number): CommentRecord {
  const c = (sb.store.comments.get(ticketId) ?? []).find((x) => x.id === id);
  if (!c) throw new Error(`no comment ${id} on ticket ${ticketId}`);
  return c;
}

/** Rewrites a comment's text in every form the API serves it. */
function setBody(c: CommentRecord, body: string): void {
  c.body = body;
  c.plain_body = body;
  c.html_body = `<p>${body}</p>`;
}

/** Adds a public comment by `authorId` to ticket 4821, after every other comment. */
function addComment(authorId: number, body: string, opts: { public?: boolean } = {}): number {
  const list = sb.store.comments.get(4821)!;
  const last = list[list.length - 1]!;
  const c: CommentRecord = { ...last, id: 90299, author_id: authorId, public: opts.public ?? true, created_at: '2024-12-31T00:00:00Z' };
  setBody(c, body);
  list.push(c);
  return c.id;
}

interface PlanJson {
  blocked: boolean;
  changes: { org_id: number; blocked: boolean; checks: { id: string; status: string; message: string }[] }[];
}

interface Spoof {
  name: string;
  /** What the attacker changed in Zendesk (or what Zendesk holds). */
  arrange?: () => void;
  file?: string;
  /** The check that must fail, and words its message must carry. */
  check: string;
  message: RegExp;
}

const SPOOFS: Spoof[] = [
  {
    name: 'the approval comment was edited later: its text no longer contains the quote',
    arrange: () => setBody(comment(4821, 90210), 'On second thought we do not want this. Please keep our tickets private.'),
    check: 'risk_approved',
    message: /does not contain the quote "we accept the security risk"/,
  },
  {
    name: 'the approval comment was moved before the risk message (created_at rewritten)',
    arrange: () => {
      comment(4821, 90210).created_at = '2024-01-01T00:00:00Z';
    },
    check: 'risk_approved',
    message: /written before the risk message/,
  },
  {
    name: 'the risk message itself was edited away after the approval',
    arrange: () => setBody(comment(4821, 90201), 'Happy to help. Could you confirm the type?'),
    check: 'risk_message_sent',
    message: /no public agent comment on ticket 4821 contains the risk message/,
  },
  {
    name: 'an agent poses as the customer: the approver is an agent account (approved_by = its email)',
    arrange: () => {
      sb.store.user(2001).role = 'agent';
    },
    check: 'approver_member',
    message: /jane@acme\.example is (an )?agent/,
  },
  {
    name: "an agent approves in the customer's place: approved_by names the agent who wrote the comment",
    arrange: () => {
      comment(4821, 90210).author_id = 1002;
    },
    file: acmeFile({ approvedBy: 'sam@acme.example' }),
    check: 'approver_member',
    message: /sam@acme\.example is (an )?agent/,
  },
  {
    name: 'an end-user of a different organization approves (Globex user on an Acme ticket)',
    arrange: () => addComment(2101, 'Fine by us, we accept the security risk.'),
    file: acmeFile({ approvedBy: 'greta@globex.example', commentId: 90299 }),
    check: 'approver_member',
    message: /greta@globex\.example is not a member of Acme Corp/,
  },
  {
    name: 'approved_by names a member, but someone else wrote the comment',
    file: acmeFile({ approvedBy: 'bob@acme.example' }),
    check: 'risk_approved',
    message: /was written by .*jane@acme\.example.*, not by bob@acme\.example/,
  },
  {
    name: 'the approver was suspended since',
    arrange: () => {
      sb.store.user(2001).suspended = true;
    },
    check: 'approver_member',
    message: /suspended/,
  },
  {
    name: 'approved_by is nobody in Zendesk',
    file: acmeFile({ approvedBy: 'ghost@acme.example' }),
    check: 'approver_member',
    message: /no Zendesk user has the email ghost@acme\.example/,
  },
  {
    name: 'the risk message was only ever sent as an internal note',
    arrange: () => {
      comment(4821, 90201).public = false;
    },
    check: 'risk_message_sent',
    message: /internal note/,
  },
  {
    name: 'the risk message was written by the customer (pasted back), never sent by an agent',
    arrange: () => {
      comment(4821, 90201).author_id = 2002;
    },
    check: 'risk_message_sent',
    message: /written by .*bob@acme\.example.*end-user/,
  },
  {
    name: 'the approval is an internal note (an agent typed it)',
    arrange: () => {
      comment(4821, 90210).public = false;
    },
    check: 'risk_approved',
    message: /internal note, not a public comment/,
  },
  {
    name: 'the approval is borrowed from another ticket (Globex 3100)',
    file: acmeFile({ commentId: 31010, quote: 'We accept the security risk' }),
    check: 'risk_approved',
    message: /comment 31010 is not on ticket 4821/,
  },
  {
    name: "the request ticket is another organization's (Globex 3100)",
    file: acmeFile({ ticket: 'https://acme.zendesk.com/agent/tickets/3100', approvedBy: 'greta@globex.example', commentId: 31010 }),
    check: 'ticket_org',
    message: /ticket 3100 belongs to organization 360000000102.*, not to Acme Corp/,
  },
  {
    name: 'the ticket does not exist',
    file: acmeFile({ ticket: 'https://acme.zendesk.com/agent/tickets/999999' }),
    check: 'ticket_org',
    message: /ticket 999999 does not exist/,
  },
  {
    name: 'the quote is only spaces (accepted by the schema: 3 characters)',
    file: acmeFile({ quote: '     ' }),
    check: 'risk_approved',
    message: /does not contain the quote/,
  },
  {
    name: 'the quote is only non-breaking spaces',
    file: acmeFile({ quote: '\u00a0\u00a0\u00a0\u00a0' }),
    check: 'risk_approved',
    message: /does not contain the quote/,
  },
  {
    name: 'the quote is only zero-width spaces',
    file: acmeFile({ quote: '\u200b\u200b\u200b' }),
    check: 'risk_approved',
    message: /does not contain the quote/,
  },
  {
    name: 'a deny note was added to the organization in Zendesk after review',
    arrange: () => sb.store.updateOrganization(ACME, { notes: 'Legal: we will not enable a shared organization for Acme Corp.' }),
    check: 'deny_note',
    message: /will not enable a shared organization/,
  },
];

async function expectRefused(file: string, check: string, message: RegExp): Promise<void> {
  const dir = await repo({ 'orgs/acme-corp.yaml': file });
  sb.clearLog();
  const plan = await run(envFor(sb), dir, ['--format', 'json', 'plan']);
  expect(plan.code, plan.stdout + plan.stderr).toBe(1);
  const doc = JSON.parse(plan.stdout) as PlanJson;
  const change = doc.changes.find((c) => c.org_id === ACME)!;
  expect(change.blocked).toBe(true);
  const failed = change.checks.filter((c) => c.status === 'fail');
  expect(failed.map((c) => c.id)).toContain(check);
  expect(failed.find((c) => c.id === check)!.message).toMatch(message);

  const text = await run(envFor(sb), dir, ['plan']);
  expect(text.stdout).toMatch(new RegExp(`${check}`));

  const apply = await run(envFor(sb), dir, ['apply', '--yes']);
  expect(apply.code).toBe(1);
  expect(apply.stderr).toMatch(/nothing was written/);
  expect(writesOf(sb)).toEqual([]);
  expect(sb.store.org(ACME).shared_tickets).toBe(false);
}

describe('spoofed evidence is refused by its check, and nothing is written', () => {
  it('the unspoofed world is accepted (the baseline every case changes one thing in)', async () => {
    const dir = await repo({ 'orgs/acme-corp.yaml': acmeFile() });
    const plan = await run(envFor(sb), dir, ['plan']);
    expect(plan.code).toBe(2);
    expect(writesOf(sb)).toEqual([]);
  });

  for (const s of SPOOFS) {
    it(s.name, async () => {
      s.arrange?.();
      await expectRefused(s.file ?? acmeFile(), s.check, s.message);
    });
  }

  // Fixed: a reply that quotes the agent's risk message back ("> Please keep in mind …
  // What does this mean for us?") contains words of the risk message; with one of them as
  // `quote`, risk_approved passes although nobody approved anything. The quote must be the
  // approver's own words. Fix (src/policy/evidence.ts, checkRiskApproved): fail when the
  // normalized quote occurs in the normalized risk message, and search the quote in the
  // comment with the risk message's text (and "> " quoted lines) removed.
  it('an "approval" that only quotes the risk message back is refused', async () => {
    setBody(comment(4821, 90210), `> ${DEFAULT_RISK_MESSAGE}\n\nWhat does this mean for us? We have not decided yet.`);
    await expectRefused(acmeFile({ quote: 'using a shared organization entails a potential security risk' }), 'risk_approved', /risk message/);
  });
});
