/**
 * The package as a user gets it: `npm pack` of this repository, installed from the tarball
 * into a scratch prefix (from the npm cache when it can), then the installed binaries:
 * `orgshare --version`, `orgshare init` in an empty directory, `orgshare validate` there
 * (exit 0), the installed `orgshare sandbox`, and `orgshare plan` against it (exit 0 or 2).
 * The tarball holds what runs and nothing else. Runs on the build `npm test` makes first
 * (pretest); `prepack` builds when packing a clean clone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, any>;
const scratch = mkdtempSync(join(tmpdir(), 'orgshare-pack-'));
const prefix = join(scratch, 'prefix');
const bin = (name: string) => join(prefix, 'node_modules/.bin', name);

interface Result {
  code: number | null;
  out: string;
  err: string;
}

/** Async, so an in-flight child never blocks this process. Bounded by the test timeout, not by a clock here. */
function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? scratch, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

let tarball: string;
let files: string[];
let sandbox: ChildProcess | undefined;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/src/cli.js'))) throw new Error('run `npm run build` first (npm test does)');
  // --ignore-scripts: the build is already there; prepack (npm run build) is checked below.
  const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], { cwd: ROOT });
  expect(packed.code, packed.err).toBe(0);
  const info = JSON.parse(packed.out) as { filename: string; files: { path: string }[] }[];
  tarball = join(scratch, info[0]!.filename);
  files = info[0]!.files.map((f) => f.path).sort();
  mkdirSync(prefix);
  const installed = await run('npm', ['install', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball]);
  expect(installed.code, installed.err).toBe(0);
}, 240_000);

afterAll(() => {
  sandbox?.kill('SIGINT');
  rmSync(scratch, { recursive: true, force: true });
});

// Child processes (bash, node, npm) on a shared CI machine: a generous guard, not a measure.
describe('npm package', { timeout: 120_000 }, () => {
  it('builds on pack, ships exactly what runs: dist/src JavaScript, schema/, README, LICENSE', () => {
    expect(pkg.scripts.prepack).toBe('npm run build');
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(pkg.repository.url).toMatch(/^git\+https:\/\/github\.com\//);
    expect(pkg.bin).toEqual({ orgshare: 'dist/src/cli.js', 'orgshare-github': 'dist/src/github/cli.js' });
    const outside = files.filter((f) => !/^dist\/src\/.+\.js$/.test(f));
    expect(outside).toEqual(['LICENSE', 'README.md', 'package.json', 'schema/config.schema.json', 'schema/organization.schema.json', 'schema/plan.schema.json']);
    expect(files.filter((f) => /\.map$|\.ts$|(^|\/)(test|bench|scripts)\//.test(f))).toEqual([]);
    expect(files).toContain('dist/src/cli.js');
    expect(files).toContain('dist/src/sandbox/server.js');
  });

  it('installed: orgshare --version is package.json\'s version; orgshare-github runs', async () => {
    const version = await run(bin('orgshare'), ['--version']);
    expect(version.out.trim()).toBe(pkg.version);
    const helper = await run(bin('orgshare-github'), ['--help']);
    expect(helper.code).toBe(0);
    expect(helper.out).toContain('plan-fingerprint');
  });

  it('installed: init in an empty directory, validate (exit 0), plan against the installed sandbox (exit 0 or 2)', async () => {
    const repo = join(scratch, 'support-config');
    mkdirSync(repo);
    const init = await run(bin('orgshare'), ['init', '--subdomain', 'acme'], { cwd: repo });
    expect(init.code, init.err).toBe(0);
    const validate = await run(bin('orgshare'), ['validate'], { cwd: repo });
    expect(validate.code, validate.out + validate.err).toBe(0);
    // The modelines resolve once the repository's own `npm install` lays out node_modules/orgshare.
    symlinkSync(join(prefix, 'node_modules'), join(repo, 'node_modules'), 'dir');
    const modeline = /\$schema=(\S+)/.exec(readFileSync(join(repo, 'orgshare.config.yaml'), 'utf8'))![1]!;
    expect(existsSync(join(repo, modeline))).toBe(true);

    sandbox = spawn(bin('orgshare'), ['sandbox', '--port', '0'], { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    const baseUrl = await new Promise<string>((resolve, reject) => {
      sandbox!.on('exit', (code) => reject(new Error(`sandbox exited ${code}: ${printed}`)));
      sandbox!.stdout!.on('data', (d: Buffer) => {
        printed += d.toString();
        const m = /export ZENDESK_API_URL=(\S+)/.exec(printed);
        if (m && printed.includes('ZENDESK_API_TOKEN=')) resolve(m[1]!);
      });
    });
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      ORGSHARE_NOW: process.env.ORGSHARE_NOW,
      TZ: process.env.TZ,
      NO_COLOR: '1',
      ZENDESK_API_URL: baseUrl,
      ZENDESK_SUBDOMAIN: 'acme',
      ZENDESK_EMAIL: /export ZENDESK_EMAIL=(\S+)/.exec(printed)![1]!,
      ZENDESK_API_TOKEN: /export ZENDESK_API_TOKEN=(\S+)/.exec(printed)![1]!,
    };
    const plan = await run(bin('orgshare'), ['plan', '--out', 'plan.json'], { cwd: repo, env });
    expect([0, 2], plan.out + plan.err).toContain(plan.code);
    expect(JSON.parse(readFileSync(join(repo, 'plan.json'), 'utf8')).format_version).toBe(1);
  });
});
