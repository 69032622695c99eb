import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeGitHub, BODY_LIMIT } from './fake-github.js';
import { HEAD_SHA, Workspace, planReport } from './harness.js';

const MARKER = '<!-- orgshare-plan -->';

describe('plan sticky comment on a pull request', () => {
  let gh: FakeGitHub;
  let ws: Workspace;
  let pr: number;

  beforeEach(async () => {
    gh = await new FakeGitHub().start();
    ws = new Workspace(gh);
    pr = gh.addPullRequest();
  });
  afterEach(async () => {
    await gh.stop();
    ws.cleanup();
  });

  const post = (file: string, exitCode = '2', extra: string[] = []) =>
    ws.run(['sticky-comment', '--pr', String(pr), '--file', file, '--exit-code', exitCode, '--sha', HEAD_SHA, ...extra]);

  it('creates one marked comment on the first push, then edits that same comment on the next push', async () => {
    const first = await post(ws.write('plan.md', planReport()));
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('sticky comment created');
    const [created] = gh.commentsOn(pr);
    expect(created!.body.startsWith(`${MARKER}\n### orgshare plan`)).toBe(true);
    expect(created!.body).toContain('📝 Changes planned');
    expect(created!.body).toContain('private → read_only');
    expect(created!.body).toContain(`commit \`${HEAD_SHA.slice(0, 12)}\``);
    expect(created!.body).toContain('https://github.com/acme/support-config/actions/runs/4242');

    const second = await post(ws.write('plan.md', planReport(['- **Acme Corp** (360000000101): private → read_write'])));
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('sticky comment updated');
    const comments = gh.commentsOn(pr);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.id).toBe(created!.id);
    expect(comments[0]!.body).toContain('private → read_write');
    expect(comments[0]!.body).not.toContain('private → read_only');
    expect(gh.writes().map((c) => `${c.method} ${c.path}`)).toEqual([
      `POST /repos/acme/support-config/issues/${pr}/comments`,
      `PATCH /repos/acme/support-config/issues/comments/${created!.id}`,
    ]);
  });

  it('shows the saved plan\'s fingerprint (--plan), the one the apply job will check', async () => {
    const planJson = ws.write('plan.json', JSON.stringify({ format_version: 1, changes: [] }));
    const run = await post(ws.write('plan.md', planReport()), '2', ['--plan', planJson]);
    expect(run.code).toBe(0);
    const { planFingerprint } = await import('../../src/plan/saved.js');
    expect(gh.commentsOn(pr)[0]!.body).toContain(`Plan fingerprint: \`${planFingerprint({ format_version: 1, changes: [] })}\``);
    const notJson = await post(ws.write('plan.md', planReport()), '2', ['--plan', ws.write('bad.json', 'not json')]);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain('is not a saved plan');
  });

  it('finds its comment on the second page of a busy pull request instead of adding another', async () => {
    for (let i = 0; i < 100; i++) gh.addComment(pr, `review remark ${i}`);
    const ours = gh.addComment(pr, `${MARKER}\n### orgshare plan\n\nold plan`, 'github-actions[bot]');
    gh.addComment(pr, 'LGTM after the plan is green');

    const run = await post(ws.write('plan.md', planReport()));

    expect(run.code).toBe(0);
    expect(gh.commentsOn(pr)).toHaveLength(102);
    expect(gh.comments.get(ours)!.body).toContain('private → read_only');
    const listCalls = gh.calls.filter((c) => c.method === 'GET' && c.path.endsWith(`/issues/${pr}/comments`));
    expect(listCalls.map((c) => new URLSearchParams(c.query).get('page') ?? '1')).toEqual(['1', '2']);
    expect(listCalls.every((c) => new URLSearchParams(c.query).get('per_page') === '100')).toBe(true);
    expect(gh.writes()).toEqual([{ method: 'PATCH', path: `/repos/acme/support-config/issues/comments/${ours}`, query: '' }]);
  });

  it('does not take over a human comment that merely quotes the marker', async () => {
    const human = gh.addComment(pr, `Why does the bot write ${MARKER} into its comment?`);
    const run = await post(ws.write('plan.md', planReport()));
    expect(run.code).toBe(0);
    expect(gh.comments.get(human)!.body).toBe(`Why does the bot write ${MARKER} into its comment?`);
    expect(gh.commentsOn(pr)).toHaveLength(2);
  });

  it('truncates a plan larger than GitHub allows, closing the open code fence and saying where the full plan is', async () => {
    const huge = ['## Plan', '', '```diff', ...Array.from({ length: 4000 }, (_, i) => `+ Shared organization (Read only) enabled for org ${i} — 😀`), '```'].join('\n');
    const run = await post(ws.write('plan.md', huge));
    expect(run.code).toBe(0);
    const [comment] = gh.commentsOn(pr);
    expect(comment!.body.length).toBeLessThanOrEqual(BODY_LIMIT);
    expect(comment!.body.startsWith(MARKER)).toBe(true);
    expect(comment!.body).toContain('**Truncated:**');
    expect(comment!.body).toContain('actions/runs/4242');
    expect((comment!.body.match(/^```/gm) ?? []).length % 2).toBe(0);
    expect(comment!.body).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    // The job summary still holds the whole plan, and the step log has it too.
    expect(ws.summary()).toBe('');
    expect(run.stdout).toContain('enabled for org 3999');
  });

  it('says where the error is when plan printed nothing, and marks the plan as blocked', async () => {
    const run = await post(ws.write('plan.md', ''), '1', ['--summary']);
    expect(run.code).toBe(0);
    const [comment] = gh.commentsOn(pr);
    expect(comment!.body).toContain('⛔ Blocked or failed (exit 1)');
    expect(comment!.body).toContain('printed no report (exit 1)');
    expect(ws.summary()).toContain('⛔ Blocked or failed (exit 1)');
    expect(ws.summary()).not.toContain(MARKER);
  });

  it('still writes the job summary when the token may not comment (pull request from a fork)', async () => {
    gh.fail({ method: 'POST', path: `/repos/acme/support-config/issues/${pr}/comments`, status: 403, message: 'Resource not accessible by integration' });
    const run = await post(ws.write('plan.md', planReport()), '0', ['--summary']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('HTTP 403: Resource not accessible by integration');
    expect(ws.summary()).toContain('✅ No changes');
    expect(gh.commentsOn(pr)).toHaveLength(0);
  });

  it('retries a listing that hit a 502, but never re-sends a create that may have landed', async () => {
    gh.fail({ method: 'GET', path: `/repos/acme/support-config/issues/${pr}/comments`, status: 502, message: 'Server Error' });
    gh.fail({ method: 'POST', path: `/repos/acme/support-config/issues/${pr}/comments`, status: 502, message: 'Server Error' });
    const run = await post(ws.write('plan.md', planReport()));
    expect(run.code).toBe(1);
    expect(gh.calls.filter((c) => c.method === 'GET')).toHaveLength(2);
    expect(gh.calls.filter((c) => c.method === 'POST')).toHaveLength(1);
    expect(run.stderr).toContain('HTTP 502');
  });

  it('waits out a secondary rate limit (403 with Retry-After) and then posts', async () => {
    gh.fail({ method: 'POST', path: `/repos/acme/support-config/issues/${pr}/comments`, status: 403, message: 'You have exceeded a secondary rate limit', headers: { 'retry-after': '0' } });
    const run = await post(ws.write('plan.md', planReport()));
    expect(run.code).toBe(0);
    expect(gh.commentsOn(pr)).toHaveLength(1);
  });

  it('refuses bad arguments before calling GitHub', async () => {
    const file = ws.write('plan.md', planReport());
    expect((await ws.run(['sticky-comment', '--pr', 'abc', '--file', file, '--exit-code', '2'])).code).toBe(1);
    const badExit = await ws.run(['sticky-comment', '--pr', String(pr), '--file', file, '--exit-code', '3']);
    expect(badExit.code).toBe(1);
    expect(badExit.stderr).toContain('--exit-code must be one of 0, 1, 2');
    const missing = await ws.run(['sticky-comment', '--pr', String(pr), '--file', `${file}.nope`, '--exit-code', '2']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ENOENT');
    expect(gh.calls).toHaveLength(0);
  });
});
