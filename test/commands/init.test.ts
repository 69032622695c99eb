/**
 * `orgshare init` in-process: what it writes, that it never overwrites without --force
 * (nothing written at all), that what it writes validates, and that its workflows follow
 * the same policy as this repository's (parsed YAML: schema subset, verified pins, the
 * action's inputs, apply only of the reviewed plan).
 */
import { Ajv } from 'ajv';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseDocument } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import type { Io } from '../../src/commands/context.js';
import { ACTION_PINS, ACTION_REPOSITORY } from '../../src/commands/init-files.js';
import { packageVersion } from '../../src/package-info.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function emptyDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'orgshare-init-'));
  dirs.push(d);
  return d;
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), stderrIsTTY: false, stdinIsTTY: false, env: {}, now: () => new Date(0) };
  const code = await main(args, io);
  return { code, out, err };
}

function tree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, tree(dir, rel));
    else out[rel] = readFileSync(join(dir, rel), 'utf8');
  }
  return out;
}

const SCAFFOLD = [
  '.github/dependabot.yml',
  '.github/workflows/apply.yml',
  '.github/workflows/ci.yml',
  '.github/workflows/drift.yml',
  '.github/workflows/plan.yml',
  '.gitignore',
  'orgs/README.md',
  'orgshare.config.yaml',
  'package.json',
];

describe('orgshare init', () => {
  it('scaffolds a config repository that validates, pinning this version of orgshare', async () => {
    const dir = emptyDir();
    const res = await cli(['init', '--dir', dir, '--subdomain', 'acme']);
    expect(res.code, res.err).toBe(0);
    const files = tree(dir);
    expect(Object.keys(files).sort()).toEqual(SCAFFOLD);
    expect(JSON.parse(files['package.json']!).devDependencies).toEqual({ orgshare: packageVersion() });
    expect(parse(files['orgshare.config.yaml']!)).toMatchObject({ subdomain: 'acme' });
    expect((await cli(['validate', '--dir', dir])).code).toBe(0);
  });

  it('writes modelines that resolve to the installed package\'s schemas (node_modules/orgshare/schema/)', async () => {
    const dir = emptyDir();
    await cli(['init', '--dir', dir]);
    // Lay the package out as `npm install` does: node_modules/orgshare/schema/.
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules/orgshare'), 'dir');
    const config = readFileSync(join(dir, 'orgshare.config.yaml'), 'utf8');
    const configRef = /\$schema=(\S+)/.exec(config.split('\n')[0]!)![1]!;
    expect(existsSync(join(dir, configRef))).toBe(true);
    const readme = readFileSync(join(dir, 'orgs/README.md'), 'utf8');
    const orgRef = /# yaml-language-server: \$schema=(\S+)/.exec(readme)![1]!;
    expect(existsSync(join(dir, 'orgs', orgRef))).toBe(true);
    expect(orgRef).toBe('../node_modules/orgshare/schema/organization.schema.json');
  });

  it('refuses to overwrite an existing file without --force, and writes nothing at all', async () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'orgshare.config.yaml'), 'max_changes: 3\n');
    const res = await cli(['init', '--dir', dir]);
    expect(res.code).toBe(1);
    expect(res.err).toContain('refusing to overwrite existing files');
    expect(res.err).toContain('orgshare.config.yaml');
    expect(res.err).toContain('--force');
    expect(tree(dir)).toEqual({ 'orgshare.config.yaml': 'max_changes: 3\n' });

    const forced = await cli(['init', '--dir', dir, '--force']);
    expect(forced.code).toBe(0);
    expect(Object.keys(tree(dir)).sort()).toEqual(SCAFFOLD);
    expect(readFileSync(join(dir, 'orgshare.config.yaml'), 'utf8')).not.toBe('max_changes: 3\n');
  });

  it('keeps a package.json that already depends on orgshare (npm i -D orgshare && npx orgshare init)', async () => {
    const dir = emptyDir();
    const pkg = '{\n  "devDependencies": { "orgshare": "^0.1.0" }\n}\n';
    writeFileSync(join(dir, 'package.json'), pkg);
    const res = await cli(['init', '--dir', dir]);
    expect(res.code, res.err).toBe(0);
    expect(res.out).toContain('kept  package.json (already depends on orgshare ^0.1.0)');
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(pkg);
  });

  it('rejects a subdomain that is not one, writing nothing', async () => {
    const dir = emptyDir();
    const res = await cli(['init', '--dir', dir, '--subdomain', 'https://evil.example/x']);
    expect(res.code).toBe(1);
    expect(res.err).toContain('--subdomain must be a Zendesk subdomain');
    expect(tree(dir)).toEqual({});
  });
});

describe('orgshare init: the workflows it writes', () => {
  const schema = JSON.parse(readFileSync(join(ROOT, 'test/github/workflow.schema.json'), 'utf8')) as Record<string, unknown>;
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown> };
  const thisRepo = readFileSync(join(ROOT, '.github/workflows/apply.yml'), 'utf8');

  async function workflows(): Promise<Record<string, { text: string; wf: any }>> {
    const dir = emptyDir();
    await cli(['init', '--dir', dir]);
    const out: Record<string, { text: string; wf: any }> = {};
    for (const f of readdirSync(join(dir, '.github/workflows'))) {
      const text = readFileSync(join(dir, '.github/workflows', f), 'utf8');
      const doc = parseDocument(text, { uniqueKeys: true });
      expect(doc.errors.map(String), f).toEqual([]);
      out[f] = { text, wf: doc.toJS() };
    }
    return out;
  }

  it('validate against the workflow schema subset, with the published action pinned to this version\'s tag', async () => {
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
    // The published action is the one reference that is a release tag: its commit does not exist before the release.
    const ours = `${ACTION_REPOSITORY}@v${packageVersion()}`;
    for (const [file, { wf }] of Object.entries(await workflows())) {
      const copy = JSON.parse(JSON.stringify(wf).replaceAll(ours, './'));
      const validate = ajv.compile(schema);
      expect(validate(copy), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('pin the same verified action SHAs as this repository\'s workflows', async () => {
    for (const pin of Object.values(ACTION_PINS)) expect(thisRepo + readFileSync(join(ROOT, '.github/workflows/ci.yml'), 'utf8')).toContain(pin.split(' ')[0]!.split('@')[1]);
    for (const [file, { text }] of Object.entries(await workflows())) {
      for (const line of text.split('\n').filter((l) => /^\s*(-\s+)?uses:\s*actions\//.test(l))) {
        expect(Object.values(ACTION_PINS).map(String), `${file}: ${line.trim()}`).toContain(line.replace(/^\s*(-\s+)?uses:\s*/, '').trim());
      }
    }
  });

  it('pass only inputs the action has, apply only the preview\'s saved plan, and give the write token only to apply', async () => {
    const wfs = await workflows();
    for (const [file, { wf }] of Object.entries(wfs)) {
      for (const [jobId, job] of Object.entries<any>(wf.jobs)) {
        for (const step of job.steps) {
          if (!String(step.uses ?? '').startsWith(`${ACTION_REPOSITORY}@`)) {
            expect(JSON.stringify(step.env ?? {}), `${file} ${jobId}`).not.toMatch(/secrets\./);
            continue;
          }
          for (const input of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs), `${file}: ${input}`).toContain(input);
          const token = step.with?.['zendesk-api-token'];
          if (step.with?.command === 'apply') {
            expect(job.environment, file).toBe('zendesk-production');
            expect(token).toBe('${{ secrets.ZENDESK_WRITE_TOKEN }}');
            expect(step.with['plan-file']).toBe('${{ runner.temp }}/orgshare-plan/plan.json');
            expect(step.with['plan-fingerprint']).toBe('${{ needs.preview.outputs.plan-fingerprint }}');
          } else if (token) {
            expect(token, `${file} ${jobId}`).toBe('${{ secrets.ZENDESK_READ_TOKEN }}');
            expect(step.with['zendesk-oauth-token']).toBe('${{ secrets.ZENDESK_OAUTH_TOKEN }}');
          }
        }
      }
    }
    const apply = wfs['apply.yml']!.wf;
    const upload = apply.jobs.preview.steps.find((s: any) => String(s.uses).startsWith('actions/upload-artifact@'));
    const download = apply.jobs.apply.steps.find((s: any) => String(s.uses).startsWith('actions/download-artifact@'));
    expect(download.with.name).toBe(upload.with.name);
    expect(upload.with.path).toBe(`${download.with.path}/plan.json`);
    expect(wfs['drift.yml']!.wf.concurrency.group).not.toBe(apply.concurrency.group);
    expect(wfs['plan.yml']!.wf.jobs.fork.if).toContain('!= github.repository');
  });
});
