/** Temp config repositories for config tests. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');
export const ACME_ENV = { ZENDESK_SUBDOMAIN: 'acme' } as const;

const made: string[] = [];

afterEach(() => {
  while (made.length > 0) rmSync(made.pop()!, { recursive: true, force: true });
});

/**
 * A fresh config repo: `files` maps relative paths ("orgs/a.yaml",
 * "orgshare.config.yaml") to contents. `orgs/` always exists. Removed after the test.
 */
export function makeRepo(files: Record<string, string | Uint8Array> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'orgshare-config-'));
  made.push(dir);
  mkdirSync(join(dir, 'orgs'));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

/** A valid read_only organization file; `extra` is appended YAML (more top-level keys). */
export function orgYaml(id = 360000000101, name = 'Acme Corp', extra = ''): string {
  return `organization:
  id: ${id}
  name: ${name}
sharing: read_only
request:
  ticket: https://acme.zendesk.com/agent/tickets/4821
  requester: jane@acme.example
  confirmed_type: read_only
  risk_approval:
    approved_by: jane@acme.example
    comment_id: 90210
    quote: "we accept the security risk"
${extra}`;
}
