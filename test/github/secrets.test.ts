import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeGitHub } from './fake-github.js';
import { Workspace, planReport, type Run } from './harness.js';

/** The token must not appear in any form a log could show. */
function expectNoToken(run: Run, token: string): void {
  const all = `${run.stdout}\n${run.stderr}`;
  expect(all).not.toContain(token);
  expect(all).not.toContain(Buffer.from(token).toString('base64'));
}

describe('the GitHub token never appears in output or errors', () => {
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

  it('is absent from the output of successful runs', async () => {
    const file = ws.write('plan.md', planReport());
    const runs = [
      await ws.run(['sticky-comment', '--pr', String(pr), '--file', file, '--exit-code', '2', '--summary']),
      await ws.run(['drift-issue', '--file', file, '--drift-exit-code', '2', '--summary']),
      await ws.run(['summary', '--kind', 'apply', '--file', file, '--exit-code', '0']),
    ];
    for (const run of runs) {
      expect(run.code).toBe(0);
      expectNoToken(run, gh.token);
    }
    expect(ws.summary()).not.toContain(gh.token);
  });

  it('is redacted when a server or proxy echoes the Authorization header in its error', async () => {
    gh.fail({ method: 'GET', path: /\/comments$/, status: 400, message: (req) => `bad request with ${req.headers.authorization} (token ${gh.token})` });
    const run = await ws.run(['sticky-comment', '--pr', String(pr), '--file', ws.write('plan.md', planReport()), '--exit-code', '2']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('HTTP 400');
    expect(run.stderr).toContain('[REDACTED]');
    expectNoToken(run, gh.token);
  });

  it('is not printed when GitHub rejects it, and the error says what failed', async () => {
    const wrong = 'ghs_wrongTOKENzzzzzzzzzzzzzzzzzz';
    const run = await ws.run(['drift-issue', '--file', ws.write('drift.md', 'drift'), '--drift-exit-code', '2'], { GITHUB_TOKEN: wrong });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('HTTP 401: Bad credentials');
    expectNoToken(run, wrong);
  });

  it('is never sent to another host named in a pagination link', async () => {
    const seen: (string | undefined)[] = [];
    const other = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      gh.fail({ method: 'GET', path: /\/comments$/, status: 200, json: [], headers: { link: `<${otherUrl}/steal?page=2>; rel="next"` } });
      const run = await ws.run(['sticky-comment', '--pr', String(pr), '--file', ws.write('plan.md', planReport()), '--exit-code', '2']);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('refused to follow a pagination link to another host');
      expect(seen).toEqual([]);
    } finally {
      await new Promise<void>((r) => other.close(() => r()));
    }
  });

  it('reports a missing token as a usage problem without calling GitHub', async () => {
    const run = await ws.run(['drift-issue', '--file', ws.write('drift.md', 'x'), '--drift-exit-code', '2'], { GITHUB_TOKEN: undefined });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('GITHUB_TOKEN is not set');
    expect(gh.calls).toHaveLength(0);
  });
});
