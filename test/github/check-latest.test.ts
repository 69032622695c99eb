import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeGitHub } from './fake-github.js';
import { Workspace } from './harness.js';

const sha = (c: string) => c.repeat(40);

/**
 * History on main: A merges orgs/acme-corp.yaml (the run being approved), B only touches
 * README.md, C changes orgs/ again.
 */
function seedHistory(gh: FakeGitHub): void {
  const root = (orgs: string, readme: string) => [
    { path: 'README.md', type: 'blob', sha: readme },
    { path: 'orgs', type: 'tree', sha: orgs },
    { path: 'orgshare.config.yaml', type: 'blob', sha: sha('c') },
    { path: 'schema', type: 'tree', sha: sha('d') },
  ];
  gh.trees.set(sha('1'), root(sha('e'), sha('f')));
  gh.trees.set(sha('2'), root(sha('e'), sha('9')));
  gh.trees.set(sha('3'), root(sha('8'), sha('9')));
  gh.commits.set(sha('a'), sha('1'));
  gh.commits.set(sha('b'), sha('2'));
  gh.commits.set(sha('0'), sha('3'));
}

describe('check-latest: apply only while the commit\'s configuration is main\'s', () => {
  let gh: FakeGitHub;
  let ws: Workspace;

  beforeEach(async () => {
    gh = await new FakeGitHub().start();
    ws = new Workspace(gh);
    seedHistory(gh);
  });
  afterEach(async () => {
    await gh.stop();
    ws.cleanup();
  });

  const check = () => ws.run(['check-latest', '--branch', 'main'], { GITHUB_SHA: sha('a') });

  it('is latest when the commit is the tip of main (one request)', async () => {
    gh.branches.set('main', sha('a'));
    const run = await check();
    expect(run.code).toBe(0);
    expect(ws.outputs()).toBe('latest=true\n');
    expect(gh.calls.map((c) => c.path)).toEqual(['/repos/acme/support-config/branches/main']);
  });

  it('is latest when newer commits on main left orgs/, schema/ and the config untouched', async () => {
    gh.branches.set('main', sha('b'));
    const run = await check();
    expect(run.code).toBe(0);
    expect(ws.outputs()).toBe('latest=true\n');
    expect(ws.summary()).toBe('');
  });

  it('is superseded when a newer commit changed orgs/: skip with a notice instead of rolling it back', async () => {
    gh.branches.set('main', sha('0'));
    const run = await check();
    expect(run.code).toBe(0);
    expect(ws.outputs()).toBe('latest=false\n');
    expect(run.stdout).toMatch(/^::notice title=orgshare apply skipped::main has moved on: orgs changed at 000000000000\./);
    expect(ws.summary()).toContain('Skipping apply for aaaaaaaaaaaa');
    expect(gh.writes()).toEqual([]);
  });

  it('compares only the paths it is given', async () => {
    gh.branches.set('main', sha('0'));
    await ws.run(['check-latest', '--branch', 'main', '--paths', 'schema,orgshare.config.yaml'], { GITHUB_SHA: sha('a') });
    expect(ws.outputs()).toBe('latest=true\n');
  });

  it('fails (no output) when main or the commit cannot be read, so apply does not run', async () => {
    const run = await check();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('HTTP 404');
    expect(ws.outputs()).toBe('');
  });

  it('needs a full commit SHA', async () => {
    const run = await ws.run(['check-latest', '--branch', 'main', '--sha', 'abc123']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('full 40-hex commit SHA');
    expect(gh.calls).toHaveLength(0);
  });
});
