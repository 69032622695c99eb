/**
 * Shared pieces of the security tests: the hostile fixture corpus, a distinctive secret and
 * every form it could leak in, a sandbox whose credentials are that secret, and the CLI run
 * in-process with a captured Io. No mocks: Zendesk is the sandbox over real HTTP.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli.js';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { DEFAULT_SEED, startSandbox, type Sandbox, type SeedData } from '../../src/sandbox/index.js';
import { NOW_ENV } from '../../src/clock.js';
import { captureIo, NOW, type CapturedIo } from '../apply/helpers.js';

export const HOSTILE = fileURLToPath(new URL('../fixtures/hostile/', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A token no other string in the repository contains. */
export const TOKEN = 'zdTOKEN-osh4Q9xv7LmK2pW8rT3nY6bC';
export const OAUTH_TOKEN = 'zdOAUTH-osh8Hs2kLq5Vw9Xe1Zr4Tc7M';
export const EMAIL = 'admin@acme.example';

/** The default sandbox world, with TOKEN / OAUTH_TOKEN as its only accepted credentials. */
export function secretSeed(): SeedData {
  return { ...DEFAULT_SEED, account: { ...DEFAULT_SEED.account, api_token: TOKEN, oauth_token: OAUTH_TOKEN } };
}

/** Every form in which a credential could leak: raw, base64, base64url, in the Basic pair. */
export function secretForms(email: string = EMAIL, token: string = TOKEN): Record<string, string> {
  const pair = `${email}/token:${token}`;
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const b64url = (s: string) => Buffer.from(s).toString('base64url');
  return {
    token,
    'base64(token)': b64(token).replace(/=+$/, ''),
    'base64url(token)': b64url(token),
    'base64(email/token:TOKEN)': b64(pair).replace(/=+$/, ''),
    'base64url(email/token:TOKEN)': b64url(pair),
    'hex(token)': Buffer.from(token).toString('hex'),
  };
}

/** Names of the forms of a secret found in `text` (empty when none). */
export function leaks(text: string, forms: Record<string, string> = secretForms()): string[] {
  return Object.entries(forms)
    .filter(([, v]) => text.includes(v))
    .map(([k]) => k);
}

/** Every file under `dir` (recursively), as one text with a header per file. */
export async function readTree(dir: string): Promise<{ files: string[]; text: string }> {
  const files: string[] = [];
  const parts: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        files.push(p);
        parts.push(`==> ${p}\n${await readFile(p, 'utf8')}`);
      }
    }
  };
  await walk(dir);
  return { files, text: parts.join('\n') };
}

const dirs: string[] = [];

/**
 * A temporary config repository: `files` maps relative paths ("orgs/a.yaml",
 * "orgshare.config.yaml") to contents. `orgs/` always exists; without a config file a fast
 * request budget is written so the client-side limiter never slows a test.
 */
export async function repo(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'orgshare-security-'));
  dirs.push(dir);
  await mkdir(join(dir, 'orgs'));
  if (!('orgshare.config.yaml' in files)) await writeFile(join(dir, 'orgshare.config.yaml'), 'rpm: 10000\n');
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), content);
  }
  return dir;
}

export async function removeRepos(): Promise<void> {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

export function envFor(sb: Sandbox | { baseUrl: string }, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ZENDESK_API_URL: sb.baseUrl,
    ZENDESK_SUBDOMAIN: 'acme',
    ZENDESK_EMAIL: EMAIL,
    ZENDESK_API_TOKEN: 'sandbox-token',
    NO_COLOR: '1',
    [NOW_ENV]: NOW.toISOString(),
    TZ: process.env.TZ,
    ORGSHARE_RETRY_BASE_MS: process.env.ORGSHARE_RETRY_BASE_MS,
    ...extra,
  };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  io: CapturedIo;
}

/** The CLI in-process: `orgshare --dir <dir> --no-color …argv` with this environment. */
export async function run(env: NodeJS.ProcessEnv, dir: string, argv: string[], extra: Partial<CapturedIo> = {}): Promise<CliRun> {
  const io = captureIo(env, { now: () => NOW, ...extra });
  const code = await main(['--dir', dir, '--no-color', ...argv], io);
  return { code, stdout: io.stdoutText(), stderr: io.stderrText(), io };
}

/** Writes (non-GET) requests that reached the sandbox, as "METHOD /path". */
export function writesOf(sb: Sandbox): string[] {
  return sb.writes().map((w) => `${w.method} ${w.path.replace(/^\/api\/v2/, '')}`);
}

/** An organization file for the shared world's Acme Corp (read_only, evidence on 4821). */
export function acmeFile(overrides: { ticket?: string; approvedBy?: string; commentId?: number; quote?: string; extra?: string } = {}): string {
  return `organization:
  id: 360000000101
  name: Acme Corp
sharing: read_only
request:
  ticket: ${overrides.ticket ?? 'https://acme.zendesk.com/agent/tickets/4821'}
  requester: jane@acme.example
  confirmed_type: read_only
  type_confirmation:
    comment_id: 90200
    quote: "Read only please"
  risk_approval:
    approved_by: ${overrides.approvedBy ?? 'jane@acme.example'}
    comment_id: ${overrides.commentId ?? 90210}
    quote: ${JSON.stringify(overrides.quote ?? 'we accept the security risk')}
${overrides.extra ?? ''}`;
}

/**
 * One sandbox for a test file: started before its tests, reset before each, closed (and
 * the temporary repositories removed) after them. Returns its getter.
 */
export function sandboxForFile(): () => Sandbox {
  let sb: Sandbox | undefined;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0 });
  });
  beforeEach(() => sb?.reset());
  afterAll(async () => {
    await sb?.close();
    await removeRepos();
  });
  return () => {
    if (!sb) throw new Error('the sandbox is not started yet');
    return sb;
  };
}
