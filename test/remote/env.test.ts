import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { remoteOptionsFromEnv } from '../../src/remote/env.js';

const TOKEN = 'zd-secret-token-8e1b';

function failure(env: NodeJS.ProcessEnv): UsageError {
  try {
    remoteOptionsFromEnv(env, { readOnly: true });
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error('expected a UsageError');
}

describe('remote options from the environment', () => {
  it('builds the Zendesk URL from the subdomain and uses API-token auth', () => {
    const o = remoteOptionsFromEnv({ ZENDESK_SUBDOMAIN: 'acme', ZENDESK_EMAIL: 'admin@acme.example', ZENDESK_API_TOKEN: TOKEN }, { readOnly: true, rpm: 200 });
    expect(o).toMatchObject({
      baseUrl: 'https://acme.zendesk.com/api/v2',
      subdomain: 'acme',
      auth: { kind: 'token', email: 'admin@acme.example', token: TOKEN },
      readOnly: true,
      rpm: 200,
    });
  });

  it('accepts a subdomain written as a host or URL', () => {
    const o = remoteOptionsFromEnv({ ZENDESK_SUBDOMAIN: 'https://Acme.zendesk.com/', ZENDESK_OAUTH_TOKEN: TOKEN }, { readOnly: false });
    expect(o.subdomain).toBe('acme');
    expect(o.baseUrl).toBe('https://acme.zendesk.com/api/v2');
  });

  it('prefers the OAuth token when both are set', () => {
    const o = remoteOptionsFromEnv(
      { ZENDESK_SUBDOMAIN: 'acme', ZENDESK_EMAIL: 'a@b.example', ZENDESK_API_TOKEN: 'x-token', ZENDESK_OAUTH_TOKEN: TOKEN },
      { readOnly: true },
    );
    expect(o.auth).toEqual({ kind: 'oauth', token: TOKEN });
  });

  it('lets ZENDESK_API_URL point at a local sandbox, without a trailing slash', () => {
    const o = remoteOptionsFromEnv(
      { ZENDESK_API_URL: 'http://127.0.0.1:4010/api/v2/', ZENDESK_EMAIL: 'admin@acme.example', ZENDESK_API_TOKEN: TOKEN },
      { readOnly: true },
    );
    expect(o.baseUrl).toBe('http://127.0.0.1:4010/api/v2');
    expect(o.subdomain).toBeNull();
  });

  it('takes the subdomain from a zendesk.com API URL', () => {
    const o = remoteOptionsFromEnv({ ZENDESK_API_URL: 'https://globex.zendesk.com/api/v2', ZENDESK_OAUTH_TOKEN: TOKEN }, { readOnly: true });
    expect(o.subdomain).toBe('globex');
  });

  it('refuses to send a token over plain http to another machine unless allowed', () => {
    const env = { ZENDESK_API_URL: 'http://zendesk-proxy.internal/api/v2', ZENDESK_OAUTH_TOKEN: TOKEN };
    expect(failure(env).message).toMatch(/plain http/);
    expect(remoteOptionsFromEnv({ ...env, ORGSHARE_ALLOW_HTTP: '1' }, { readOnly: true }).baseUrl).toBe('http://zendesk-proxy.internal/api/v2');
  });

  it('refuses credentials inside the URL', () => {
    expect(failure({ ZENDESK_API_URL: `https://me:${TOKEN}@acme.zendesk.com/api/v2`, ZENDESK_OAUTH_TOKEN: TOKEN }).message).toMatch(/credentials/);
  });

  it.each([
    [{}, /no Zendesk account/],
    [{ ZENDESK_SUBDOMAIN: 'acme' }, /no Zendesk credentials/],
    [{ ZENDESK_SUBDOMAIN: 'acme', ZENDESK_EMAIL: 'a@b.example' }, /the token is missing/],
    [{ ZENDESK_SUBDOMAIN: 'acme', ZENDESK_API_TOKEN: TOKEN }, /ZENDESK_EMAIL is missing/],
    [{ ZENDESK_SUBDOMAIN: 'acme corp', ZENDESK_OAUTH_TOKEN: TOKEN }, /not a valid subdomain/],
    [{ ZENDESK_API_URL: 'not a url', ZENDESK_OAUTH_TOKEN: TOKEN }, /not a URL/],
  ])('explains what is missing (%j) with a hint and never echoes the token', (env, message) => {
    const err = failure(env as NodeJS.ProcessEnv);
    expect(err.message).toMatch(message);
    expect(err.hint).toBeTruthy();
    expect(`${err.message} ${err.hint}`).not.toContain(TOKEN);
  });
});
