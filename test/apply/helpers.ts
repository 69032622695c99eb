/**
 * Shared fixtures for apply and plan/apply CLI tests: organization files for the shared
 * sandbox world (docs/dev/TEAM-BRIEF.md), a temporary config repository, a captured Io,
 * and small views of the sandbox's request log. No mocks: everything goes over real HTTP.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { NOW_ENV, pinnedNow } from '../../src/clock.js';
import type { Io } from '../../src/commands/context.js';
import { createAdapter } from '../../src/remote/adapter.js';
import type { Adapter } from '../../src/remote/types.js';
import type { RequestLogEntry, Sandbox } from '../../src/sandbox/index.js';

/**
 * The clock of every test that runs orgshare: ORGSHARE_NOW, pinned in vitest.config.ts (and
 * moved by .ci/run's second pass). Child processes get it through their environment; an
 * expected Details line derives its date from DATE, never from a literal.
 */
export const NOW = pinnedNow(process.env) ?? fail('ORGSHARE_NOW is not set: run the tests through vitest (vitest.config.ts pins it)');
export const DATE = NOW.toISOString().slice(0, 10);

function fail(message: string): never {
  throw new Error(message);
}
export const TICKET = (id: number) => `https://acme.zendesk.com/agent/tickets/${id}`;

export const ORG = {
  acme: 360000000101,
  globex: 360000000102,
  initech: 360000000103,
  umbrella: 360000000104,
  hooli: 360000000105,
  soylent: 360000000106,
} as const;

/** Organization files matching the default sandbox seed (orgs/ of the shared world). */
/** Gavin's comment on ticket 5010 naming Read+write (added by `hooliConfirmsReadWrite`). */
export const HOOLI_TYPE_COMMENT = 50120;

export const FILES = {
  acme: `organization:
  id: 360000000101
  name: Acme Corp
sharing: read_only
request:
  ticket: https://acme.zendesk.com/agent/tickets/4821
  requester: jane@acme.example
  confirmed_type: read_only
  type_confirmation:
    comment_id: 90200
    quote: "Read only please"
  risk_approval:
    approved_by: jane@acme.example
    comment_id: 90210
    quote: "we accept the security risk"
authorized_requesters: [jane@acme.example]
`,
  globex: `organization:
  id: 360000000102
  name: Globex
sharing: read_write
request:
  ticket: https://acme.zendesk.com/agent/tickets/3100
  requester: greta@globex.example
  confirmed_type: read_write
  risk_approval:
    approved_by: greta@globex.example
    comment_id: 31010
    quote: "Read+write please. We accept the security risk."
`,
  initech: `organization:
  id: 360000000103
  name: Initech
sharing: private
request:
  ticket: https://acme.zendesk.com/agent/tickets/4900
  requester: bill@initech.example
`,
  umbrella: `organization:
  id: 360000000104
  name: Umbrella Health
sharing: private
request:
  ticket: https://acme.zendesk.com/agent/tickets/4950
  requester: nurse@umbrella.example
restrictions:
  hipaa: true
`,
  hooli: `organization:
  id: 360000000105
  name: Hooli
sharing: private
request:
  ticket: https://acme.zendesk.com/agent/tickets/5010
  requester: gavin@hooli.example
user_access:
  - email: lead@hooli.example
    access: organization
    ticket: https://acme.zendesk.com/agent/tickets/5010
    risk_approval:
      approved_by: gavin@hooli.example
      comment_id: 50110
      quote: "We accept the security risk"
`,
  /**
   * Hooli as a type change read_only → read_write (tests set the live org to read_only and
   * add Gavin's type confirmation with `hooliConfirmsReadWrite`).
   */
  hooliReadWrite: `organization:
  id: 360000000105
  name: Hooli
sharing: read_write
request:
  ticket: https://acme.zendesk.com/agent/tickets/5010
  requester: gavin@hooli.example
  confirmed_type: read_write
  type_confirmation:
    comment_id: ${HOOLI_TYPE_COMMENT}
    quote: "Read+write for the whole organization"
  risk_approval:
    approved_by: gavin@hooli.example
    comment_id: 50110
    quote: "We accept the security risk"
`,
  /** Soylent carries a deny note in Zendesk: enabling is blocked by `deny_note`. */
  soylentBlocked: `organization:
  id: 360000000106
  name: Soylent
sharing: read_only
request:
  ticket: https://acme.zendesk.com/agent/tickets/4821
  requester: jane@acme.example
  confirmed_type: read_only
  type_confirmation:
    comment_id: 90200
    quote: "Read only please"
  risk_approval:
    approved_by: jane@acme.example
    comment_id: 90210
    quote: "we accept the security risk"
`,
} as const;

/** A request budget high enough that the client-side limiter never slows a test. */
export const FAST_CONFIG = 'rpm: 10000\n';

const dirs: string[] = [];

/** A temporary config repository with `orgs/<name>.yaml` for each entry. */
/**
 * The seed's ticket 5010 asks for a user grant and names no sharing type: a test that
 * widens Hooli to read_write first adds Gavin's public comment naming the type.
 */
export function hooliConfirmsReadWrite(sb: Sandbox): void {
  const list = sb.store.comments.get(5010);
  if (!list || list.some((c) => c.id === HOOLI_TYPE_COMMENT)) return;
  const last = list[list.length - 1]!;
  const body = 'Read+write for the whole organization, please.';
  const createdAt = new Date(Date.parse(last.created_at) + 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  list.push({ ...last, id: HOOLI_TYPE_COMMENT, author_id: 2402, body, plain_body: body, html_body: `<p>${body}</p>`, public: true, created_at: createdAt });
}

export async function configDir(orgs: Record<string, string>, config: string = FAST_CONFIG): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'orgshare-apply-'));
  dirs.push(dir);
  await mkdir(join(dir, 'orgs'));
  for (const [name, text] of Object.entries(orgs)) await writeFile(join(dir, 'orgs', `${name}.yaml`), text, 'utf8');
  if (config) await writeFile(join(dir, 'orgshare.config.yaml'), config, 'utf8');
  return dir;
}

export async function removeConfigDirs(): Promise<void> {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** A read-only adapter to the sandbox as its API user, without a client-side budget. */
export function sandboxReader(sb: Sandbox): Adapter {
  return createAdapter({
    baseUrl: sb.baseUrl,
    subdomain: 'acme',
    auth: { kind: 'token', email: 'admin@acme.example', token: 'sandbox-token' },
    readOnly: true,
    rpm: 0,
  });
}

export function sandboxEnv(sb: Sandbox): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ZENDESK_API_URL: sb.baseUrl,
    ZENDESK_SUBDOMAIN: 'acme',
    ZENDESK_EMAIL: 'admin@acme.example',
    ZENDESK_API_TOKEN: 'sandbox-token',
    NO_COLOR: '1',
    [NOW_ENV]: NOW.toISOString(),
    TZ: process.env.TZ,
    ORGSHARE_RETRY_BASE_MS: process.env.ORGSHARE_RETRY_BASE_MS,
  };
}

export interface CapturedIo extends Io {
  out: string[];
  err: string[];
  stdoutText(): string;
  stderrText(): string;
}

export function captureIo(env: NodeJS.ProcessEnv, extra: Partial<Io> = {}): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    stderrIsTTY: false,
    stdinIsTTY: false,
    env,
    now: () => NOW,
    ...extra,
    out,
    err,
    stdoutText: () => out.join(''),
    stderrText: () => err.join(''),
  };
}

/** Runs the CLI in-process in `dir`; returns exit code and captured output. */
export async function cli(
  sb: Sandbox,
  dir: string,
  argv: string[],
  extra: Partial<Io> = {},
): Promise<{ code: number; stdout: string; stderr: string; io: CapturedIo }> {
  const io = captureIo(sandboxEnv(sb), extra);
  const code = await main(['--dir', dir, '--no-color', ...argv], io);
  return { code, stdout: io.stdoutText(), stderr: io.stderrText(), io };
}

/** A write as the tests compare it: method, path without /api/v2, selected body fields. */
export interface WriteView {
  method: string;
  path: string;
  [key: string]: unknown;
}

function ticketBody(e: RequestLogEntry): Record<string, unknown> {
  return ((e.body as { ticket?: Record<string, unknown> } | undefined)?.ticket ?? {}) as Record<string, unknown>;
}

/** Key fields of each write, in order (job polls are reads and never appear). */
export function writeViews(entries: RequestLogEntry[]): WriteView[] {
  return entries.map((e) => {
    const path = e.path.replace(/^\/api\/v2/, '');
    const view: WriteView = { method: e.method, path };
    if (/^\/tickets\/\d+/.test(path)) {
      const t = ticketBody(e);
      if (t.custom_fields) view.custom_fields = t.custom_fields;
      if (t.comment) view.comment = t.comment;
      if (t.status) view.status = t.status;
    } else if (/update_many/.test(path)) {
      const items = ((e.body as { organizations?: Record<string, unknown>[]; users?: Record<string, unknown>[] }) ?? {});
      view.items = items.organizations ?? items.users ?? [];
    }
    return view;
  });
}

/** Lines of an organization's Details in the sandbox. */
export function detailsOf(sb: Sandbox, orgId: number): string | null {
  return sb.store.org(orgId).details;
}

/** Public comments on a ticket by the API user (admin, 1001). */
export function confirmationsOn(sb: Sandbox, ticketId: number): string[] {
  return (sb.store.comments.get(ticketId) ?? []).filter((c) => c.public && c.author_id === 1001).map((c) => c.body);
}

/** Number of lines of `text` exactly equal to `line`. */
export function countLines(text: string | null, line: string): number {
  return (text ?? '').split('\n').filter((l) => l === line).length;
}

export const READ_ONLY_LINE = (ticket: number) => `Shared organization (Read only) enabled ${DATE} as per ${TICKET(ticket)}`;
export const READ_WRITE_LINE = (ticket: number) => `Shared organization (Read+write) enabled ${DATE} as per ${TICKET(ticket)}`;
export const DISABLED_LINE = (ticket: number) => `Shared organization disabled ${DATE} as per ${TICKET(ticket)}`;
