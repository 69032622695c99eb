/**
 * Executes a plan against Zendesk, in the handbook's order, batched across changes:
 *
 *   phase 1  ticket metadata        one PUT /tickets/{id} per ticket
 *   phase 2  organizations, users   update_many (≤ 100 per request) + job polling
 *   phase 3  comment + solved       one PUT /tickets/{id} per ticket (solved only when
 *                                   every change confirming on that ticket got this far)
 *   verify   re-read what changed   show_many
 *
 * A change runs a later step only when its earlier steps succeeded (or were already done
 * or legitimately skipped). Every phase looks before it writes: it re-reads live state
 * immediately before writing and drops what is already there, so a re-run after a crash
 * at any point converges without a second Details line or a second comment.
 *
 * This module only talks to the `Adapter`; retries of retryable failures live in the
 * transport. A failure of one item never stops the others.
 */
import { InternalError, ReadOnlyViolation, RefusedError, redact } from '../errors.js';
import type { ObservedOrg, ObservedTicket, ObservedUser } from '../model/observed.js';
import { isBlocked, type Change, type Plan, type Step } from '../model/plan.js';
import type { ApplyReport, ApplyResult, StepStatus } from '../model/reports.js';
import type { Adapter, BulkItemResult, OrgUpdate, UserUpdate } from '../remote/types.js';
import { sameComment } from '../records/comments.js';
import { appendLine, utcDate } from '../records/details.js';
import { countLine, detailsRecord, notesRecord } from '../records/recorded.js';
import { ticketDone } from '../records/tickets.js';

export type ApplyPhase = 'metadata' | 'organizations' | 'users' | 'comments' | 'verify';

export interface ApplyProgress {
  phase: ApplyPhase;
  /** Items finished in this phase so far, out of `total`. */
  done: number;
  total: number;
}

export interface ExecuteOptions {
  now: Date;
  onProgress?: (event: ApplyProgress) => void;
}

type MetadataStep = Extract<Step, { kind: 'ticket_metadata' }>;
type OrgStep = Extract<Step, { kind: 'org_update' }>;
type UserStep = Extract<Step, { kind: 'user_update' }>;
type CommentStep = Extract<Step, { kind: 'ticket_comment' }>;

interface StepRun<S extends Step = Step> {
  step: S;
  status: StepStatus;
  message?: string;
  change: ChangeRun;
  /** A comment step posted without `status: solved` (another change on its ticket is not done). */
  solveWithheld?: boolean;
}

interface ChangeRun {
  change: Change;
  runs: StepRun[];
  /** A step failed: later steps of this change must not run. */
  failed: boolean;
}

const DONE_LIKE: ReadonlySet<StepStatus> = new Set(['done', 'already_done', 'skipped']);

function errorText(err: unknown): string {
  return redact(err instanceof Error ? err.message : String(err));
}

function fail(run: StepRun, message: string): void {
  run.status = 'failed';
  run.message = message;
  run.change.failed = true;
}

/** Pending runs of one step kind whose change has not failed, in plan order. */
function pending<K extends Step['kind']>(changes: ChangeRun[], kind: K): StepRun<Extract<Step, { kind: K }>>[] {
  const out: StepRun<Extract<Step, { kind: K }>>[] = [];
  for (const c of changes) {
    for (const r of c.runs) {
      if (r.step.kind !== kind || r.status !== 'not_run') continue;
      if (c.failed) continue;
      // Earlier steps of the same change must all have succeeded.
      const idx = c.runs.indexOf(r);
      if (!c.runs.slice(0, idx).every((e) => DONE_LIKE.has(e.status))) continue;
      if (r.step.skip) {
        r.status = 'skipped';
        r.message = r.step.skip;
        continue;
      }
      out.push(r as StepRun<Extract<Step, { kind: K }>>);
    }
  }
  return out;
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

function isFinished(t: ObservedTicket): boolean {
  return ticketDone(t.status);
}

function sameValue(live: unknown, want: unknown): boolean {
  if (typeof want === 'boolean') return live === want || (want === false && live === null);
  return live === want;
}

function sameSet(a: string[], b: string[]): boolean {
  const norm = (x: string[]) => [...new Set(x.map((d) => d.toLowerCase()))].sort().join(',');
  return norm(a) === norm(b);
}

/** Rethrows errors that mean "bug", not "Zendesk said no". */
function rethrowIfBug(err: unknown): void {
  if (err instanceof ReadOnlyViolation || err instanceof InternalError) throw err;
}

export async function executePlan(plan: Plan, adapter: Adapter, opts: ExecuteOptions): Promise<ApplyReport> {
  if (isBlocked(plan)) {
    const blocked = plan.changes.filter((c) => c.blocked).map((c) => c.key);
    const planWide = plan.planChecks.filter((c) => c.status === 'fail').map((c) => c.id);
    throw new RefusedError(
      'blocked',
      `refusing to apply: ${[...blocked, ...planWide].join(', ')} ${blocked.length + planWide.length === 1 ? 'is' : 'are'} blocked by pre-checks; nothing was written`,
      'fix the failing checks shown in the plan (or pass --allow-large for blast_radius) and plan again',
    );
  }
  if (adapter.baseUrl !== undefined && plan.account.baseUrl && adapter.baseUrl !== plan.account.baseUrl) {
    throw new RefusedError(
      'wrong_account',
      `refusing to apply: the plan was made for ${plan.account.baseUrl}, this adapter writes to ${adapter.baseUrl}; nothing was written`,
    );
  }
  // Contract: DATE in Details lines is the UTC date of the apply, not of the plan.
  if (plan.date !== utcDate(opts.now)) {
    throw new RefusedError(
      'stale_date',
      `refusing to apply: the plan is dated ${plan.date} but today (UTC) is ${utcDate(opts.now)}; nothing was written`,
      'make the plan again (a saved plan is re-planned automatically by `orgshare apply plan.json`)',
    );
  }
  const start = { reads: adapter.stats.reads, writes: adapter.stats.writes };
  const progress = opts.onProgress ?? (() => undefined);

  const changes: ChangeRun[] = plan.changes.map((change) => {
    const run: ChangeRun = { change, runs: [], failed: false };
    run.runs = change.steps.map((step) => ({ step, status: 'not_run' as StepStatus, change: run }));
    return run;
  });

  await runMetadata(changes, adapter, progress);
  await runOrganizations(changes, adapter, progress);
  await runUsers(changes, adapter, progress);
  await runComments(changes, adapter, progress);
  const verification = await verify(changes, adapter, progress);

  const results: ApplyResult[] = changes.map((c) => {
    const steps = c.runs.map((r) => ({ kind: r.step.kind, status: r.status, ...(r.message ? { message: r.message } : {}) }));
    const failedRun = c.runs.find((r) => r.status === 'failed');
    const status: ApplyResult['status'] = failedRun ? 'failed' : c.runs.some((r) => r.status === 'done') ? 'done' : 'skipped';
    return {
      key: c.change.key,
      orgId: c.change.orgId,
      orgName: c.change.orgName,
      kind: c.change.kind,
      status,
      steps,
      ...(failedRun?.message ? { error: failedRun.message } : {}),
    };
  });

  return {
    formatVersion: 1,
    generatedAt: opts.now.toISOString(),
    date: plan.date,
    account: { ...plan.account },
    results,
    verified: verification.ok,
    verification: verification.lines,
    requests: { reads: adapter.stats.reads - start.reads, writes: adapter.stats.writes - start.writes },
  };
}

// ---------------------------------------------------------------- phase 1: metadata

async function runMetadata(changes: ChangeRun[], adapter: Adapter, progress: (e: ApplyProgress) => void): Promise<void> {
  const runs = pending(changes, 'ticket_metadata');
  if (runs.length === 0) return;
  const byTicket = groupBy(runs, (r) => r.step.ticketId);
  const live = await readTickets(adapter, [...byTicket.keys()], runs);
  if (!live) return;
  let done = 0;
  progress({ phase: 'metadata', done, total: byTicket.size });
  for (const [ticketId, group] of byTicket) {
    const ticket = live.get(ticketId);
    if (!ticket) {
      for (const r of group) fail(r, `ticket ${ticketId} not found`);
    } else if (isFinished(ticket)) {
      // Contract: ticket steps are skipped when the ticket is already solved/closed.
      for (const r of group) Object.assign(r, { status: 'skipped', message: `ticket ${ticketId} is ${ticket.status}` });
    } else {
      const fields = new Map<number, string | boolean>();
      for (const r of group) for (const f of (r.step as MetadataStep).fields) fields.set(f.id, f.value);
      const current = new Map(ticket.customFields.map((f) => [f.id, f.value]));
      const differs = [...fields].some(([id, value]) => !sameValue(current.get(id), value));
      if (!differs) {
        for (const r of group) Object.assign(r, { status: 'already_done', message: 'fields already set' });
      } else {
        try {
          await adapter.updateTicket(ticketId, { customFields: [...fields].map(([id, value]) => ({ id, value })) });
          for (const r of group) r.status = 'done';
        } catch (err) {
          rethrowIfBug(err);
          // The answer may have been lost after the write landed: look again.
          const after = await readTicketQuietly(adapter, ticketId);
          const landed = after !== null && [...fields].every(([id, value]) => sameValue(after.customFields.find((f) => f.id === id)?.value, value));
          for (const r of group) {
            if (landed) Object.assign(r, { status: 'done', message: `confirmed by re-reading after: ${errorText(err)}` });
            else fail(r, `ticket ${ticketId} metadata: ${errorText(err)}`);
          }
        }
      }
    }
    progress({ phase: 'metadata', done: ++done, total: byTicket.size });
  }
}

async function readTicketQuietly(adapter: Adapter, id: number): Promise<ObservedTicket | null> {
  try {
    return (await adapter.showTickets([id])).find((t) => t.id === id) ?? null;
  } catch (err) {
    rethrowIfBug(err);
    return null;
  }
}

/** show_many for the tickets; on failure marks every given run failed and returns null. */
async function readTickets(adapter: Adapter, ids: number[], runs: StepRun[]): Promise<Map<number, ObservedTicket> | null> {
  try {
    return new Map((await adapter.showTickets(ids)).map((t) => [t.id, t]));
  } catch (err) {
    rethrowIfBug(err);
    for (const r of runs) fail(r, `could not re-read tickets before writing: ${errorText(err)}`);
    return null;
  }
}

// ---------------------------------------------------------------- phase 2: organizations

/** What an org update must change given the live organization, or null when nothing. */
function orgUpdateFor(step: OrgStep, org: ObservedOrg): { update: OrgUpdate; notes: string[] } | null {
  const update: OrgUpdate = { id: org.id };
  const notes: string[] = [];
  if (step.flags && (org.sharedTickets !== step.flags.shared_tickets || org.sharedComments !== step.flags.shared_comments)) {
    update.sharedTickets = step.flags.shared_tickets;
    update.sharedComments = step.flags.shared_comments;
  } else if (step.flags) {
    notes.push('sharing already set');
  }
  if (step.detailsLine !== undefined) {
    if (org.details === step.detailsBefore && step.detailsAfter !== null) {
      // As planned: the line is not written yet, even if an older line reads the same (a
      // correction of sharing changed by hand on the day it was recorded).
      update.details = step.detailsAfter;
    } else if (org.details === step.detailsAfter || detailsRecord(org.details, step.detailsLine)) {
      notes.push('Details already record this change');
    } else {
      update.details = appendLine(org.details, step.detailsLine);
    }
  }
  if (step.domainNames) {
    if (sameSet(org.domainNames, step.domainNames)) notes.push('domains already set');
    else update.domainNames = step.domainNames;
  }
  return Object.keys(update).length > 1 ? { update, notes } : null;
}

function orgMatches(step: OrgStep, org: ObservedOrg): boolean {
  return orgUpdateFor(step, org) === null;
}

/** The organization as it will be once `update` lands (for a second step on the same org). */
function projectOrg(org: ObservedOrg, update: OrgUpdate): ObservedOrg {
  return {
    ...org,
    sharedTickets: update.sharedTickets ?? org.sharedTickets,
    sharedComments: update.sharedComments ?? org.sharedComments,
    details: update.details ?? org.details,
    domainNames: update.domainNames ?? org.domainNames,
  };
}

/** One bulk item: every pending step on one organization, merged (a sharing change and a partner domain may meet). */
interface OrgWrite {
  update: OrgUpdate;
  runs: { run: StepRun<OrgStep>; notes: string[] }[];
  projected: ObservedOrg;
}

async function runOrganizations(changes: ChangeRun[], adapter: Adapter, progress: (e: ApplyProgress) => void): Promise<void> {
  const runs = pending(changes, 'org_update');
  if (runs.length === 0) return;
  const ids = [...new Set(runs.map((r) => r.step.orgId))];
  let live: Map<number, ObservedOrg>;
  try {
    live = new Map((await adapter.showOrganizations(ids)).map((o) => [o.id, o]));
  } catch (err) {
    rethrowIfBug(err);
    for (const r of runs) fail(r, `could not re-read organizations before writing: ${errorText(err)}`);
    return;
  }
  const writes = new Map<number, OrgWrite>();
  for (const r of runs) {
    const org = live.get(r.step.orgId);
    if (!org) {
      fail(r, `organization ${r.step.orgId} not found`);
      continue;
    }
    let w = writes.get(org.id);
    const u = orgUpdateFor(r.step, w?.projected ?? org);
    if (!u) {
      r.status = 'already_done';
      r.message = 'organization already as planned';
      continue;
    }
    if (!w) {
      w = { update: { id: org.id }, runs: [], projected: org };
      writes.set(org.id, w);
    }
    Object.assign(w.update, u.update);
    w.projected = projectOrg(w.projected, u.update);
    w.runs.push({ run: r, notes: u.notes });
  }
  if (writes.size === 0) return;
  const toWrite = [...writes.values()];
  progress({ phase: 'organizations', done: 0, total: toWrite.length });

  let results: Map<number, BulkItemResult> | null = null;
  let batchError: string | null = null;
  try {
    results = new Map((await adapter.updateOrganizations(toWrite.map((w) => w.update))).map((r) => [r.id, r]));
  } catch (err) {
    rethrowIfBug(err);
    batchError = errorText(err);
  }
  if (results === null) {
    // The request or job polling failed as a whole: some items may have landed. Decide
    // each one by looking again rather than guessing.
    let after: Map<number, ObservedOrg> | null = null;
    try {
      after = new Map((await adapter.showOrganizations(toWrite.map((w) => w.update.id))).map((o) => [o.id, o]));
    } catch (err) {
      rethrowIfBug(err);
    }
    for (const w of toWrite) {
      const org = after?.get(w.update.id);
      for (const { run } of w.runs) {
        if (org && orgMatches(run.step, org)) {
          run.status = 'done';
          run.message = `confirmed by re-reading after: ${batchError}`;
        } else {
          fail(run, `organization ${w.update.id}: ${batchError}`);
        }
      }
    }
  } else {
    for (const w of toWrite) {
      const res = results.get(w.update.id);
      for (const { run, notes } of w.runs) {
        if (!res) fail(run, `organization ${w.update.id}: no result in the bulk job`);
        else if (!res.success) fail(run, `organization ${w.update.id}: ${redact(res.error ?? 'update failed')}`);
        else {
          run.status = 'done';
          if (notes.length > 0) run.message = notes.join('; ');
        }
      }
    }
  }
  progress({ phase: 'organizations', done: toWrite.length, total: toWrite.length });
}

// ---------------------------------------------------------------- phase 2: users

function userUpdateFor(step: UserStep, user: ObservedUser): UserUpdate | null {
  const update: UserUpdate = { id: user.id };
  if (user.ticketRestriction !== step.ticketRestriction) update.ticketRestriction = step.ticketRestriction;
  if (step.notesLine && !notesRecord(user.notes, step.notesLine)) {
    update.notes = user.notes === step.notesBefore ? step.notesAfter : appendLine(user.notes, step.notesLine);
  }
  return Object.keys(update).length > 1 ? update : null;
}

async function runUsers(changes: ChangeRun[], adapter: Adapter, progress: (e: ApplyProgress) => void): Promise<void> {
  const runs = pending(changes, 'user_update');
  if (runs.length === 0) return;
  let live: Map<number, ObservedUser>;
  try {
    live = new Map((await adapter.showUsers([...new Set(runs.map((r) => r.step.userId))])).map((u) => [u.id, u]));
  } catch (err) {
    rethrowIfBug(err);
    for (const r of runs) fail(r, `could not re-read users before writing: ${errorText(err)}`);
    return;
  }
  const toWrite: { run: StepRun<UserStep>; update: UserUpdate }[] = [];
  const seen = new Set<number>();
  for (const r of runs) {
    const user = live.get(r.step.userId);
    if (!user) {
      fail(r, `user ${r.step.userId} not found`);
      continue;
    }
    if (seen.has(user.id)) {
      // The config rejects a user granted in two files; two grants in one plan are a bug upstream.
      fail(r, `user ${user.id} has more than one update in this plan`);
      continue;
    }
    seen.add(user.id);
    const update = userUpdateFor(r.step, user);
    if (!update) Object.assign(r, { status: 'already_done', message: 'user already as planned' });
    else toWrite.push({ run: r, update });
  }
  if (toWrite.length === 0) return;
  progress({ phase: 'users', done: 0, total: toWrite.length });
  let results: Map<number, BulkItemResult> | null = null;
  let batchError = '';
  try {
    results = new Map((await adapter.updateUsers(toWrite.map((w) => w.update))).map((r) => [r.id, r]));
  } catch (err) {
    rethrowIfBug(err);
    batchError = errorText(err);
  }
  let after: Map<number, ObservedUser> | null = null;
  if (results === null) {
    try {
      after = new Map((await adapter.showUsers(toWrite.map((w) => w.update.id))).map((u) => [u.id, u]));
    } catch (err) {
      rethrowIfBug(err);
    }
  }
  for (const w of toWrite) {
    if (results === null) {
      const user = after?.get(w.update.id);
      if (user && userUpdateFor(w.run.step, user) === null) {
        w.run.status = 'done';
        w.run.message = `confirmed by re-reading after: ${batchError}`;
      } else fail(w.run, `user ${w.update.id}: ${batchError}`);
      continue;
    }
    const res = results.get(w.update.id);
    if (!res) fail(w.run, `user ${w.update.id}: no result in the bulk job`);
    else if (!res.success) fail(w.run, `user ${w.update.id}: ${redact(res.error ?? 'update failed')}`);
    else w.run.status = 'done';
  }
  progress({ phase: 'users', done: toWrite.length, total: toWrite.length });
}

// ---------------------------------------------------------------- phase 3: comment + solve

/**
 * Per ticket, the changes whose confirmation this run will not post although it should: a
 * comment step that is neither pending now nor done-like (its change failed earlier, or an
 * earlier step did not run). Steps the plan skips (ticket solved, confirmation already
 * there) post nothing and hold nothing.
 */
function unconfirmedByTicket(changes: ChangeRun[], pendingRuns: ReadonlySet<StepRun>): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const c of changes) {
    for (const r of c.runs) {
      if (r.step.kind !== 'ticket_comment' || r.step.skip || pendingRuns.has(r) || DONE_LIKE.has(r.status)) continue;
      out.set(r.step.ticketId, [...(out.get(r.step.ticketId) ?? []), c.change.key]);
    }
  }
  return out;
}

/**
 * Phase 3. One PUT per ticket carries the confirmations of every change on it that got
 * this far, so it is also the ticket's last comment of this run; it sets `status: solved`
 * only when no other change with a confirmation for that ticket failed or was left not
 * run. Otherwise the comments are posted and the ticket stays open: the next run's plan
 * has the failed change (or its finish) post its own confirmation and solve. Solving
 * early would make that next run skip the ticket as solved, and the failed change would
 * never be confirmed.
 */
async function runComments(changes: ChangeRun[], adapter: Adapter, progress: (e: ApplyProgress) => void): Promise<void> {
  const runs = pending(changes, 'ticket_comment');
  if (runs.length === 0) return;
  const unconfirmed = unconfirmedByTicket(changes, new Set<StepRun>(runs));
  const byTicket = groupBy(runs, (r) => r.step.ticketId);
  let meId: number;
  try {
    meId = (await adapter.me()).id;
  } catch (err) {
    rethrowIfBug(err);
    for (const r of runs) fail(r, `could not read the current user: ${errorText(err)}`);
    return;
  }
  const live = await readTickets(adapter, [...byTicket.keys()], runs);
  if (!live) return;
  let done = 0;
  progress({ phase: 'comments', done, total: byTicket.size });
  for (const [ticketId, group] of byTicket) {
    await commentOnTicket(adapter, ticketId, live.get(ticketId), group, meId, unconfirmed.get(ticketId) ?? []);
    progress({ phase: 'comments', done: ++done, total: byTicket.size });
  }
}

async function commentOnTicket(
  adapter: Adapter,
  ticketId: number,
  ticket: ObservedTicket | undefined,
  group: StepRun<CommentStep>[],
  meId: number,
  /** Keys of other changes on this ticket whose confirmation is not posted in this run. */
  unconfirmed: string[],
): Promise<void> {
  if (!ticket) {
    for (const r of group) fail(r, `ticket ${ticketId} not found`);
    return;
  }
  if (isFinished(ticket)) {
    for (const r of group) Object.assign(r, { status: 'skipped', message: `ticket ${ticketId} is already ${ticket.status}` });
    return;
  }
  let comments;
  try {
    comments = await adapter.ticketComments(ticketId);
  } catch (err) {
    rethrowIfBug(err);
    for (const r of group) fail(r, `could not re-read comments of ticket ${ticketId}: ${errorText(err)}`);
    return;
  }
  const mine = comments.filter((c) => c.public && c.authorId === meId);
  const todo: StepRun<CommentStep>[] = [];
  for (const r of group) {
    if (mine.some((c) => sameComment(c.body, r.step.body))) {
      // Our confirmation is already there (an earlier run); solving again would override
      // whatever happened on the ticket since, so leave it.
      Object.assign(r, { status: 'already_done', message: 'confirmation comment already posted' });
    } else {
      todo.push(r);
    }
  }
  if (todo.length === 0) return;
  const bodies = [...new Set(todo.map((r) => r.step.body))];
  const wantsSolve = todo.some((r) => r.step.solve);
  const solve = wantsSolve && unconfirmed.length === 0;
  const withheld = wantsSolve && !solve ? `posted without solving: ${unconfirmed.join(', ')} on this ticket did not get this far; the next run confirms it and solves the ticket` : undefined;
  const markDone = (r: StepRun<CommentStep>, message?: string): void => {
    r.status = 'done';
    const text = [message, withheld].filter((m): m is string => m !== undefined).join('; ');
    if (text) r.message = text;
    if (withheld) r.solveWithheld = true;
  };
  try {
    await adapter.updateTicket(ticketId, {
      comment: { body: bodies.join('\n\n'), public: true },
      ...(solve ? { status: 'solved' as const } : {}),
    });
    for (const r of todo) markDone(r);
  } catch (err) {
    rethrowIfBug(err);
    // A lost answer is not a lost write: if the comment is there now, the PUT landed
    // (comment and status travel in one request, so they landed together).
    let landed = false;
    try {
      const now = await adapter.ticketComments(ticketId);
      landed = now.some((c) => c.public && c.authorId === meId && sameComment(c.body, bodies.join('\n\n')));
    } catch (again) {
      rethrowIfBug(again);
    }
    for (const r of todo) {
      if (landed) markDone(r, `confirmed by re-reading after: ${errorText(err)}`);
      else fail(r, `ticket ${ticketId} comment: ${errorText(err)}`);
    }
  }
}

// ---------------------------------------------------------------- verify

async function verify(
  changes: ChangeRun[],
  adapter: Adapter,
  progress: (e: ApplyProgress) => void,
): Promise<{ ok: boolean; lines: string[] }> {
  const written = changes.flatMap((c) => c.runs.filter((r) => r.status === 'done'));
  if (written.length === 0) return { ok: true, lines: [] };
  const problems: string[] = [];
  const checked: string[] = [];
  progress({ phase: 'verify', done: 0, total: 1 });

  const orgRuns = written.filter((r): r is StepRun<OrgStep> => r.step.kind === 'org_update');
  if (orgRuns.length > 0) {
    try {
      const live = new Map((await adapter.showOrganizations(orgRuns.map((r) => r.step.orgId))).map((o) => [o.id, o]));
      for (const r of orgRuns) {
        const org = live.get(r.step.orgId);
        const label = `organization ${r.step.orgId} (${r.change.change.orgName})`;
        if (!org) {
          problems.push(`${label}: not found when re-read`);
          continue;
        }
        if (r.step.flags && (org.sharedTickets !== r.step.flags.shared_tickets || org.sharedComments !== r.step.flags.shared_comments)) {
          problems.push(
            `${label}: shared_tickets=${org.sharedTickets} shared_comments=${org.sharedComments}, expected ${r.step.flags.shared_tickets}/${r.step.flags.shared_comments}`,
          );
        }
        if (r.step.detailsLine !== undefined && !detailsRecord(org.details, r.step.detailsLine)) {
          problems.push(`${label}: Details line missing after apply`);
        } else if (r.step.detailsLine !== undefined && countLine(org.details, r.step.detailsLine) > Math.max(1, countLine(r.step.detailsAfter, r.step.detailsLine))) {
          problems.push(`${label}: Details line present ${countLine(org.details, r.step.detailsLine)} times`);
        }
        if (r.step.domainNames && !sameSet(org.domainNames, r.step.domainNames)) problems.push(`${label}: domain names differ`);
      }
      checked.push(`${live.size} organization${live.size === 1 ? '' : 's'}`);
    } catch (err) {
      rethrowIfBug(err);
      problems.push(`could not re-read organizations: ${errorText(err)}`);
    }
  }

  const userRuns = written.filter((r): r is StepRun<UserStep> => r.step.kind === 'user_update');
  if (userRuns.length > 0) {
    try {
      const live = new Map((await adapter.showUsers(userRuns.map((r) => r.step.userId))).map((u) => [u.id, u]));
      for (const r of userRuns) {
        const user = live.get(r.step.userId);
        if (!user) problems.push(`user ${r.step.userId}: not found when re-read`);
        else if (user.ticketRestriction !== r.step.ticketRestriction) {
          problems.push(`user ${r.step.userId}: ticket_restriction=${user.ticketRestriction}, expected ${r.step.ticketRestriction}`);
        }
      }
      checked.push(`${live.size} user${live.size === 1 ? '' : 's'}`);
    } catch (err) {
      rethrowIfBug(err);
      problems.push(`could not re-read users: ${errorText(err)}`);
    }
  }

  const ticketRuns = written.filter(
    (r): r is StepRun<MetadataStep | CommentStep> => r.step.kind === 'ticket_metadata' || r.step.kind === 'ticket_comment',
  );
  if (ticketRuns.length > 0) {
    try {
      const live = new Map((await adapter.showTickets([...new Set(ticketRuns.map((r) => r.step.ticketId))])).map((t) => [t.id, t]));
      for (const r of ticketRuns) {
        const t = live.get(r.step.ticketId);
        if (!t) {
          problems.push(`ticket ${r.step.ticketId}: not found when re-read`);
        } else if (r.step.kind === 'ticket_comment') {
          if (r.step.solve && !r.solveWithheld && !isFinished(t)) problems.push(`ticket ${t.id}: status ${t.status}, expected solved`);
        } else {
          const current = new Map(t.customFields.map((f) => [f.id, f.value]));
          for (const f of r.step.fields) {
            if (!sameValue(current.get(f.id), f.value)) problems.push(`ticket ${t.id}: field "${f.title}" is ${JSON.stringify(current.get(f.id))}`);
          }
        }
      }
      checked.push(`${live.size} ticket${live.size === 1 ? '' : 's'}`);
    } catch (err) {
      rethrowIfBug(err);
      problems.push(`could not re-read tickets: ${errorText(err)}`);
    }
  }
  progress({ phase: 'verify', done: 1, total: 1 });
  if (problems.length > 0) return { ok: false, lines: problems };
  return { ok: true, lines: [`re-read ${checked.join(', ')}: live state matches what was applied`] };
}
