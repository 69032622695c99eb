/**
 * The JSON plan (format_version 1): the one wire format for `plan --format json`,
 * `plan --out` and `apply <file>`. Keys are snake_case and stable (docs/plan-format.md);
 * schema/plan.schema.json validates both directions. `comparePlans` is how apply with a
 * saved plan decides the plan is stale.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { createHash } from 'node:crypto';
import { OrgshareError } from '../errors.js';
import { readPackageSchema } from '../package-info.js';
import type { TicketRef } from '../model/desired.js';
import type {
  Change,
  ChangeEvidence,
  CheckResult,
  Exposure,
  ObservedFingerprint,
  Plan,
  Step,
} from '../model/plan.js';
import { isBlocked, summarize } from '../model/plan.js';

export const PLAN_FORMAT_VERSION = 1;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

let validator: ReturnType<Ajv['compile']> | undefined;
function validate(value: unknown): ErrorObject[] {
  validator ??= new Ajv({ allErrors: true, strict: true, strictTypes: false }).compile(readPackageSchema('plan.schema.json'));
  return validator(value) ? [] : [...(validator.errors ?? [])];
}

/** Validates a JSON value against schema/plan.schema.json; returns readable problems. */
export function planSchemaErrors(value: unknown): string[] {
  return validate(value).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${paramsText(e)}`);
}

function paramsText(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  if (typeof p.additionalProperty === 'string') return ` (${p.additionalProperty})`;
  if (Array.isArray(p.allowedValues)) return ` (${p.allowedValues.map((v) => JSON.stringify(v)).join(', ')})`;
  return '';
}

// ---- model → JSON -------------------------------------------------------------------

/** Drops undefined members so optional keys are absent, not null. */
function compact(o: Record<string, Json | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

function checkJson(c: CheckResult): JsonObject {
  return compact({
    id: c.id,
    status: c.status,
    message: c.message,
    hint: c.hint,
    source: c.source ? { file: c.source.file, line: c.source.line, col: c.source.col } : undefined,
  });
}

function ticketJson(t: TicketRef): JsonObject {
  return { url: t.url, id: t.id, host: t.host, subdomain: t.subdomain, canonical: t.canonical };
}

function stepJson(s: Step): JsonObject {
  switch (s.kind) {
    case 'ticket_metadata':
      return compact({
        kind: s.kind,
        ticket_id: s.ticketId,
        fields: s.fields.map((f) => ({ id: f.id, title: f.title, value: f.value })),
        skip: s.skip,
      });
    case 'org_update':
      return compact({
        kind: s.kind,
        org_id: s.orgId,
        flags: s.flags ? { shared_tickets: s.flags.shared_tickets, shared_comments: s.flags.shared_comments } : undefined,
        details_line: s.detailsLine,
        details_before: s.detailsBefore,
        details_after: s.detailsAfter,
        domain_names: s.domainNames,
        skip: s.skip,
      });
    case 'user_update':
      return compact({
        kind: s.kind,
        user_id: s.userId,
        ticket_restriction: s.ticketRestriction,
        notes_line: s.notesLine,
        notes_before: s.notesBefore,
        notes_after: s.notesAfter,
        skip: s.skip,
      });
    case 'ticket_comment':
      return compact({ kind: s.kind, ticket_id: s.ticketId, body: s.body, solve: s.solve, skip: s.skip });
    default: {
      const never: never = s;
      throw new Error(`unknown step ${JSON.stringify(never)}`);
    }
  }
}

function evidenceJson(e: ChangeEvidence): JsonObject {
  const a = e.approvalComment;
  const t = e.typeConfirmation;
  return compact({
    requester: e.requester ? { id: e.requester.id, email: e.requester.email, name: e.requester.name } : undefined,
    type_confirmation: t
      ? compact({ via: t.via, comment_id: t.commentId, author: t.author, created_at: t.createdAt, quote: t.quote })
      : undefined,
    approval_quote: e.approvalQuote,
    risk_message_comment_id: e.riskMessageCommentId,
    approval_comment: a
      ? { id: a.id, author_id: a.authorId, author: a.author, body: a.body, created_at: a.createdAt, public: a.public }
      : undefined,
  });
}

function exposureJson(e: Exposure): JsonObject {
  return compact({
    users_gaining: e.usersGaining,
    tickets_visible: e.ticketsVisible,
    commenters_gaining: e.commentersGaining,
    note: e.note,
  });
}

export function changeJson(c: Change): JsonObject {
  const head = {
    key: c.key,
    kind: c.kind,
    org_id: c.orgId,
    org_name: c.orgName,
    file: c.file,
    ticket: ticketJson(c.ticket),
    widening: c.widening,
    blocked: c.blocked,
  };
  let specific: Record<string, Json>;
  switch (c.kind) {
    case 'enable':
    case 'change_type':
    case 'disable':
    case 'finish':
      specific = { from: c.from, to: c.to, ...(c.orgMissing ? { org_missing: true } : {}) };
      break;
    case 'user_grant':
    case 'user_revoke':
    case 'grant_finish':
      specific = { user_id: c.userId, email: c.email, from: c.from, to: c.to };
      break;
    case 'partner_add':
    case 'partner_remove':
    case 'partner_finish':
      specific = { domain: c.domain };
      break;
    default: {
      const never: never = c;
      throw new Error(`unknown change ${JSON.stringify(never)}`);
    }
  }
  return compact({
    ...head,
    ...specific,
    checks: c.checks.map(checkJson),
    steps: c.steps.map(stepJson),
    evidence: c.evidence ? evidenceJson(c.evidence) : undefined,
    exposure: c.exposure ? exposureJson(c.exposure) : undefined,
  });
}

function fingerprintJson(f: ObservedFingerprint): JsonObject {
  return {
    orgs: f.orgs.map((o) => ({
      id: o.id,
      updated_at: o.updatedAt,
      shared_tickets: o.sharedTickets,
      shared_comments: o.sharedComments,
      details_sha256: o.detailsSha256,
    })),
    tickets: f.tickets.map((t) => ({ id: t.id, status: t.status, updated_at: t.updatedAt })),
    users: f.users.map((u) => ({ id: u.id, updated_at: u.updatedAt, ticket_restriction: u.ticketRestriction })),
  };
}

/** The plan as a JSON value, keys in a stable order. */
export function planToJson(plan: Plan): JsonObject {
  const s = summarize(plan);
  const byKind: JsonObject = {};
  for (const [k, v] of Object.entries(s.byKind).sort(([a], [b]) => (a < b ? -1 : 1))) byKind[k] = v ?? 0;
  return {
    format_version: plan.formatVersion,
    generated_at: plan.generatedAt,
    date: plan.date,
    account: { subdomain: plan.account.subdomain, base_url: plan.account.baseUrl },
    desired_hash: plan.desiredHash,
    managed: plan.managed,
    blocked: isBlocked(plan),
    summary: { changes: s.changes, widening: s.widening, narrowing: s.narrowing, blocked: s.blocked, by_kind: byKind },
    changes: plan.changes.map(changeJson),
    plan_checks: plan.planChecks.map(checkJson),
    fingerprint: fingerprintJson(plan.fingerprint),
    warnings: plan.warnings,
  };
}

/** The saved-plan file: pretty JSON with a final newline. */
export function serializePlan(plan: Plan): string {
  return `${JSON.stringify(planToJson(plan), null, 2)}\n`;
}

/**
 * The saved plan's fingerprint: sha256 over its canonical JSON (keys sorted, no
 * whitespace), so it names one plan's content whatever the file's formatting. Shown where
 * the plan is reviewed and where it is applied (docs/workflows.md), so the two can be
 * compared. Not a signature: it tells copies apart, it does not make a file authority.
 */
export function planFingerprint(planJson: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(planJson)).digest('hex')}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

// ---- JSON → model -------------------------------------------------------------------

/* The schema has been checked before these run, so shapes are trusted here. */
/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

function checkFrom(j: Any): CheckResult {
  const c: CheckResult = { id: j.id, status: j.status, message: j.message };
  if (j.hint !== undefined) c.hint = j.hint;
  if (j.source !== undefined) c.source = { file: j.source.file, line: j.source.line, col: j.source.col };
  return c;
}

function stepFrom(j: Any): Step {
  const withSkip = <T extends Step>(s: T): T => (j.skip !== undefined ? { ...s, skip: j.skip } : s);
  switch (j.kind as Step['kind']) {
    case 'ticket_metadata':
      return withSkip({
        kind: 'ticket_metadata',
        ticketId: j.ticket_id,
        fields: j.fields.map((f: Any) => ({ id: f.id, title: f.title, value: f.value })),
      });
    case 'org_update': {
      const s: Step = { kind: 'org_update', orgId: j.org_id, detailsBefore: j.details_before, detailsAfter: j.details_after };
      if (j.flags) s.flags = { shared_tickets: j.flags.shared_tickets, shared_comments: j.flags.shared_comments };
      if (j.details_line !== undefined) s.detailsLine = j.details_line;
      if (j.domain_names !== undefined) s.domainNames = [...j.domain_names];
      return withSkip(s);
    }
    case 'user_update':
      return withSkip({
        kind: 'user_update',
        userId: j.user_id,
        ticketRestriction: j.ticket_restriction,
        notesLine: j.notes_line,
        notesBefore: j.notes_before,
        notesAfter: j.notes_after,
      });
    case 'ticket_comment':
      return withSkip({ kind: 'ticket_comment', ticketId: j.ticket_id, body: j.body, solve: j.solve });
  }
}

function changeFrom(j: Any): Change {
  const base = {
    key: j.key,
    orgId: j.org_id,
    orgName: j.org_name,
    file: j.file,
    ticket: { url: j.ticket.url, id: j.ticket.id, host: j.ticket.host, subdomain: j.ticket.subdomain, canonical: j.ticket.canonical },
    widening: j.widening,
    blocked: j.blocked,
    checks: j.checks.map(checkFrom),
    steps: j.steps.map(stepFrom),
  };
  let change: Change;
  switch (j.kind as Change['kind']) {
    case 'enable':
    case 'change_type':
    case 'disable':
    case 'finish':
      change = { ...base, kind: j.kind, from: j.from, to: j.to, ...(j.org_missing === true ? { orgMissing: true } : {}) };
      break;
    case 'user_grant':
    case 'user_revoke':
    case 'grant_finish':
      change = { ...base, kind: j.kind, userId: j.user_id, email: j.email, from: j.from, to: j.to };
      break;
    case 'partner_add':
    case 'partner_remove':
    case 'partner_finish':
      change = { ...base, kind: j.kind, domain: j.domain };
      break;
  }
  if (j.evidence) {
    const e: ChangeEvidence = {};
    if (j.evidence.risk_message_comment_id !== undefined) e.riskMessageCommentId = j.evidence.risk_message_comment_id;
    if (j.evidence.approval_quote !== undefined) e.approvalQuote = j.evidence.approval_quote;
    const r = j.evidence.requester;
    if (r) e.requester = { id: r.id, email: r.email, name: r.name };
    const t = j.evidence.type_confirmation;
    if (t) {
      const tc: NonNullable<ChangeEvidence['typeConfirmation']> = { via: t.via, commentId: t.comment_id, quote: t.quote };
      if (t.author !== undefined) tc.author = t.author;
      if (t.created_at !== undefined) tc.createdAt = t.created_at;
      e.typeConfirmation = tc;
    }
    const a = j.evidence.approval_comment;
    if (a) e.approvalComment = { id: a.id, authorId: a.author_id, author: a.author, body: a.body, createdAt: a.created_at, public: a.public };
    change.evidence = e;
  }
  if (j.exposure) {
    const x: Exposure = { usersGaining: j.exposure.users_gaining, ticketsVisible: j.exposure.tickets_visible, commentersGaining: j.exposure.commenters_gaining };
    if (j.exposure.note !== undefined) x.note = j.exposure.note;
    change.exposure = x;
  }
  return change;
}

/** The JSON pointer of the first number that is not a safe integer (every plan number is an integer), or null. */
function unsafeNumber(v: unknown, at: string): string | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? null : at || '/';
  if (v === null || typeof v !== 'object') return null;
  for (const [k, x] of Object.entries(v)) {
    const found = unsafeNumber(x, `${at}/${k}`);
    if (found !== null) return found;
  }
  return null;
}

/**
 * Reads a saved plan. Throws `OrgshareError('invalid_plan')` on malformed JSON, an
 * unsupported format_version, or anything schema/plan.schema.json rejects.
 */
export function parsePlan(text: string): Plan {
  let j: Any;
  try {
    j = JSON.parse(text);
  } catch (err) {
    throw new OrgshareError('invalid_plan', `the plan file is not valid JSON: ${(err as Error).message}`, 'save a plan with `orgshare plan --out plan.json`');
  }
  if (j && typeof j === 'object' && 'format_version' in j && j.format_version !== PLAN_FORMAT_VERSION) {
    throw new OrgshareError(
      'invalid_plan',
      `plan format_version ${JSON.stringify(j.format_version)} is not supported (this orgshare reads ${PLAN_FORMAT_VERSION})`,
      'make the plan again with this version of orgshare',
    );
  }
  const unsafe = unsafeNumber(j, '');
  if (unsafe !== null) {
    throw new OrgshareError(
      'invalid_plan',
      `the plan file has a number JavaScript cannot hold exactly at ${unsafe}`,
      'save a plan with `orgshare plan --out plan.json` and do not edit it',
    );
  }
  const problems = planSchemaErrors(j);
  if (problems.length) {
    throw new OrgshareError(
      'invalid_plan',
      `the plan file does not match schema/plan.schema.json: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`,
      'save a plan with `orgshare plan --out plan.json` and do not edit it',
    );
  }
  const plan: Plan = {
    formatVersion: 1,
    generatedAt: j.generated_at,
    date: j.date,
    account: { subdomain: j.account.subdomain, baseUrl: j.account.base_url },
    desiredHash: j.desired_hash,
    managed: j.managed,
    changes: j.changes.map(changeFrom),
    planChecks: j.plan_checks.map(checkFrom),
    fingerprint: {
      orgs: j.fingerprint.orgs.map((o: Any) => ({
        id: o.id,
        updatedAt: o.updated_at,
        sharedTickets: o.shared_tickets,
        sharedComments: o.shared_comments,
        detailsSha256: o.details_sha256,
      })),
      tickets: j.fingerprint.tickets.map((t: Any) => ({ id: t.id, status: t.status, updatedAt: t.updated_at })),
      users: j.fingerprint.users.map((u: Any) => ({ id: u.id, updatedAt: u.updated_at, ticketRestriction: u.ticket_restriction })),
    },
    warnings: [...j.warnings],
  };
  // The output-only members must say what the plan's own changes say: a file claiming
  // `blocked: false` over a failed check was edited (and may fool a script reading it).
  const derived = planToJson(plan);
  for (const key of ['blocked', 'summary'] as const) {
    if (j[key] !== undefined && JSON.stringify(j[key]) !== JSON.stringify(derived[key])) {
      throw new OrgshareError(
        'invalid_plan',
        `the plan file's "${key}" does not match its own changes and checks: the file was edited`,
        'save a plan with `orgshare plan --out plan.json` and do not edit it',
      );
    }
  }
  return plan;
}

// ---- staleness ------------------------------------------------------------------------

/**
 * Reasons the saved plan no longer describes what apply would do, empty when it still
 * does. `fresh` is a plan made now from the same files and fresh reads. Changes are
 * compared modulo their date (a plan reviewed yesterday writes today's date), and
 * without `exposure` (an estimate).
 */
export function comparePlans(saved: Plan, fresh: Plan): string[] {
  const reasons: string[] = [];
  if (saved.account.subdomain !== fresh.account.subdomain) {
    reasons.push(`the plan was made for the account ${JSON.stringify(saved.account.subdomain)}, not for ${JSON.stringify(fresh.account.subdomain)}`);
  }
  if (saved.account.baseUrl !== fresh.account.baseUrl) {
    reasons.push(`the plan was made for the API at ${JSON.stringify(saved.account.baseUrl)}, not at ${JSON.stringify(fresh.account.baseUrl)}`);
  }
  if (saved.desiredHash !== fresh.desiredHash) {
    reasons.push('the files in orgs/ (or orgshare.config.yaml) changed since the plan was made');
  }
  if (saved.managed !== fresh.managed) reasons.push(`the plan manages ${saved.managed} organizations, the files now ${fresh.managed}`);
  reasons.push(...compareFingerprints(saved.fingerprint, fresh.fingerprint));
  reasons.push(...compareChecks('plan check', saved.planChecks, fresh.planChecks));

  const norm = (c: Change, date: string) => comparableChange(c, date);
  const savedBy = new Map(saved.changes.map((c) => [c.key, c]));
  const freshBy = new Map(fresh.changes.map((c) => [c.key, c]));
  if (savedBy.size !== saved.changes.length) reasons.push('the plan lists a change twice');
  for (const [key, c] of savedBy) {
    const f = freshBy.get(key);
    if (!f) {
      reasons.push(`${describe(c)} is no longer needed`);
      continue;
    }
    const a = norm(c, saved.date);
    const b = norm(f, fresh.date);
    const differing = Object.keys({ ...a, ...b }).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
    if (differing.length) reasons.push(`${describe(c)} differs now (${differing.join(', ')})`);
  }
  for (const [key, f] of freshBy) if (!savedBy.has(key)) reasons.push(`a new change is needed: ${describe(f)}`);
  const order = (p: Plan) => JSON.stringify(p.changes.map((c) => c.key));
  if (reasons.length === 0 && order(saved) !== order(fresh)) reasons.push('the changes are listed in another order than the fresh plan');
  if (JSON.stringify(saved.warnings) !== JSON.stringify(fresh.warnings)) reasons.push('the plan\'s warnings differ from the fresh plan\'s');
  return reasons;
}

/**
 * Every plan check must have the fresh plan's id and status, in order. (Their messages
 * only count the changes, which are compared one by one; a change's own checks are
 * compared whole, with the change.)
 */
function compareChecks(what: string, saved: CheckResult[], fresh: CheckResult[]): string[] {
  const out: string[] = [];
  const n = Math.max(saved.length, fresh.length);
  for (let i = 0; i < n; i++) {
    const a = saved[i];
    const b = fresh[i];
    if (!a || !b) {
      out.push(`${what} ${(a ?? b)?.id ?? '?'} is ${a ? 'in the saved plan only' : 'new'}`);
      continue;
    }
    if (a.id !== b.id) out.push(`${what} ${i + 1} is ${a.id} in the saved plan, ${b.id} now`);
    else if (a.status !== b.status) out.push(`${what} ${a.id} was ${a.status} in the saved plan, ${b.status} now`);
  }
  return out;
}

function describe(c: Change): string {
  return `${c.kind} ${c.key} (${c.orgName})`;
}

/** A change as JSON with the plan date masked in the texts that carry it. */
function comparableChange(c: Change, date: string): JsonObject {
  const j = changeJson(c);
  delete j.exposure;
  const mask = (v: Json | undefined) => (typeof v === 'string' ? v.split(date).join('{date}') : v);
  if (Array.isArray(j.steps)) {
    j.steps = j.steps.map((s) => {
      const step = { ...(s as JsonObject) };
      for (const k of ['details_line', 'details_after', 'notes_line', 'notes_after', 'body']) {
        if (k in step) step[k] = mask(step[k]) ?? null;
      }
      return step;
    });
  }
  return j;
}

function compareFingerprints(a: ObservedFingerprint, b: ObservedFingerprint): string[] {
  const out: string[] = [];
  const diff = <T extends { id: number }>(
    what: string,
    xs: T[],
    ys: T[],
    fields: [keyof T & string, string][],
  ) => {
    const ym = new Map(ys.map((y) => [y.id, y]));
    const xm = new Map(xs.map((x) => [x.id, x]));
    for (const x of xs) {
      const y = ym.get(x.id);
      if (!y) {
        out.push(`${what} ${x.id} was read for the plan but is missing now`);
        continue;
      }
      const changed = fields.filter(([k]) => x[k] !== y[k]).map(([k, label]) => (k === 'detailsSha256' ? `${label} edited` : `${label} ${String(x[k])} → ${String(y[k])}`));
      if (changed.length) out.push(`${what} ${x.id} changed in Zendesk since the plan (${changed.join(', ')})`);
    }
    for (const y of ys) if (!xm.has(y.id)) out.push(`${what} ${y.id} is new since the plan`);
  };
  diff('organization', a.orgs, b.orgs, [
    ['sharedTickets', 'shared_tickets'],
    ['sharedComments', 'shared_comments'],
    ['detailsSha256', 'details'],
    ['updatedAt', 'updated_at'],
  ]);
  diff('ticket', a.tickets, b.tickets, [
    ['status', 'status'],
    ['updatedAt', 'updated_at'],
  ]);
  diff('user', a.users, b.users, [
    ['ticketRestriction', 'ticket_restriction'],
    ['updatedAt', 'updated_at'],
  ]);
  return out;
}
