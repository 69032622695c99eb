/**
 * A local fake of the GitHub REST endpoints the workflow helpers use, served over real
 * HTTP on 127.0.0.1 (port 0). It follows GitHub's documented behaviour where the helpers
 * depend on it: page-number pagination with a `Link` header (per_page ≤ 100, default 30),
 * the issues list also returning pull requests, the 65,536-character body limit (422), and
 * Bearer-token auth (401 "Bad credentials").
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeComment {
  id: number;
  issue_number: number;
  body: string;
  user: { login: string; type: string };
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  state_reason: string | null;
  labels: string[];
  /** Pull requests are issues too; the issues list returns them with this field set. */
  pull_request?: { url: string };
}

export interface Fault {
  method: string;
  /** Path (no query) the fault applies to; a RegExp matches any of several. */
  path: string | RegExp;
  status: number;
  /** Response body message; may depend on the request (e.g. echo a header). */
  message?: string | ((req: IncomingMessage) => string);
  headers?: Record<string, string>;
  /** Whole response body instead of `{ message }`. */
  json?: unknown;
  /** How many matching requests fail (default 1). */
  times?: number;
}

export interface Call {
  method: string;
  path: string;
  query: string;
}

export const BODY_LIMIT = 65_536;

export class FakeGitHub {
  readonly token: string;
  readonly owner = 'acme';
  readonly repo = 'support-config';
  issues = new Map<number, FakeIssue>();
  comments = new Map<number, FakeComment>();
  /** git objects: commit sha → root tree sha, tree sha → entries. */
  commits = new Map<string, string>();
  trees = new Map<string, { path: string; type: string; sha: string }[]>();
  branches = new Map<string, string>();
  calls: Call[] = [];
  private faults: (Fault & { left: number })[] = [];
  private nextIssue = 1;
  private nextComment = 9_000_001;
  private server: Server | null = null;
  url = '';

  constructor(token = 'ghs_fakeTOKEN1234567890abcdef') {
    this.token = token;
  }

  get repository(): string {
    return `${this.owner}/${this.repo}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => send(res, 500, { message: String(err) }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.server?.close((err) => (err ? reject(err) : resolve())) ?? resolve());
  }

  fail(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  addPullRequest(title = 'Enable read-only sharing for Acme Corp'): number {
    const number = this.nextIssue++;
    this.issues.set(number, { number, title, body: '', state: 'open', state_reason: null, labels: [], pull_request: { url: `${this.url}/pulls/${number}` } });
    return number;
  }

  addIssue(fields: Partial<FakeIssue> & { title: string }): number {
    const number = this.nextIssue++;
    this.issues.set(number, { number, body: null, state: 'open', state_reason: null, labels: [], ...fields });
    return number;
  }

  addComment(issueNumber: number, body: string, login = 'sam'): number {
    const id = this.nextComment++;
    this.comments.set(id, { id, issue_number: issueNumber, body, user: { login, type: login.endsWith('[bot]') ? 'Bot' : 'User' } });
    return id;
  }

  commentsOn(issueNumber: number): FakeComment[] {
    return [...this.comments.values()].filter((c) => c.issue_number === issueNumber).sort((a, b) => a.id - b.id);
  }

  /** Calls that change state. */
  writes(): Call[] {
    return this.calls.filter((c) => c.method !== 'GET');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    this.calls.push({ method, path: url.pathname, query: url.search });
    const raw = await readBody(req);

    const fault = this.faults.find((f) => f.left > 0 && f.method === method && (typeof f.path === 'string' ? f.path === url.pathname : f.path.test(url.pathname)));
    if (fault) {
      fault.left--;
      const message = typeof fault.message === 'function' ? fault.message(req) : (fault.message ?? 'fault injected');
      return send(res, fault.status, fault.json ?? { message }, fault.headers);
    }
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    }
    if (req.headers['x-github-api-version'] !== '2022-11-28' || !String(req.headers.accept).includes('application/vnd.github+json')) {
      return send(res, 400, { message: 'missing API version or media type headers' });
    }

    const prefix = `/repos/${this.owner}/${this.repo}`;
    if (!url.pathname.startsWith(`${prefix}/`)) return send(res, 404, { message: 'Not Found' });
    const path = url.pathname.slice(prefix.length);
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    let m: RegExpExecArray | null;

    if (method === 'GET' && (m = /^\/issues\/(\d+)\/comments$/.exec(path))) {
      const n = Number(m[1]);
      if (!this.issues.has(n)) return send(res, 404, { message: 'Not Found' });
      return this.page(req, res, url, this.commentsOn(n).map((c) => this.commentJson(c)));
    }
    if (method === 'POST' && (m = /^\/issues\/(\d+)\/comments$/.exec(path))) {
      const n = Number(m[1]);
      if (!this.issues.has(n)) return send(res, 404, { message: 'Not Found' });
      const invalid = validateBody(body.body);
      if (invalid) return send(res, 422, invalid);
      const id = this.addComment(n, body.body as string, 'github-actions[bot]');
      return send(res, 201, this.commentJson(this.comments.get(id)!));
    }
    if (method === 'PATCH' && (m = /^\/issues\/comments\/(\d+)$/.exec(path))) {
      const c = this.comments.get(Number(m[1]));
      if (!c) return send(res, 404, { message: 'Not Found' });
      const invalid = validateBody(body.body);
      if (invalid) return send(res, 422, invalid);
      c.body = body.body as string;
      return send(res, 200, this.commentJson(c));
    }
    if (method === 'GET' && path === '/issues') {
      const state = url.searchParams.get('state') ?? 'open';
      const labels = (url.searchParams.get('labels') ?? '').split(',').filter(Boolean);
      const direction = url.searchParams.get('direction') ?? 'desc';
      const list = [...this.issues.values()]
        .filter((i) => state === 'all' || i.state === state)
        .filter((i) => labels.every((l) => i.labels.includes(l)))
        .sort((a, b) => (direction === 'asc' ? a.number - b.number : b.number - a.number));
      return this.page(req, res, url, list.map((i) => this.issueJson(i)));
    }
    if (method === 'POST' && path === '/issues') {
      if (typeof body.title !== 'string' || !body.title) return send(res, 422, { message: 'Validation Failed', errors: [{ message: 'title is missing' }] });
      const invalid = body.body === undefined ? null : validateBody(body.body);
      if (invalid) return send(res, 422, invalid);
      const number = this.addIssue({ title: body.title, body: (body.body as string) ?? null, labels: (body.labels as string[]) ?? [] });
      return send(res, 201, this.issueJson(this.issues.get(number)!));
    }
    if (method === 'PATCH' && (m = /^\/issues\/(\d+)$/.exec(path))) {
      const issue = this.issues.get(Number(m[1]));
      if (!issue) return send(res, 404, { message: 'Not Found' });
      if (body.body !== undefined) {
        const invalid = validateBody(body.body);
        if (invalid) return send(res, 422, invalid);
        issue.body = body.body as string;
      }
      if (body.state === 'closed' || body.state === 'open') {
        issue.state = body.state;
        issue.state_reason = body.state === 'closed' ? ((body.state_reason as string) ?? 'completed') : 'reopened';
      }
      return send(res, 200, this.issueJson(issue));
    }
    if (method === 'GET' && (m = /^\/branches\/([^/]+)$/.exec(path))) {
      const sha = this.branches.get(decodeURIComponent(m[1]!));
      if (!sha) return send(res, 404, { message: 'Branch not found' });
      return send(res, 200, { name: m[1], commit: { sha, commit: { tree: { sha: this.commits.get(sha) } } } });
    }
    if (method === 'GET' && (m = /^\/git\/commits\/([0-9a-f]{40})$/.exec(path))) {
      const tree = this.commits.get(m[1]!);
      if (!tree) return send(res, 404, { message: 'Not Found' });
      return send(res, 200, { sha: m[1], tree: { sha: tree } });
    }
    if (method === 'GET' && (m = /^\/git\/trees\/([0-9a-f]{40})$/.exec(path))) {
      const entries = this.trees.get(m[1]!);
      if (!entries) return send(res, 404, { message: 'Not Found' });
      return send(res, 200, { sha: m[1], tree: entries, truncated: false });
    }
    return send(res, 404, { message: 'Not Found' });
  }

  private page(req: IncomingMessage, res: ServerResponse, url: URL, items: unknown[]): void {
    const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30)));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (p: number) => {
      const u = new URL(url.pathname + url.search, `http://${req.headers.host}`);
      u.searchParams.set('page', String(p));
      return u.toString();
    };
    const rels: string[] = [];
    if (page < last) rels.push(`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
    if (page > 1) rels.push(`<${link(1)}>; rel="first"`, `<${link(page - 1)}>; rel="prev"`);
    send(res, 200, items.slice((page - 1) * perPage, page * perPage), rels.length ? { link: rels.join(', ') } : {});
  }

  private commentJson(c: FakeComment) {
    return { id: c.id, body: c.body, user: c.user, html_url: `https://github.com/${this.repository}/pull/${c.issue_number}#issuecomment-${c.id}` };
  }

  private issueJson(i: FakeIssue) {
    return {
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state,
      state_reason: i.state_reason,
      labels: i.labels.map((name) => ({ name })),
      html_url: `https://github.com/${this.repository}/issues/${i.number}`,
      ...(i.pull_request ? { pull_request: i.pull_request } : {}),
    };
  }
}

function validateBody(body: unknown): { message: string; errors: { message: string }[] } | null {
  if (typeof body !== 'string') return { message: 'Validation Failed', errors: [{ message: 'body is missing' }] };
  if ([...body].length > BODY_LIMIT) {
    return { message: 'Validation Failed', errors: [{ message: `body is too long (maximum is ${BODY_LIMIT} characters)` }] };
  }
  return null;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}
