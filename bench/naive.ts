/**
 * The naive baseline: how a per-resource reconciler (terraform-provider-zendesk's
 * `zendesk_organization`) refreshes and applies, written with plain `fetch`:
 *
 * - refresh: one `GET /organizations/{id}` per managed organization;
 * - apply:   refresh, then one `PUT /organizations/{id}` per organization that differs
 *            (flags plus the Details line, so it writes what orgshare writes to the org).
 *
 * Concurrency 10 (Terraform's default `-parallelism`), no rate budget, no retries. It
 * verifies no evidence and does no ticket steps: it is the floor of what a per-resource
 * design costs, not an equivalent of orgshare.
 *
 *   node dist/bench/naive.js refresh|apply --desired desired.json
 *   (ZENDESK_API_URL, ZENDESK_EMAIL, ZENDESK_API_TOKEN from the environment)
 *
 * Prints one JSON line: {mode, refreshed, missing, differing, written, requests}.
 */
import { readFileSync } from 'node:fs';
import type { DesiredFlags } from './lib/world.js';
import { isEntryPoint } from '../src/entry-point.js';

export interface NaiveOptions {
  baseUrl: string;
  email: string;
  token: string;
  desired: DesiredFlags[];
  /** Requests in flight at once (default 10). */
  concurrency?: number;
  /** UTC date for Details lines (YYYY-MM-DD). */
  date?: string;
}

export interface NaiveResult {
  mode: 'refresh' | 'apply';
  refreshed: number;
  missing: number;
  differing: number;
  written: number;
  requests: number;
}

interface LiveOrg {
  id: number;
  shared_tickets: boolean;
  shared_comments: boolean;
  details: string | null;
}

async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

export async function naive(mode: 'refresh' | 'apply', opts: NaiveOptions): Promise<NaiveResult> {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const headers = {
    Authorization: `Basic ${Buffer.from(`${opts.email}/token:${opts.token}`).toString('base64')}`,
    'Content-Type': 'application/json',
    Accept: 'application/json',
  };
  const limit = opts.concurrency ?? 10;
  const date = opts.date ?? new Date().toISOString().slice(0, 10);
  const result: NaiveResult = { mode, refreshed: 0, missing: 0, differing: 0, written: 0, requests: 0 };

  const live = new Map<number, LiveOrg>();
  await pool(opts.desired, limit, async (d) => {
    result.requests++;
    const res = await fetch(`${base}/organizations/${d.id}.json`, { headers });
    if (res.status === 404) {
      await res.arrayBuffer();
      result.missing++;
      return;
    }
    if (!res.ok) throw new Error(`GET /organizations/${d.id}: ${res.status}`);
    live.set(d.id, ((await res.json()) as { organization: LiveOrg }).organization);
    result.refreshed++;
  });

  const differing = opts.desired.filter((d) => {
    const o = live.get(d.id);
    return o !== undefined && (o.shared_tickets !== d.shared_tickets || o.shared_comments !== d.shared_comments);
  });
  result.differing = differing.length;
  if (mode === 'refresh') return result;

  await pool(differing, limit, async (d) => {
    const before = live.get(d.id)?.details ?? '';
    const line = d.details_line?.replace('{date}', date);
    const body = {
      organization: {
        shared_tickets: d.shared_tickets,
        shared_comments: d.shared_comments,
        ...(line ? { details: before ? `${before}\n${line}` : line } : {}),
      },
    };
    result.requests++;
    const res = await fetch(`${base}/organizations/${d.id}.json`, { method: 'PUT', headers, body: JSON.stringify(body) });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`PUT /organizations/${d.id}: ${res.status}`);
    result.written++;
  });
  return result;
}

async function main(argv: string[]): Promise<number> {
  const mode = argv[0];
  const at = argv.indexOf('--desired');
  const file = at >= 0 ? argv[at + 1] : undefined;
  const baseUrl = process.env.ZENDESK_API_URL;
  const email = process.env.ZENDESK_EMAIL;
  const token = process.env.ZENDESK_API_TOKEN;
  if ((mode !== 'refresh' && mode !== 'apply') || !file || !baseUrl || !email || !token) {
    process.stderr.write('usage: node dist/bench/naive.js refresh|apply --desired desired.json (ZENDESK_API_URL, ZENDESK_EMAIL, ZENDESK_API_TOKEN set)\n');
    return 1;
  }
  const desired = JSON.parse(readFileSync(file, 'utf8')) as DesiredFlags[];
  const result = await naive(mode, { baseUrl, email, token, desired });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}

if (isEntryPoint(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`naive: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
