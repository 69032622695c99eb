/**
 * Request counts by kind, from the sandbox's request log (what actually arrived, after
 * any client-side retries):
 *
 * - orgReads:      GET organizations, organizations/show_many, organizations/{id}
 * - evidenceReads: every other GET except job polls: users/me, tickets (show_many,
 *                  comments), users (show_many, search, pages), memberships,
 *                  organizations/{id}/users, ticket_fields, audit_logs, counts
 * - orgWrites:     PUT organizations/update_many and organizations/{id}
 * - ticketWrites:  PUT tickets/{id}
 * - userWrites:    PUT users/update_many and users/{id}
 * - jobPolls:      GET job_statuses…
 */
import type { RequestLogEntry } from '../../src/sandbox/types.js';

export interface RequestCounts {
  orgReads: number;
  evidenceReads: number;
  orgWrites: number;
  ticketWrites: number;
  userWrites: number;
  otherWrites: number;
  jobPolls: number;
  total: number;
  /** Responses that were not 2xx (rate limits, faults): should be 0 in the benchmark. */
  errors: number;
  /** Of those, 429 Too Many Requests. */
  rateLimited: number;
  /** "GET /tickets/{id}/comments" → count, for the detail listing. */
  byEndpoint: Map<string, number>;
}

/** "/api/v2/organizations/361000000001.json" → "/organizations/{id}". */
export function endpointOf(path: string): string {
  return path
    .replace(/^\/api\/v2/, '')
    .replace(/\.json$/, '')
    .replace(/^\/job_statuses\/[^/]+$/, '/job_statuses/{id}')
    .replace(/\/\d+(?=\/|$)/g, '/{id}');
}

export function classify(log: readonly Pick<RequestLogEntry, 'method' | 'path' | 'status'>[]): RequestCounts {
  const c: RequestCounts = {
    orgReads: 0,
    evidenceReads: 0,
    orgWrites: 0,
    ticketWrites: 0,
    userWrites: 0,
    otherWrites: 0,
    jobPolls: 0,
    total: 0,
    errors: 0,
    rateLimited: 0,
    byEndpoint: new Map(),
  };
  for (const e of log) {
    const ep = endpointOf(e.path);
    const method = e.method.toUpperCase();
    c.total++;
    if (e.status < 200 || e.status >= 300) c.errors++;
    if (e.status === 429) c.rateLimited++;
    const key = `${method} ${ep}`;
    c.byEndpoint.set(key, (c.byEndpoint.get(key) ?? 0) + 1);
    if (method === 'GET' || method === 'HEAD') {
      if (ep.startsWith('/job_statuses')) c.jobPolls++;
      else if (/^\/organizations(\/show_many|\/\{id\})?$/.test(ep)) c.orgReads++;
      else c.evidenceReads++;
    } else if (/^\/organizations(\/update_many|\/\{id\})$/.test(ep)) c.orgWrites++;
    else if (/^\/tickets\/\{id\}$/.test(ep)) c.ticketWrites++;
    else if (/^\/users(\/update_many|\/\{id\})$/.test(ep)) c.userWrites++;
    else c.otherWrites++;
  }
  return c;
}

export function writesOf(c: RequestCounts): number {
  return c.orgWrites + c.ticketWrites + c.userWrites + c.otherWrites;
}
