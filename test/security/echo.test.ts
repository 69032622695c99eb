/**
 * Values echoed in messages (docs/security.md, threat table): every byte the CLI prints
 * passes through redaction of every secret in any letter case, and an environment value
 * is shown bounded, and never when it is (part of) a secret or looks like a token.
 */
import { describe, expect, it } from 'vitest';
import { echoEnvValue, redact, registerSecret } from '../../src/errors.js';
import { TOKEN, acmeFile, envFor, repo, run, sandboxForFile } from './helpers.js';

const sandbox = sandboxForFile();

/** Any 10 characters in a row of the token, in any letter case. */
function leaksPart(text: string, secret: string = TOKEN): string[] {
  const lower = text.toLowerCase();
  const out: string[] = [];
  for (let i = 0; i + 10 <= secret.length; i++) if (lower.includes(secret.slice(i, i + 10).toLowerCase())) out.push(secret.slice(i, i + 10));
  return out;
}

describe('a token mistakenly in ZENDESK_SUBDOMAIN', () => {
  const config = 'rpm: 10000\nsubdomain: acme\n';

  it('plan does not print it, in any case, nor any part of it (token also in ZENDESK_API_TOKEN)', async () => {
    const dir = await repo({ 'orgs/acme.yaml': acmeFile(), 'orgshare.config.yaml': config });
    for (const command of [['plan'], ['--format', 'json', 'plan'], ['--format', 'markdown', 'plan'], ['validate'], ['apply', '--yes']]) {
      const r = await run(envFor(sandbox(), { ZENDESK_SUBDOMAIN: TOKEN, ZENDESK_API_TOKEN: TOKEN }), dir, command);
      expect(r.code, command.join(' ')).toBe(1);
      expect(`${r.stdout}${r.stderr}`).toContain('ZENDESK_SUBDOMAIN is (32 characters, not shown');
      expect(leaksPart(`${r.stdout}${r.stderr}`), command.join(' ')).toEqual([]);
    }
    expect(sandbox().writes()).toEqual([]);
  });

  it('nor when it is not known as a secret (it looks like a token)', async () => {
    const dir = await repo({ 'orgs/acme.yaml': acmeFile(), 'orgshare.config.yaml': config });
    const lookalike = 'f3a9c2e4b7d1a8c6e5f0b9d2a7c4e1f8b3d6a0c9';
    const r = await run(envFor(sandbox(), { ZENDESK_SUBDOMAIN: lookalike }), dir, ['plan']);
    expect(r.code).toBe(1);
    expect(leaksPart(`${r.stdout}${r.stderr}`, lookalike)).toEqual([]);
  });

  it('a harmless wrong subdomain is still named, bounded', async () => {
    const dir = await repo({ 'orgs/acme.yaml': acmeFile(), 'orgshare.config.yaml': config });
    const r = await run(envFor(sandbox(), { ZENDESK_SUBDOMAIN: 'globex' }), dir, ['plan']);
    expect(`${r.stdout}${r.stderr}`).toContain('subdomain is acme but ZENDESK_SUBDOMAIN is "globex"');
    expect(echoEnvValue('x'.repeat(500))).toHaveLength(43);
  });
});

describe('redact', () => {
  it('removes a registered secret in any letter case, and its base64', () => {
    registerSecret('MixedCaseSecret-42xy');
    expect(redact('a mixedcasesecret-42xy b MIXEDCASESECRET-42XY c')).toBe('a [REDACTED] b [REDACTED] c');
    expect(redact(Buffer.from('MixedCaseSecret-42xy').toString('base64'))).not.toContain(Buffer.from('MixedCaseSecret-42xy').toString('base64').slice(0, 20));
  });
});
