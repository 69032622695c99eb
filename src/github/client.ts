/**
 * A thin client for the few GitHub REST endpoints the workflows need. It talks to
 * `GITHUB_API_URL` with the workflow's `GITHUB_TOKEN` over plain fetch.
 *
 * Contracts:
 * - The token is sent only to the API origin: a pagination `Link` that points elsewhere is
 *   refused, never followed with credentials.
 * - Error messages carry method, path and GitHub's message, never headers or request bodies,
 *   and always pass through `redact`.
 * - Retries: 5xx and network errors are retried only for idempotent methods (GET, PATCH with
 *   the same body); 429 and rate-limit 403s are retried for every method because GitHub
 *   rejected the request before acting on it. A POST that timed out is never re-sent: it
 *   may have created the comment or issue already.
 */
import { RemoteError, redact, registerSecret } from '../errors.js';

export interface GitHubClientOptions {
  /** e.g. https://api.github.com (GitHub Enterprise: https://HOST/api/v3). */
  apiUrl: string;
  token: string;
  /** "owner/name" */
  repository: string;
  /** Attempts per request, including the first. Default 3. */
  maxAttempts?: number;
  /** Base delay between attempts in ms (doubled each time). Default 1000. */
  retryDelayMs?: number;
  /** Longest wait honoured from Retry-After / x-ratelimit-reset, in ms. Default 60000. */
  maxRetryWaitMs?: number;
  /** Per-request timeout in ms. Default 30000. */
  timeoutMs?: number;
  /** Test hook: records every request sent (method and path with query). */
  onRequest?: (method: string, pathAndQuery: string) => void;
}

export interface GitHubResponse<T> {
  status: number;
  data: T;
  headers: Headers;
}

const API_VERSION = '2022-11-28';
const REPOSITORY_RE = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export class GitHubClient {
  readonly owner: string;
  readonly repo: string;
  private readonly base: URL;
  private readonly token: string;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryWaitMs: number;
  private readonly timeoutMs: number;
  private readonly onRequest: ((method: string, pathAndQuery: string) => void) | undefined;

  constructor(options: GitHubClientOptions) {
    if (!REPOSITORY_RE.test(options.repository)) {
      throw new RemoteError('github_config', `GITHUB_REPOSITORY must be "owner/name", got "${redact(options.repository)}"`, null, false);
    }
    if (!options.token) {
      throw new RemoteError('github_config', 'GITHUB_TOKEN is not set', null, false);
    }
    registerSecret(options.token);
    const [owner, repo] = options.repository.split('/') as [string, string];
    this.owner = owner;
    this.repo = repo;
    // A trailing slash makes relative resolution keep the /api/v3 prefix of Enterprise URLs.
    this.base = new URL(options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`);
    this.token = options.token;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? 60_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.onRequest = options.onRequest;
  }

  /** `repos/{owner}/{repo}` + suffix, each segment already URL-safe. */
  repoPath(suffix: string): string {
    return `repos/${encodeURIComponent(this.owner)}/${encodeURIComponent(this.repo)}/${suffix}`;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<GitHubResponse<T>> {
    return this.requestUrl<T>(method, new URL(path.replace(/^\//, ''), this.base), body);
  }

  /** GETs every page of a list endpoint, following `Link: <…>; rel="next"`. */
  async paginate<T>(path: string, maxPages = 100): Promise<T[]> {
    const items: T[] = [];
    let url: URL | null = new URL(path.replace(/^\//, ''), this.base);
    for (let page = 0; url && page < maxPages; page++) {
      const res: GitHubResponse<T[]> = await this.requestUrl<T[]>('GET', url);
      if (!Array.isArray(res.data)) {
        throw new RemoteError('github_response', `GET ${describe(url)}: expected a list`, res.status, false);
      }
      items.push(...res.data);
      url = this.nextLink(res.headers.get('link'));
    }
    if (url) {
      throw new RemoteError('github_response', `GET ${path}: more than ${maxPages} pages`, null, false);
    }
    return items;
  }

  private nextLink(header: string | null): URL | null {
    if (!header) return null;
    for (const part of header.split(',')) {
      const m = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
      if (!m || !m[2]!.split(/\s+/).includes('next')) continue;
      const next = new URL(m[1]!, this.base);
      if (next.origin !== this.base.origin) {
        throw new RemoteError('github_response', `refused to follow a pagination link to another host (${next.origin})`, null, false);
      }
      return next;
    }
    return null;
  }

  private async requestUrl<T>(method: string, url: URL, body?: unknown): Promise<GitHubResponse<T>> {
    const idempotent = method === 'GET' || method === 'PATCH' || method === 'PUT' || method === 'DELETE';
    for (let attempt = 1; ; attempt++) {
      this.onRequest?.(method, describe(url));
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: {
            accept: 'application/vnd.github+json',
            authorization: `Bearer ${this.token}`,
            'x-github-api-version': API_VERSION,
            'user-agent': 'orgshare-github',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (err) {
        const cause = err instanceof Error && err.cause instanceof Error ? ` (${(err.cause as NodeJS.ErrnoException).code ?? err.cause.message})` : '';
        const reason = `${err instanceof Error ? err.message : String(err)}${cause}`;
        if (idempotent && attempt < this.maxAttempts) {
          await sleep(this.backoff(attempt));
          continue;
        }
        throw new RemoteError('github_network', redact(`${method} ${describe(url)}: ${reason}`), null, true);
      }

      const text = await res.text();
      if (res.ok) {
        let data: unknown = null;
        if (text) {
          try {
            data = JSON.parse(text);
          } catch {
            throw new RemoteError('github_response', `${method} ${describe(url)}: response is not JSON`, res.status, false);
          }
        }
        return { status: res.status, data: data as T, headers: res.headers };
      }

      const rateLimited = res.status === 429 || (res.status === 403 && (res.headers.get('x-ratelimit-remaining') === '0' || res.headers.has('retry-after')));
      const serverError = res.status >= 500;
      if (attempt < this.maxAttempts && (rateLimited || (serverError && idempotent))) {
        const wait = rateLimited ? this.rateLimitWait(res.headers, attempt) : this.backoff(attempt);
        if (wait <= this.maxRetryWaitMs) {
          await sleep(wait);
          continue;
        }
      }
      throw new RemoteError(
        res.status === 401 ? 'github_auth' : res.status === 403 ? 'github_forbidden' : res.status === 404 ? 'github_not_found' : 'github_http',
        redact(`${method} ${describe(url)} failed: HTTP ${res.status}${githubMessage(text)}`),
        res.status,
        rateLimited || serverError,
      );
    }
  }

  private backoff(attempt: number): number {
    return this.retryDelayMs * 2 ** (attempt - 1);
  }

  private rateLimitWait(headers: Headers, attempt: number): number {
    const retryAfter = Number(headers.get('retry-after'));
    if (Number.isFinite(retryAfter) && retryAfter > 0) return retryAfter * 1000;
    const reset = Number(headers.get('x-ratelimit-reset'));
    if (headers.get('x-ratelimit-remaining') === '0' && Number.isFinite(reset) && reset > 0) {
      return Math.max(0, reset * 1000 - Date.now());
    }
    return this.backoff(attempt);
  }
}

/** Path and query only: never the origin's userinfo, never a fragment. */
function describe(url: URL): string {
  return `${url.pathname}${url.search}`;
}

function githubMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; errors?: unknown };
    const message = typeof parsed.message === 'string' ? parsed.message : '';
    const errors = Array.isArray(parsed.errors)
      ? parsed.errors
          .map((e) => (typeof e === 'string' ? e : typeof e === 'object' && e && 'message' in e ? String((e as { message: unknown }).message) : ''))
          .filter(Boolean)
      : [];
    const all = [message, ...errors].filter(Boolean).join('; ');
    return all ? `: ${all.slice(0, 500)}` : '';
  } catch {
    return '';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
