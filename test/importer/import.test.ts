import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { requestPaths, runCli, sandboxEnv } from '../access/cli-harness.js';

const GLOBEX = 360000000102;
const INITECH = 360000000103;
const HOOLI = 360000000105;

describe('orgshare import (sandbox, real HTTP)', () => {
  let sb: Sandbox;
  let dir: string;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0 });
  });
  afterAll(async () => {
    await sb.close();
  });
  beforeEach(async () => {
    sb.reset();
    dir = await mkdtemp(join(tmpdir(), 'orgshare-import-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const files = async () => (await readdir(join(dir, 'orgs')).catch(() => [] as string[])).sort();
  const read = (name: string) => readFile(join(dir, 'orgs', name), 'utf8');

  it('imports every shared org from the older lowercase Details line, and skips one without history', async () => {
    const run = await runCli(['--dir', dir, 'import', '--shared'], sandboxEnv(sb));
    // Initech is shared but its Details has no history line: skipped, exit 1.
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('wrote orgs/globex.yaml: Globex (360000000102) (read_write, https://acme.zendesk.com/agent/tickets/3100)');
    expect(run.stdout).toMatch(/skipped: Initech \(360000000103\) — shared, but no "Shared organization … as per <ticket>" line in Details: write the file by hand/);
    expect(await files()).toEqual(['globex.yaml']);
    await expect(await read('globex.yaml')).toMatchFileSnapshot('golden/globex.yaml');
    expect(sb.writes()).toEqual([]);
    // Reads: the org scan, the history ticket and its requester, Globex's members; no search.
    expect(requestPaths(sb).filter((p) => /search/.test(p))).toEqual([]);
  });

  it('imports a user-level grant and the requester of the history ticket', async () => {
    sb.store.updateOrganization(HOOLI, {
      details: 'Shared organization disabled 2024-05-01 as per https://acme.zendesk.com/hc/en-us/requests/5010',
    });
    sb.store.updateUser(2401, {
      ticket_restriction: 'organization',
      notes: 'Ticket access (All organization tickets) granted 2024-05-02 as per https://acme.zendesk.com/agent/tickets/5010',
    });
    const run = await runCli(['--dir', dir, 'import', '--org', String(HOOLI)], sandboxEnv(sb));
    expect(run.code).toBe(0);
    const text = await read('hooli.yaml');
    expect(text).toContain(
      [
        'sharing: private',
        'request:',
        '  ticket: https://acme.zendesk.com/agent/tickets/5010 # disabled 2024-05-01',
        '  requester: gavin@hooli.example',
        '  legacy: true',
        'user_access:',
        '  - email: lead@hooli.example',
        '    access: organization',
        '    ticket: https://acme.zendesk.com/agent/tickets/5010',
      ].join('\n'),
    );
  });

  it('refuses to overwrite a file that manages the same org under another name; --force replaces it in place', async () => {
    await mkdir(join(dir, 'orgs'), { recursive: true });
    const handWritten = [
      'organization:',
      `  id: ${GLOBEX}`,
      '  name: Globex',
      'sharing: read_only',
      'request:',
      '  ticket: https://acme.zendesk.com/agent/tickets/3100',
      '  legacy: true',
      '',
    ].join('\n');
    await writeFile(join(dir, 'orgs', 'globex-corp.yaml'), handWritten);

    const refused = await runCli(['--dir', dir, 'import', '--org', String(GLOBEX)], sandboxEnv(sb));
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('kept orgs/globex-corp.yaml: Globex (360000000102)');
    expect(refused.stdout).toContain('use --force to replace it');
    expect(await files()).toEqual(['globex-corp.yaml']);
    expect(await read('globex-corp.yaml')).toBe(handWritten);

    const forced = await runCli(['--dir', dir, 'import', '--org', String(GLOBEX), '--force'], sandboxEnv(sb));
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('overwrote orgs/globex-corp.yaml');
    expect(await files()).toEqual(['globex-corp.yaml']);
    expect(await read('globex-corp.yaml')).toContain('sharing: read_write');

    // Importing again changes nothing and succeeds: the file already says what Zendesk says.
    const again = await runCli(['--dir', dir, 'import', '--org', String(GLOBEX)], sandboxEnv(sb));
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('up to date orgs/globex-corp.yaml');
  });

  it('never takes over a slug that belongs to another organization', async () => {
    await mkdir(join(dir, 'orgs'), { recursive: true });
    await writeFile(join(dir, 'orgs', 'globex.yaml'), 'organization:\n  id: 1\n  name: Globex\n');
    const run = await runCli(['--dir', dir, 'import', '--org', String(GLOBEX)], sandboxEnv(sb));
    expect(run.code).toBe(0);
    expect(await files()).toEqual(['globex-360000000102.yaml', 'globex.yaml']);
    expect(await read('globex.yaml')).toBe('organization:\n  id: 1\n  name: Globex\n');
  });

  it('declares a multi-organization user’s grant in one file only: the existing file that has it', async () => {
    // Pat (default Acme Corp, also in Globex) can view organization tickets; an existing
    // Acme Corp file already declares that grant.
    sb.store.updateUser(2501, { ticket_restriction: 'organization' });
    await mkdir(join(dir, 'orgs'), { recursive: true });
    await writeFile(
      join(dir, 'orgs', 'acme-corp.yaml'),
      'organization:\n  id: 360000000101\n  name: Acme Corp\nsharing: private\nrequest:\n  ticket: https://acme.zendesk.com/agent/tickets/4821\n' +
        'user_access:\n  - email: pat@partnerco.example\n    access: organization\n    ticket: https://acme.zendesk.com/agent/tickets/4821\n',
    );
    const run = await runCli(['--dir', dir, 'import', '--org', String(GLOBEX)], sandboxEnv(sb));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("note: pat@partnerco.example's grant is declared in orgs/acme-corp.yaml (one file per user)");
    expect(await read('globex.yaml')).not.toContain('user_access');
  });

  it('needs --org or --shared, and reports unknown ids', async () => {
    expect((await runCli(['--dir', dir, 'import'], sandboxEnv(sb))).code).toBe(1);
    const run = await runCli(['--dir', dir, 'import', '--org', '999', String(INITECH)], sandboxEnv(sb));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('skipped: organization 999 — organization not found in Zendesk');
    expect(await files()).toEqual([]);
  });
});
