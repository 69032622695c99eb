/**
 * An in-memory model of `executePlan` (src/apply/execute.ts) over a test `World`, for the
 * property tests of the pure core. It follows the executor's contract, not its code:
 *
 *   phase 1 ticket metadata (one write per ticket) → phase 2 organizations (one bulk item
 *   per organization, sharing and partner domains merged), users (one item per user) →
 *   phase 3 one comment per ticket (the bodies of every change on it, joined) + solved;
 *
 * and every write looks first, with the executor's own text rules (src/apply/text.ts): a
 * Details/notes line already recorded is not appended again, a confirmation already posted
 * is not posted again, a solved/closed ticket is left alone. A change's later step runs
 * only after its earlier steps. `crashAfter` stops after that many writes, as a killed
 * process or a lost connection would: what was written stays written.
 *
 * test/plan/simulate.ts replays steps change by change with their planned text; this
 * model replays them phase by phase against the live text, which is what the sandbox
 * suites (convergence.test.ts) check for real over HTTP.
 */
import type { ObservedOrg, ObservedTicket } from '../../src/model/observed.js';
import type { Change, Plan, Step } from '../../src/model/plan.js';
import { sameComment } from '../../src/records/comments.js';
import { appendLine } from '../../src/records/details.js';
import { detailsRecord, notesRecord } from '../../src/records/recorded.js';
import type { World } from '../plan/builders.js';

type Kind = Step['kind'];
const PHASES: Kind[][] = [['ticket_metadata'], ['org_update'], ['user_update'], ['ticket_comment']];

export const API_USER = 1001;
let nextCommentId = 9_000_000;
let tick = 0;

/** Each posted comment is later than every seeded one. */
function nextTime(): string {
  return new Date(Date.UTC(2026, 10, 23, 9, 31) + tick++ * 1000).toISOString();
}

export interface ModelApplyResult {
  /** Writes made (a crash stops before write number crashAfter + 1). */
  writes: number;
  crashed: boolean;
}

interface Run {
  change: Change;
  step: Step;
  index: number;
}

function finished(t: ObservedTicket | null | undefined): boolean {
  return !t || t.status === 'solved' || t.status === 'closed';
}

export function modelApply(world: World, plan: Plan, crashAfter = Infinity): ModelApplyResult {
  if (plan.changes.some((c) => c.blocked) || plan.planChecks.some((c) => c.status === 'fail')) {
    throw new Error('model apply: the plan is blocked (apply would refuse and write nothing)');
  }
  let writes = 0;
  const done = new Set<Step>();
  const canRun = (r: Run) => !r.step.skip && r.change.steps.slice(0, r.index).every((s) => s.skip !== undefined || done.has(s));
  const write = (): boolean => {
    if (writes >= crashAfter) return false;
    writes++;
    return true;
  };
  const runsOf = (kinds: Kind[]): Run[] =>
    plan.changes.flatMap((change) => change.steps.map((step, index) => ({ change, step, index }))).filter((r) => kinds.includes(r.step.kind));

  for (const kinds of PHASES) {
    const runs = runsOf(kinds).filter(canRun);
    if (kinds[0] === 'ticket_metadata') {
      for (const [ticketId, group] of groupBy(runs, (r) => (r.step as Extract<Step, { kind: 'ticket_metadata' }>).ticketId)) {
        const t = world.observed.tickets.get(ticketId)?.ticket;
        if (finished(t)) {
          group.forEach((r) => done.add(r.step));
          continue;
        }
        const fields = group.flatMap((r) => (r.step as Extract<Step, { kind: 'ticket_metadata' }>).fields);
        const differs = fields.some((f) => t!.customFields.find((c) => c.id === f.id)?.value !== f.value);
        if (differs) {
          if (!write()) return { writes, crashed: true };
          for (const f of fields) t!.customFields = [...t!.customFields.filter((c) => c.id !== f.id), { id: f.id, value: f.value }];
        }
        group.forEach((r) => done.add(r.step));
      }
    } else if (kinds[0] === 'org_update') {
      for (const [orgId, group] of groupBy(runs, (r) => (r.step as Extract<Step, { kind: 'org_update' }>).orgId)) {
        const org = world.liveOrg(orgId);
        const projected: ObservedOrg = { ...org, domainNames: [...org.domainNames] };
        let changed = false;
        for (const r of group) {
          const s = r.step as Extract<Step, { kind: 'org_update' }>;
          if (s.flags && (projected.sharedTickets !== s.flags.shared_tickets || projected.sharedComments !== s.flags.shared_comments)) {
            projected.sharedTickets = s.flags.shared_tickets;
            projected.sharedComments = s.flags.shared_comments;
            changed = true;
          }
          // As the executor: Details as planned get the line (even if an older line reads
          // the same); otherwise only when neither the planned result nor the line is there.
          if (s.detailsLine !== undefined && projected.details === s.detailsBefore && s.detailsAfter !== null) {
            projected.details = s.detailsAfter;
            changed = true;
          } else if (s.detailsLine !== undefined && projected.details !== s.detailsAfter && !detailsRecord(projected.details, s.detailsLine)) {
            projected.details = appendLine(projected.details, s.detailsLine);
            changed = true;
          }
          if (s.domainNames && sameSetDiffers(projected.domainNames, s.domainNames)) {
            projected.domainNames = [...s.domainNames];
            changed = true;
          }
        }
        if (changed) {
          if (!write()) return { writes, crashed: true };
          Object.assign(org, projected, { updatedAt: nextTime() });
        }
        group.forEach((r) => done.add(r.step));
      }
    } else if (kinds[0] === 'user_update') {
      for (const r of runs) {
        const s = r.step as Extract<Step, { kind: 'user_update' }>;
        const user = world.liveUser(s.userId);
        const restriction = user.ticketRestriction !== s.ticketRestriction;
        const notes = !notesRecord(user.notes, s.notesLine);
        if (restriction || notes) {
          if (!write()) return { writes, crashed: true };
          user.ticketRestriction = s.ticketRestriction;
          if (notes) user.notes = user.notes === s.notesBefore ? s.notesAfter : appendLine(user.notes, s.notesLine);
          user.updatedAt = nextTime();
        }
        done.add(r.step);
      }
    } else {
      for (const [ticketId, group] of groupBy(runs, (r) => (r.step as Extract<Step, { kind: 'ticket_comment' }>).ticketId)) {
        const ev = world.observed.tickets.get(ticketId);
        if (!ev || finished(ev.ticket)) {
          group.forEach((r) => done.add(r.step));
          continue;
        }
        const mine = ev.comments.filter((c) => c.public && c.authorId === API_USER);
        const bodies = [
          ...new Set(
            group
              .map((r) => (r.step as Extract<Step, { kind: 'ticket_comment' }>).body)
              .filter((b) => !mine.some((c) => sameComment(c.body, b))),
          ),
        ];
        if (bodies.length > 0) {
          if (!write()) return { writes, crashed: true };
          world.comment(ticketId, { id: nextCommentId++, author: API_USER, body: bodies.join('\n\n'), createdAt: nextTime() });
          ev.ticket!.status = 'solved';
        }
        group.forEach((r) => done.add(r.step));
      }
    }
  }
  return { writes, crashed: false };
}

function sameSetDiffers(a: string[], b: string[]): boolean {
  const norm = (x: string[]) => [...new Set(x.map((d) => d.toLowerCase()))].sort().join(',');
  return norm(a) !== norm(b);
}

function groupBy<T, K>(items: T[], key: (t: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

/** Public comments by the API user on a ticket that contain `body` (whitespace-insensitive). */
export function confirmationsFor(world: World, ticketId: number, body: string): number {
  const ev = world.observed.tickets.get(ticketId);
  return (ev?.comments ?? []).filter((c) => c.public && c.authorId === API_USER && sameComment(c.body, body)).length;
}
