/**
 * RemoteOptions from the environment (docs/zendesk-api.md "Environment"): ZENDESK_SUBDOMAIN,
 * ZENDESK_EMAIL + ZENDESK_API_TOKEN (Basic `{email}/token:{token}`) or ZENDESK_OAUTH_TOKEN,
 * and ZENDESK_API_URL overriding `https://{subdomain}.zendesk.com/api/v2`.
 * Tokens are registered with `registerSecret` and never appear in a message or hint.
 * Plain-http URLs are accepted only for loopback hosts unless ORGSHARE_ALLOW_HTTP=1.
 */
import { UsageError, echoEnvValue, registerSecret } from '../errors.js';
import type { RemoteOptions, RequestEvent } from './types.js';

export interface EnvRemoteSettings {
  readOnly: boolean;
  rpm?: number;
  timeoutMs?: number;
  onRequest?: (event: RequestEvent) => void;
}

const SUBDOMAIN_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** The URL points at this machine (a sandbox): the one rule for every loopback-only relaxation. */
export function isLoopbackUrl(url: string | URL): boolean {
  try {
    return LOOPBACK.has(new URL(url).hostname.toLowerCase());
  } catch {
    return false;
  }
}

export function remoteOptionsFromEnv(env: NodeJS.ProcessEnv, settings: EnvRemoteSettings): RemoteOptions {
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const subdomainRaw = value('ZENDESK_SUBDOMAIN');
  const apiUrl = value('ZENDESK_API_URL');
  const email = value('ZENDESK_EMAIL');
  const apiToken = value('ZENDESK_API_TOKEN');
  const oauthToken = value('ZENDESK_OAUTH_TOKEN');
  registerSecret(apiToken);
  registerSecret(oauthToken);

  let subdomain: string | null = null;
  if (subdomainRaw !== undefined) {
    // Accept "acme", "acme.zendesk.com" and "https://acme.zendesk.com" alike.
    const bare = subdomainRaw.replace(/^https?:\/\//i, '').replace(/\/.*$/, '').replace(/\.zendesk\.com$/i, '');
    if (!SUBDOMAIN_RE.test(bare)) {
      throw new UsageError(
        `ZENDESK_SUBDOMAIN is not a valid subdomain: ${echoEnvValue(subdomainRaw)}`,
        'use the part before .zendesk.com, e.g. ZENDESK_SUBDOMAIN=acme for https://acme.zendesk.com',
      );
    }
    subdomain = bare.toLowerCase();
  }

  let baseUrl: string;
  if (apiUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(apiUrl);
    } catch {
      throw new UsageError('ZENDESK_API_URL is not a URL', 'e.g. ZENDESK_API_URL=http://127.0.0.1:4010/api/v2');
    }
    if (url.username || url.password) {
      throw new UsageError('ZENDESK_API_URL must not contain credentials', 'put them in ZENDESK_EMAIL and ZENDESK_API_TOKEN instead');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new UsageError(`ZENDESK_API_URL must be http(s), not ${url.protocol}`, 'e.g. ZENDESK_API_URL=https://acme.zendesk.com/api/v2');
    }
    // Credentials travel in a header: plain http only to this machine (the sandbox).
    // ORGSHARE_ALLOW_HTTP=1 admits a sandbox on another host (e.g. a CI service container).
    if (url.protocol === 'http:' && !isLoopbackUrl(url) && value('ORGSHARE_ALLOW_HTTP') !== '1') {
      throw new UsageError(
        `ZENDESK_API_URL uses plain http to ${url.hostname}: the API token would be sent unencrypted`,
        'use https; plain http is accepted for 127.0.0.1/localhost, or for a sandbox elsewhere with ORGSHARE_ALLOW_HTTP=1',
      );
    }
    url.search = '';
    url.hash = '';
    baseUrl = url.toString().replace(/\/+$/, '');
    if (subdomain === null) {
      const m = /^([a-z0-9-]+)\.zendesk\.com$/i.exec(url.hostname);
      if (m?.[1]) subdomain = m[1].toLowerCase();
    }
  } else if (subdomain !== null) {
    baseUrl = `https://${subdomain}.zendesk.com/api/v2`;
  } else {
    throw new UsageError(
      'no Zendesk account configured: set ZENDESK_SUBDOMAIN (or ZENDESK_API_URL)',
      'e.g. ZENDESK_SUBDOMAIN=acme ZENDESK_EMAIL=you@acme.example ZENDESK_API_TOKEN=… ; for the sandbox: ZENDESK_API_URL=http://127.0.0.1:4010/api/v2',
    );
  }

  let auth: RemoteOptions['auth'];
  if (oauthToken !== undefined) {
    auth = { kind: 'oauth', token: oauthToken };
  } else if (apiToken !== undefined && email !== undefined) {
    auth = { kind: 'token', email, token: apiToken };
  } else if (apiToken !== undefined) {
    throw new UsageError('ZENDESK_API_TOKEN is set but ZENDESK_EMAIL is missing', 'API-token auth needs the agent email: set ZENDESK_EMAIL=you@acme.example');
  } else {
    throw new UsageError(
      `no Zendesk credentials: set ZENDESK_EMAIL and ZENDESK_API_TOKEN, or ZENDESK_OAUTH_TOKEN${email ? ' (ZENDESK_EMAIL is set, the token is missing)' : ''}`,
      'create an API token in Admin Center → Apps and integrations → Zendesk API; never commit it, pass it as an environment variable or CI secret',
    );
  }

  return {
    baseUrl,
    subdomain,
    auth,
    readOnly: settings.readOnly,
    rpm: rpmOverride(value('ORGSHARE_RPM')) ?? settings.rpm,
    timeoutMs: settings.timeoutMs,
    retryBaseMs: loopbackRetryBase(baseUrl, value('ORGSHARE_RETRY_BASE_MS')),
    onRequest: settings.onRequest,
  };
}

/**
 * `ORGSHARE_RETRY_BASE_MS` shortens the first retry backoff step (default 250 ms, doubling
 * per attempt) for a sandbox on this machine only: the test suite meets thousands of
 * injected faults. Against any other host it is ignored, like ORGSHARE_LOCK_SETTLE_MS.
 * Retry-After from the server is always honoured in full.
 */
function loopbackRetryBase(baseUrl: string, text: string | undefined): number | undefined {
  if (text === undefined || !isLoopbackUrl(baseUrl)) return undefined;
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= 250 ? n : undefined;
}

/**
 * `ORGSHARE_RPM` (set by the global `--rpm` option, or in CI) overrides the config's rpm:
 * a positive whole number of requests per minute.
 */
function rpmOverride(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) {
    throw new UsageError(`--rpm / ORGSHARE_RPM must be a whole number from 1 to 100000, not ${echoEnvValue(text)}`, 'use your Zendesk plan’s limit or less, e.g. --rpm 400');
  }
  return n;
}
