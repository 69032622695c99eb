/**
 * The read-only adapter the in-process benchmarks use against their sandbox: the demo
 * credentials, and no client-side budget (wall time measures orgshare and the sandbox).
 */
import { createAdapter } from '../../src/remote/adapter.js';
import type { Adapter } from '../../src/remote/types.js';
import type { Sandbox } from '../../src/sandbox/index.js';

export function sandboxReader(sb: Pick<Sandbox, 'baseUrl'>): Adapter {
  return createAdapter({
    baseUrl: sb.baseUrl,
    subdomain: 'acme',
    auth: { kind: 'token', email: 'admin@acme.example', token: 'sandbox-token' },
    readOnly: true,
    rpm: 0,
  });
}
