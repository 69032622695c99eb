/**
 * What "converged" means for the sandbox suites, judged against the reference plan (made
 * before any fault) and a snapshot of the sandbox taken before the first write:
 *
 *  - every planned change is in place: flags, restrictions and ticket fields as planned;
 *    Details / user notes are the old text byte for byte plus exactly one new line; one
 *    public confirmation comment by the API user per change, and the ticket solved;
 *  - nothing else moved: organizations, users, tickets and comments outside the plan are
 *    exactly as in the snapshot;
 *  - every write ever sent (faulted or not) targets only planned records and carries only
 *    planned values (so a retry or a re-run can never write something new).
 *
 * Every deviation is a problem: no product bug is exempted (the two this suite found,
 * docs/reliability.md "Fixed bugs", are fixed).
 */
import { withoutLockLines } from '../../src/apply/lock.js';
import { sameComment } from '../../src/records/comments.js';
import { appendLine } from '../../src/records/details.js';
import { countLine } from '../../src/records/recorded.js';
import type { Change, Plan, Step } from '../../src/model/plan.js';
import type { RequestLogEntry, Sandbox } from '../../src/sandbox/index.js';

export const API_USER = 1001;

export interface Snapshot {
  orgs: Map<number, unknown>;
  users: Map<number, unknown>;
  tickets: Map<number, unknown>;
  comments: Map<number, unknown>;
  details: Map<number, string | null>;
  notes: Map<number, string | null>;
}

export function snapshot(sb: Sandbox): Snapshot {
  const s = sb.store;
  return {
    orgs: new Map([...s.orgs].map(([id, o]) => [id, structuredClone(o)])),
    users: new Map([...s.users].map(([id, u]) => [id, structuredClone(u)])),
    tickets: new Map([...s.tickets].map(([id, t]) => [id, structuredClone(t)])),
    comments: new Map([...s.comments].map(([id, c]) => [id, structuredClone(c)])),
    details: new Map([...s.orgs].map(([id, o]) => [id, o.details])),
    notes: new Map([...s.users].map(([id, u]) => [id, u.notes])),
  };
}

const live = (c: Change) => c.steps.filter((s) => !s.skip);

/** Records a plan writes to, and the final text each free-text field must have. */
export interface Targets {
  orgs: Set<number>;
  users: Set<number>;
  tickets: Set<number>;
  details: Map<number, string | null>;
  notes: Map<number, string | null>;
  /** Comment bodies planned per ticket. */
  bodies: Map<number, string[]>;
  /** Ticket field values planned per ticket. */
  fields: Map<number, Map<number, unknown>>;
}

export function targetsOf(plan: Plan, before: Snapshot): Targets {
  const t: Targets = { orgs: new Set(), users: new Set(), tickets: new Set(), details: new Map(), notes: new Map(), bodies: new Map(), fields: new Map() };
  for (const c of plan.changes) {
    for (const step of live(c)) {
      switch (step.kind) {
        case 'org_update': {
          t.orgs.add(step.orgId);
          const base = t.details.has(step.orgId) ? t.details.get(step.orgId)! : before.details.get(step.orgId) ?? null;
          t.details.set(step.orgId, step.detailsLine ? appendLine(base, step.detailsLine) : base);
          break;
        }
        case 'user_update': {
          t.users.add(step.userId);
          t.notes.set(step.userId, step.notesAfter);
          break;
        }
        case 'ticket_metadata': {
          t.tickets.add(step.ticketId);
          const m = t.fields.get(step.ticketId) ?? new Map<number, unknown>();
          for (const f of step.fields) m.set(f.id, f.value);
          t.fields.set(step.ticketId, m);
          break;
        }
        case 'ticket_comment': {
          t.tickets.add(step.ticketId);
          t.bodies.set(step.ticketId, [...(t.bodies.get(step.ticketId) ?? []), step.body]);
          break;
        }
      }
    }
  }
  return t;
}

export interface Verdict {
  problems: string[];
}

function confirmations(sb: Sandbox, ticketId: number, body: string): number {
  return (sb.store.comments.get(ticketId) ?? []).filter((c) => c.public && c.author_id === API_USER && sameComment(c.body, body)).length;
}

/** Live sandbox state against the reference plan. Empty `problems`: converged. */
export function judgeState(sb: Sandbox, plan: Plan, before: Snapshot): Verdict {
  const problems: string[] = [];
  const targets = targetsOf(plan, before);
  const store = sb.store;

  for (const c of plan.changes) {
    const steps = live(c);
    for (const step of steps) {
      switch (step.kind) {
        case 'org_update': {
          const org = store.org(step.orgId);
          if (step.flags && (org.shared_tickets !== step.flags.shared_tickets || org.shared_comments !== step.flags.shared_comments)) {
            problems.push(`${c.key}: shared_tickets/comments ${org.shared_tickets}/${org.shared_comments}, planned ${step.flags.shared_tickets}/${step.flags.shared_comments}`);
          }
          const want = targets.details.get(step.orgId) ?? null;
          if (org.details !== want) {
            problems.push(`${c.key}: Details ${JSON.stringify(org.details)}, want ${JSON.stringify(want)}`);
          }
          if (step.detailsLine && countLine(org.details, step.detailsLine) !== 1) {
            problems.push(`${c.key}: Details line present ${countLine(org.details, step.detailsLine)} times`);
          }
          break;
        }
        case 'user_update': {
          const u = store.user(step.userId);
          if (u.ticket_restriction !== step.ticketRestriction) {
            problems.push(`${c.key}: ticket_restriction ${u.ticket_restriction}, planned ${step.ticketRestriction}`);
          }
          if (u.notes !== step.notesAfter) {
            problems.push(`${c.key}: notes ${JSON.stringify(u.notes)}, want ${JSON.stringify(step.notesAfter)}`);
          }
          break;
        }
        case 'ticket_metadata': {
          const t = store.ticket(step.ticketId);
          for (const f of step.fields) {
            const v = t.custom_fields.find((x) => x.id === f.id)?.value;
            if (v !== f.value) {
              problems.push(`${c.key}: ticket ${t.id} field ${f.id} = ${JSON.stringify(v)}, planned ${JSON.stringify(f.value)}`);
            }
          }
          break;
        }
        case 'ticket_comment': {
          const n = confirmations(sb, step.ticketId, step.body);
          const status = store.ticket(step.ticketId).status;
          if (n !== 1) {
            problems.push(`${c.key}: ${n} confirmation comments on ticket ${step.ticketId}, want exactly 1`);
          } else if (step.solve && status !== 'solved' && status !== 'closed') {
            problems.push(`${c.key}: ticket ${step.ticketId} is ${status}, want solved`);
          }
          break;
        }
      }
    }
  }

  // Nothing outside the plan moved.
  for (const [id, o] of before.orgs) if (!targets.orgs.has(id) && !same(o, store.orgs.get(id))) problems.push(`organization ${id} (not in the plan) changed`);
  for (const [id, u] of before.users) {
    if (targets.users.has(id)) continue;
    // The API user may only differ by the apply lock, taken and released around each apply.
    if (id === API_USER ? !sameModuloLock(u, store.users.get(id)) : !same(u, store.users.get(id))) problems.push(`user ${id} (not in the plan) changed`);
  }
  for (const [id, t] of before.tickets) {
    if (targets.tickets.has(id)) continue;
    if (!same(t, store.tickets.get(id)) || !same(before.comments.get(id), store.comments.get(id))) problems.push(`ticket ${id} (not in the plan) changed`);
  }
  if (store.orgs.size !== before.orgs.size || store.users.size !== before.users.size || store.tickets.size !== before.tickets.size) {
    problems.push('records were created or deleted');
  }
  return { problems };
}

/** Every write in `log` against the reference plan: planned targets and planned values only. */
export function judgeWrites(log: RequestLogEntry[], plan: Plan, before: Snapshot): string[] {
  const targets = targetsOf(plan, before);
  const flags = new Map<number, { shared_tickets: boolean; shared_comments: boolean }>();
  const restriction = new Map<number, string>();
  for (const c of plan.changes) {
    for (const s of live(c)) {
      if (s.kind === 'org_update' && s.flags) flags.set(s.orgId, s.flags);
      if (s.kind === 'user_update') restriction.set(s.userId, s.ticketRestriction);
    }
  }
  const problems: string[] = [];
  for (const e of log) {
    if (e.method === 'GET' || e.method === 'HEAD') continue;
    const where = `${e.method} ${e.path}${e.fault ? ` [${e.fault}]` : ''}`;
    if (e.method !== 'PUT') {
      problems.push(`unexpected ${where}`);
      continue;
    }
    const path = e.path.replace(/^\/api\/v2/, '').replace(/\.json$/, '');
    const body = (e.body ?? {}) as Record<string, unknown>;
    if (path === '/organizations/update_many') {
      for (const item of (body.organizations ?? []) as Record<string, unknown>[]) {
        const id = Number(item.id);
        if (!targets.orgs.has(id)) problems.push(`${where}: organization ${id} is not in the plan`);
        const f = flags.get(id);
        if ('shared_tickets' in item && (!f || item.shared_tickets !== f.shared_tickets || item.shared_comments !== f.shared_comments)) {
          problems.push(`${where}: organization ${id} flags ${String(item.shared_tickets)}/${String(item.shared_comments)} not planned`);
        }
        if ('details' in item && item.details !== targets.details.get(id)) problems.push(`${where}: organization ${id} details ${JSON.stringify(item.details)} not planned`);
        if ('domain_names' in item) problems.push(`${where}: organization ${id} domain_names not planned`);
      }
    } else if (path === `/users/${API_USER}`) {
      // The apply lock (src/apply/lock.ts): the API user's notes, changed only in lock lines.
      const item = (body.user ?? {}) as Record<string, unknown>;
      if (!Object.keys(item).every((k) => k === 'id' || k === 'notes')) problems.push(`${where}: API user changed beyond its notes`);
      if (withoutLockLines(String(item.notes ?? '')) !== withoutLockLines(before.notes.get(API_USER) ?? null)) {
        problems.push(`${where}: API user notes changed beyond the apply lock`);
      }
    } else if (path === '/users/update_many') {
      for (const item of (body.users ?? []) as Record<string, unknown>[]) {
        const id = Number(item.id);
        if (!targets.users.has(id)) problems.push(`${where}: user ${id} is not in the plan`);
        if ('ticket_restriction' in item && item.ticket_restriction !== restriction.get(id)) problems.push(`${where}: user ${id} restriction not planned`);
        if ('notes' in item && item.notes !== targets.notes.get(id)) problems.push(`${where}: user ${id} notes ${JSON.stringify(item.notes)} not planned`);
      }
    } else if (/^\/tickets\/\d+$/.test(path)) {
      const id = Number(path.split('/')[2]);
      if (!targets.tickets.has(id)) problems.push(`${where}: ticket ${id} is not in the plan`);
      const t = (body.ticket ?? {}) as Record<string, unknown>;
      for (const key of Object.keys(t)) if (!['custom_fields', 'comment', 'status'].includes(key)) problems.push(`${where}: unplanned key ${key}`);
      for (const f of (t.custom_fields ?? []) as { id: number; value: unknown }[]) {
        if (targets.fields.get(id)?.get(f.id) !== f.value) problems.push(`${where}: field ${f.id} = ${JSON.stringify(f.value)} not planned`);
      }
      if (t.comment !== undefined) {
        const comment = t.comment as { body?: string; public?: boolean };
        const bodies = targets.bodies.get(id) ?? [];
        const known = bodies.some((b) => b === comment.body) || (comment.body !== undefined && bodies.length > 1 && isJoin(comment.body, bodies));
        if (!known || comment.public !== true) problems.push(`${where}: comment not planned: ${JSON.stringify(comment.body?.slice(0, 80))}`);
      }
      if (t.status !== undefined && t.status !== 'solved') problems.push(`${where}: status ${String(t.status)} not planned`);
    } else {
      problems.push(`unexpected ${where}`);
    }
  }
  return problems;
}

/** A comment made of several planned bodies joined by a blank line, each at most once. */
function isJoin(body: string, bodies: string[]): boolean {
  let rest = body;
  const used = new Set<number>();
  while (rest.length > 0) {
    const i = bodies.findIndex((b, k) => !used.has(k) && rest.startsWith(b));
    if (i < 0) return false;
    used.add(i);
    rest = rest.slice(bodies[i]!.length);
    if (rest.startsWith('\n\n')) rest = rest.slice(2);
    else if (rest.length > 0) return false;
  }
  return used.size > 0;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sameModuloLock(a: unknown, b: unknown): boolean {
  const strip = (u: unknown) => {
    if (!u || typeof u !== 'object') return u;
    const { notes, updated_at: _updated, ...rest } = u as Record<string, unknown>;
    return { ...rest, notes: withoutLockLines(typeof notes === 'string' ? notes : null) };
  };
  return same(strip(a), strip(b));
}
