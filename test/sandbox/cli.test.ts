/**
 * `orgshare sandbox` as a user runs it: the built CLI in a child process. Builds dist
 * first when the sandbox sources are newer than the build (tsc emits even when files
 * owned by others have type errors; those are not this test's concern).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/commands/sandbox.js';
import { api } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist/src/cli.js');

function newestSource(): number {
  const dir = join(root, 'src/sandbox');
  const files = [...readdirSync(dir).map((f) => join(dir, f)), join(root, 'src/commands/sandbox.ts'), join(root, 'src/cli.ts')];
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

beforeAll(() => {
  const built = join(root, 'dist/src/sandbox/index.js');
  if (!existsSync(cli) || !existsSync(built) || statSync(built).mtimeMs < newestSource()) {
    spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: root, stdio: 'ignore' });
  }
}, 120_000);

/** The built CLI's `sandbox --port 0 …` in a child process, once it has printed its URL and environment. */
async function startChild(args: string[]) {
  const child = spawn(process.execPath, [cli, 'sandbox', '--port', '0', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed; output so far: ${out}`)), 15_000);
    child.stdout.on('data', () => {
      const m = out.match(/export ZENDESK_API_URL=(\S+)/);
      if (m && out.includes('ZENDESK_API_TOKEN=')) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  return { child, exited, baseUrl, output: () => out };
}

describe('orgshare sandbox (child process)', () => {
  it('prints the base URL and env, serves the API, and exits 0 on SIGINT', async () => {
    const { child, exited, baseUrl, output } = await startChild([]);
    const out = output();
    expect(out).toContain('export ZENDESK_SUBDOMAIN=acme');
    expect(out).toContain('export ZENDESK_EMAIL=admin@acme.example');
    expect(out).toContain('export ZENDESK_API_TOKEN=sandbox-token');
    const res = await api(`${baseUrl}/organizations.json`);
    expect(res.status).toBe(200);
    expect(res.body.organizations).toHaveLength(6);
    expect(res.headers.get('x-rate-limit')).toBe('700');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 30_000);
});

describe('orgshare sandbox --rpm (the program also has a global --rpm)', () => {
  it('sandbox --rpm 5 enforces 5 requests per minute: the 6th request in the window gets 429', async () => {
    const { child, exited, baseUrl, output } = await startChild(['--rpm', '5']);
    try {
      expect(output()).toContain('Rate:     5 requests/minute');
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await api(`${baseUrl}/organizations.json`);
        statuses.push(res.status);
        if (i === 0) expect(res.headers.get('x-rate-limit')).toBe('5');
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  }, 30_000);
});

describe('sandbox command (in-process)', () => {
  it('loads a YAML seed file, applies --rpm and stops when asked', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'orgshare-seed-'));
    const file = join(dir, 'seed.yaml');
    writeFileSync(file, 'organizations:\n  - id: 1\n    name: Tiny\nusers:\n  - id: 1001\n    email: admin@acme.example\n    role: admin\n');
    let out = '';
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const io = { stdout: (t: string) => void (out += t), stderr: () => {}, stderrIsTTY: false, stdinIsTTY: false, env: {}, now: () => new Date() };
    const done = run({ dir: root, format: 'text', color: false }, { port: '0', rpm: '0', seed: file }, io, stopped);
    while (!out.includes('ZENDESK_API_TOKEN')) await new Promise((r) => setTimeout(r, 10));
    const base = out.match(/export ZENDESK_API_URL=(\S+)/)![1]!;
    const res = await api(`${base}/organizations.json`);
    expect(res.body.organizations.map((o: any) => o.name)).toEqual(['Tiny']);
    expect(res.headers.get('x-rate-limit')).toBeNull();
    stop();
    expect(await done).toBe(0);
  });

  it('refuses a bad fault spec as a usage error', async () => {
    const io = { stdout: () => {}, stderr: () => {}, stderrIsTTY: false, stdinIsTTY: false, env: {}, now: () => new Date() };
    await expect(run({ dir: root, format: 'text', color: false }, { port: '0', faults: 'boom:1' }, io, Promise.resolve())).rejects.toThrow(/unknown fault/);
  });
});
