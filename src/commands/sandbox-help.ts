/**
 * The examples of `orgshare sandbox --help`, built from the built-in seed's own account so
 * the credentials shown are the ones the sandbox accepts (docs/getting-started.md).
 */
import { DEFAULT_SEED } from '../sandbox/seed-default.js';

export function sandboxHelpExamples(): string {
  const a = DEFAULT_SEED.account ?? {};
  const subdomain = a.subdomain ?? 'acme';
  return `
Examples:
  $ orgshare sandbox --port 4010
  $ ZENDESK_API_URL=http://127.0.0.1:4010/api/v2 ZENDESK_SUBDOMAIN=${subdomain} \\
    ZENDESK_EMAIL=${a.email} ZENDESK_API_TOKEN=${a.api_token} orgshare plan

The credentials are the built-in seed's demo values (with --seed FILE: that file's
account.email and account.api_token), never a real account's.`;
}
