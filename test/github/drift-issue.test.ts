import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DriftReport } from '../../src/model/reports.js';
import { renderDriftMarkdown } from '../../src/render/markdown.js';
import { FakeGitHub } from './fake-github.js';
import { Workspace } from './harness.js';

const MARKER = '<!-- orgshare-drift -->';
const DRIFT = '## Drift\n\n- **Initech** (360000000103): live read_only, orgs/initech.yaml says private\n';
const MORE_DRIFT = `${DRIFT}- **Soylent** (360000000106): shared in Zendesk but not managed in orgs/\n`;

describe('drift issue lifecycle', () => {
  let gh: FakeGitHub;
  let ws: Workspace;

  beforeEach(async () => {
    gh = await new FakeGitHub().start();
    ws = new Workspace(gh);
  });
  afterEach(async () => {
    await gh.stop();
    ws.cleanup();
  });

  const check = (report: string, exitCode: string, extra: string[] = []) =>
    ws.run(['drift-issue', '--file', ws.write('drift.md', report), '--drift-exit-code', exitCode, ...extra]);
  const driftIssues = () => [...gh.issues.values()].filter((i) => i.labels.includes('drift'));

  it('shows overdue attestations in their own section of the issue (the drift Markdown as orgshare renders it)', async () => {
    const report: DriftReport = {
      formatVersion: 1,
      generatedAt: '2026-11-23T06:23:00.000Z',
      account: { subdomain: 'acme', baseUrl: 'https://acme.zendesk.com/api/v2' },
      managed: 1,
      scanned: { organizations: 1, users: 0 },
      items: [
        { kind: 'overdue_attestation', orgId: 360000000102, orgName: 'Globex', file: 'orgs/globex.yaml', grant: 'shared_organization', subject: 'read_write', lastAttested: '2024-03-02T08:00:00.000Z', ageDays: 996, reattestAfter: 365 },
      ],
    };
    expect((await check(renderDriftMarkdown(report), '2')).code).toBe(0);
    const body = driftIssues()[0]!.body!;
    expect(body).toContain('or a grant is overdue for re-attestation');
    expect(body).toContain('#### ⏰ Overdue attestations (1)');
    expect(body).toContain('Globex (360000000102, orgs/globex.yaml): sharing read\\_write last attested 2024-03-02, 996 days ago (reattest\\_after 365)');
  });

  it('leaves an open drift issue open when the clean run was made while an apply held the lock', async () => {
    expect((await check(DRIFT, '2')).stdout).toContain('drift issue opened');
    const [issue] = driftIssues();
    // orgshare drift during an apply: exit 0, the differences deferred to the apply.
    const busy: DriftReport = {
      formatVersion: 1,
      generatedAt: '2026-11-23T06:23:00.000Z',
      account: { subdomain: 'acme', baseUrl: 'https://acme.zendesk.com/api/v2' },
      managed: 1,
      scanned: { organizations: 1, users: 0 },
      items: [],
      applyInProgress: { applies: [{ holder: 'another apply (host runner-7, pid 2412)', orgIds: [360000000103] }], deferred: [] },
    };
    const during = await check(renderDriftMarkdown(busy), '0');
    expect(during.code).toBe(0);
    expect(during.stdout).toContain('the drift issue was left open');
    expect(gh.issues.get(issue!.number)!.state).toBe('open');
    // The next clean run without an apply closes it as before.
    const after = await check(renderDriftMarkdown({ ...busy, applyInProgress: undefined }), '0');
    expect(after.stdout).toContain('drift issue closed');
    expect(gh.issues.get(issue!.number)!.state).toBe('closed');
  });

  it('opens one labelled issue on drift, updates it while drift persists, and closes it with a comment when clean', async () => {
    const opened = await check(DRIFT, '2');
    expect(opened.code).toBe(0);
    expect(opened.stdout).toContain('drift issue opened');
    expect(driftIssues()).toHaveLength(1);
    const issue = driftIssues()[0]!;
    expect(issue.title).toBe('orgshare drift: live Zendesk differs from orgs/');
    expect(issue.body!.startsWith(`${MARKER}\n### orgshare drift`)).toBe(true);
    expect(issue.body).toContain('⚠️ Drift found');
    expect(issue.body).toContain('Initech');
    expect(issue.body).toContain('Checked 2026-11-23T06:23:00Z');

    ws.now = new Date('2026-11-24T06:23:00.000Z');
    const updated = await check(MORE_DRIFT, '2');
    expect(updated.stdout).toContain(`drift issue updated: https://github.com/acme/support-config/issues/${issue.number}`);
    expect(driftIssues()).toHaveLength(1);
    expect(gh.issues.get(issue.number)!.body).toContain('Soylent');
    expect(gh.issues.get(issue.number)!.body).toContain('Checked 2026-11-24T06:23:00Z');
    expect(gh.issues.get(issue.number)!.state).toBe('open');

    ws.now = new Date('2026-11-25T06:23:00.000Z');
    const closed = await check('**No drift.**\n', '0');
    expect(closed.stdout).toContain('drift issue closed');
    expect(gh.issues.get(issue.number)!.state).toBe('closed');
    expect(gh.issues.get(issue.number)!.state_reason).toBe('completed');
    const [closing] = gh.commentsOn(issue.number);
    expect(closing!.body).toContain('No drift found at 2026-11-25T06:23:00Z');
    // Body keeps the last drift report: the closed issue records what had drifted.
    expect(gh.issues.get(issue.number)!.body).toContain('Soylent');

    expect(gh.writes().map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /repos/acme/support-config/issues',
      `PATCH /repos/acme/support-config/issues/${issue.number}`,
      `POST /repos/acme/support-config/issues/${issue.number}/comments`,
      `PATCH /repos/acme/support-config/issues/${issue.number}`,
    ]);
  });

  it('opens a fresh issue when drift comes back after the last one was closed', async () => {
    await check(DRIFT, '2');
    await check('', '0');
    await check(DRIFT, '2');
    const issues = driftIssues();
    expect(issues.map((i) => i.state)).toEqual(['closed', 'open']);
  });

  it('makes no write at all when there is no drift and no open drift issue', async () => {
    const run = await check('**No drift.**\n', '0', ['--summary']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('nothing to do');
    expect(gh.writes()).toEqual([]);
    expect(ws.summary()).toContain('✅ No drift');
  });

  it('leaves the issue untouched when the drift check itself failed, and says so in the summary', async () => {
    await check(DRIFT, '2');
    const before = structuredClone(driftIssues());
    const writesBefore = gh.writes().length;
    const run = await check('', '1', ['--summary']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('left as it is');
    expect(driftIssues()).toEqual(before);
    expect(gh.writes()).toHaveLength(writesBefore);
    expect(ws.summary()).toContain('The drift check failed (exit 1)');
  });

  it('ignores issues people labelled drift themselves, and pull requests with the label', async () => {
    const human = gh.addIssue({ title: 'Drift in Globex? investigating', body: 'Seen in the audit log', labels: ['drift'] });
    const pr = gh.addPullRequest();
    gh.issues.get(pr)!.labels.push('drift');
    gh.issues.get(pr)!.body = `${MARKER}\nnot an issue`;

    await check(DRIFT, '2');
    await check('', '0');

    expect(gh.issues.get(human)!.body).toBe('Seen in the audit log');
    expect(gh.issues.get(human)!.state).toBe('open');
    expect(gh.issues.get(pr)!.state).toBe('open');
    expect(gh.commentsOn(human)).toHaveLength(0);
  });

  it('finds the open drift issue on the second page of labelled issues', async () => {
    const ours = gh.addIssue({ title: 'orgshare drift', body: `${MARKER}\n### orgshare drift\n\nold`, labels: ['drift'] });
    for (let i = 0; i < 105; i++) gh.addIssue({ title: `triage ${i}`, body: 'x', labels: ['drift'] });

    const run = await check(DRIFT, '2');

    expect(run.code).toBe(0);
    expect(gh.issues.get(ours)!.body).toContain('Initech');
    expect(driftIssues().filter((i) => i.body?.startsWith(MARKER))).toHaveLength(1);
    const pages = gh.calls.filter((c) => c.method === 'GET' && c.path.endsWith('/issues')).map((c) => new URLSearchParams(c.query).get('page') ?? '1');
    expect(pages).toEqual(['1', '2']);
  });

  it('keeps a single open drift issue: a reopened older one is closed as superseded', async () => {
    const older = gh.addIssue({ title: 'orgshare drift', body: `${MARKER}\nold`, labels: ['drift'] });
    const newer = gh.addIssue({ title: 'orgshare drift', body: `${MARKER}\nnewer`, labels: ['drift'] });

    const run = await check(DRIFT, '2');

    expect(run.stdout).toContain(`closed superseded drift issues: #${newer}`);
    expect(gh.issues.get(older)!.state).toBe('open');
    expect(gh.issues.get(older)!.body).toContain('Initech');
    expect(gh.issues.get(newer)!.state).toBe('closed');
    expect(gh.issues.get(newer)!.state_reason).toBe('not_planned');
    expect(gh.commentsOn(newer)[0]!.body).toBe(`Superseded by #${older}, which tracks the current drift report.`);
  });

  it('uses a custom label when asked', async () => {
    await check(DRIFT, '2', ['--label', 'zendesk-drift']);
    expect([...gh.issues.values()].map((i) => i.labels)).toEqual([['zendesk-drift']]);
  });

  it('rejects an exit code orgshare drift never returns', async () => {
    const run = await check(DRIFT, '3');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--drift-exit-code must be one of 0, 1, 2');
    expect(gh.calls).toHaveLength(0);
  });
});
