/**
 * Symbolic links around the configuration (docs/security.md, threat table): orgshare
 * refuses every link where it reads or writes the repository — `orgs/`, its files and
 * `orgshare.config.yaml` — before reading through it, so nothing a link points to is
 * validated, applied or echoed; import never writes through one. Also: a file name that
 * is not UTF-8 is reported as such.
 */
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { acmeFile, envFor, removeRepos, repo, run } from './helpers.js';

let sb: Sandbox;
let outside: string;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
  outside = await mkdtemp(join(tmpdir(), 'orgshare-outside-'));
  await mkdir(join(outside, 'orgs'));
  await writeFile(join(outside, 'orgs', 'acme.yaml'), acmeFile());
  await writeFile(join(outside, '.env'), 'GH_TOKEN=ghp_outsideSecret0123456789abcdefXYZ\n');
});
afterAll(async () => {
  await sb.close();
  await removeRepos();
  await rm(outside, { recursive: true, force: true });
});
beforeEach(() => sb.reset());

interface Problem {
  file: string;
  code: string;
}

async function problems(dir: string): Promise<{ code: number; problems: Problem[]; text: string }> {
  const r = await run(envFor(sb), dir, ['--format', 'json', 'validate']);
  return { code: r.code, problems: (JSON.parse(r.stdout) as { problems: Problem[] }).problems, text: `${r.stdout}${r.stderr}` };
}

describe('symbolic links', () => {
  it('orgs/ linked to a directory outside the repository: refused, nothing read, validated or applied', async () => {
    const dir = await repo({});
    await rm(join(dir, 'orgs'), { recursive: true });
    await symlink(join(outside, 'orgs'), join(dir, 'orgs'));
    const v = await problems(dir);
    expect(v.code).toBe(1);
    expect(v.problems.map((p) => `${p.file} ${p.code}`)).toEqual(['orgs symlink']);
    for (const argv of [['plan'], ['apply', '--yes'], ['drift']]) {
      const r = await run(envFor(sb), dir, argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.stdout, argv.join(' ')).toContain('symbolic link');
    }
    expect(sb.log()).toEqual([]);
  });

  it('orgshare.config.yaml linked to a .env: refused without reading it, its content never echoed', async () => {
    const dir = await repo({ 'orgs/acme.yaml': acmeFile() });
    await rm(join(dir, 'orgshare.config.yaml'));
    await symlink(join(outside, '.env'), join(dir, 'orgshare.config.yaml'));
    const v = await problems(dir);
    expect(v.code).toBe(1);
    expect(v.problems.map((p) => `${p.file} ${p.code}`)).toEqual(['orgshare.config.yaml symlink']);
    for (const argv of [['validate'], ['plan'], ['apply', '--yes'], ['--format', 'markdown', 'plan'], ['import', '--shared']]) {
      const r = await run(envFor(sb), dir, argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(`${r.stdout}${r.stderr}`, argv.join(' ')).not.toMatch(/ghp_|GH_TOKEN|outsideSecret/);
    }
    expect(sb.writes()).toEqual([]);
  });

  it('an organization file linked inside the repository is refused too (every link, not only those leaving it)', async () => {
    const dir = await repo({ 'docs/acme.yaml': acmeFile() });
    await symlink(join(dir, 'docs', 'acme.yaml'), join(dir, 'orgs', 'acme.yaml'));
    expect((await problems(dir)).problems.map((p) => `${p.file} ${p.code}`)).toEqual(['orgs/acme.yaml symlink']);
  });

  it('import does not write through a linked orgs/ or a linked file', async () => {
    const dir = await repo({});
    await rm(join(dir, 'orgs'), { recursive: true });
    const target = await mkdtemp(join(tmpdir(), 'orgshare-target-'));
    try {
      await symlink(target, join(dir, 'orgs'));
      const r = await run(envFor(sb), dir, ['import', '--shared']);
      expect(r.code).toBe(1);
      expect(await readdir(target)).toEqual([]);
    } finally {
      await rm(target, { recursive: true, force: true });
    }
  });
});

describe('file names', () => {
  it('a file name that is not UTF-8 is reported as such with its bytes escaped, not as ENOENT', async () => {
    const dir = await repo({ 'orgs/acme.yaml': acmeFile() });
    const bad = Buffer.concat([Buffer.from(join(dir, 'orgs', 'bad-')), Buffer.from([0xff, 0xfe]), Buffer.from('.yaml')]);
    await writeFile(bad, acmeFile());
    const v = await problems(dir);
    expect(v.problems.map((p) => `${p.file} ${p.code}`)).toContain('orgs/bad-\\xff\\xfe.yaml file_name_encoding');
    expect(v.text).not.toContain('ENOENT');
  });
});
