/**
 * The pure part of `orgshare history` (docs/history-and-review.md): one timeline per
 * organization from its Details lines (both handbook forms), the users' access lines,
 * the audit log, git and the request evidence of its file, and the findings on it.
 * Effects (reading Zendesk, running git) live in src/history/collect.ts.
 */
import type { AuditEntry } from '../model/audit.js';
import type { DesiredOrg, TicketRef } from '../model/desired.js';
import type { Actor, Finding, HistoryReport, OrgHistory, TimelineEvent, Via } from '../model/history.js';
import type { ObservedComment, ObservedOrg, ObservedUser } from '../model/observed.js';
import { sharingLabel, type Sharing } from '../model/sharing.js';
import { parseAccessHistory, parseHistory, parsePartnerHistory } from '../records/details.js';
import { auditChange, isManagedChange } from './audit-changes.js';
import type { GitHistory } from './git.js';

export interface HistoryOrgInput {
  id: number;
  /** The live organization, or null when it does not exist. */
  live: ObservedOrg | null;
  /** The file that manages it, or null. */
  desired: DesiredOrg | null;
}

export interface HistoryInput {
  generatedAt: string;
  account: { subdomain: string | null; baseUrl: string };
  since: string | null;
  orgs: HistoryOrgInput[];
  audit: { available: true; entries: AuditEntry[] } | { available: false; reason: string };
  /** Users read for the timeline: audit actors, users whose restriction changed, grantees. */
  users: Map<number, ObservedUser>;
  /** The user orgshare authenticates as: its changes came through the API token. */
  apiUserId: number | null;
  git: GitHistory;
  /** Comments of the request tickets named in the files, by ticket id. */
  comments: Map<number, ObservedComment[]>;
}

/** A change found in Details or user notes, with what matching needs. */
interface LineChange {
  event: Extract<TimelineEvent, { source: 'details' }>;
  date: string;
  ticketId: number | null;
  /** sharing: the level after; user_access: the restriction; partner: the domain. */
  value: string;
  userId?: number;
}

interface AuditChangeEvent {
  event: Extract<TimelineEvent, { source: 'audit' }>;
  kind: 'sharing' | 'user_access' | 'partner';
  /** Values after the change that a recording line would name (empty: any). */
  values: string[];
  userId?: number;
  matched: LineChange | null;
}

const DAY_MS = 86_400_000;

function dayNumber(isoOrDate: string): number {
  return Math.floor(Date.parse(isoOrDate.slice(0, 10) + 'T00:00:00Z') / DAY_MS);
}

function utc(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toISOString();
}

/** Sort key: a date-only event sorts after the timed events of its day. */
function sortKey(e: TimelineEvent): string {
  return e.at.length === 10 ? `${e.at}T24` : e.at;
}

const SOURCE_ORDER: Record<TimelineEvent['source'], number> = { git: 0, evidence: 1, audit: 2, details: 3 };

function actorOf(entry: AuditEntry, users: Map<number, ObservedUser>): Actor {
  const u = entry.actorId !== null ? users.get(entry.actorId) : undefined;
  return { id: entry.actorId, name: entry.actorName ?? u?.name ?? null, email: u?.email ?? null, role: u?.role ?? null };
}

function describeActor(a: Actor): string {
  const name = a.name ?? (a.id !== null ? `user ${a.id}` : 'unknown');
  const email = a.email ? ` <${a.email}>` : '';
  const role = a.role ? `, ${a.role}` : '';
  return `${name}${email}${role}`;
}

function sharingWords(s: Sharing): string {
  return s === 'private' ? 'private' : sharingLabel(s);
}

function lineChanges(org: HistoryOrgInput, users: ObservedUser[]): LineChange[] {
  const out: LineChange[] = [];
  const details = org.live?.details ?? null;
  for (const e of parseHistory(details)) {
    const sharing: Sharing = e.action === 'disabled' ? 'private' : (e.type ?? 'read_only');
    const legacy = /\((read only|read\+write)\)/.test(e.text);
    out.push({
      event: {
        source: 'details',
        at: e.date,
        summary: e.action === 'disabled' ? `Details: sharing disabled as per ${e.ticketUrl}` : `Details: sharing (${sharingWords(sharing)}) enabled as per ${e.ticketUrl}${legacy ? ' (older lowercase form)' : ''}`,
        subject: 'sharing',
        legacy,
        ticket: e.ticketUrl,
        field: 'details',
        line: e.line,
        text: e.text,
        sharing,
      },
      date: e.date,
      ticketId: e.ticketId,
      value: sharing,
    });
  }
  for (const e of parsePartnerHistory(details)) {
    out.push({
      event: {
        source: 'details',
        at: e.date,
        summary: `Details: partner domain ${e.domain} added as per ${e.ticketUrl}`,
        subject: 'partner',
        legacy: false,
        ticket: e.ticketUrl,
        field: 'details',
        line: e.line,
        text: `Partner domain ${e.domain} added ${e.date} as per ${e.ticketUrl}`,
      },
      date: e.date,
      ticketId: e.ticketId,
      value: e.domain,
    });
  }
  for (const u of users) {
    for (const e of parseAccessHistory(u.notes)) {
      const who = u.email ?? `user ${u.id}`;
      out.push({
        event: {
          source: 'details',
          at: e.date,
          summary: `Notes of ${who}: ${e.access === 'organization' ? 'access to all organization tickets granted' : 'access set to own tickets only'} as per ${e.ticketUrl}`,
          subject: 'user_access',
          legacy: false,
          ticket: e.ticketUrl,
          field: 'notes',
          user: who,
          line: e.line,
          text: `Ticket access (${e.access}) ${e.date} as per ${e.ticketUrl}`,
        },
        date: e.date,
        ticketId: e.ticketId,
        value: e.access,
        userId: u.id,
      });
    }
  }
  return out;
}

function auditChanges(org: HistoryOrgInput, input: HistoryInput, orgUsers: Set<number>): AuditChangeEvent[] {
  if (!input.audit.available) return [];
  const out: AuditChangeEvent[] = [];
  for (const entry of input.audit.entries) {
    const isOrg = entry.sourceType === 'organization' && entry.sourceId === org.id;
    const isUser = entry.sourceType === 'user' && orgUsers.has(entry.sourceId);
    if (!isOrg && !isUser) continue;
    const change = auditChange(entry);
    if (!isManagedChange(change)) continue;
    const actor = actorOf(entry, input.users);
    const via: Via = entry.actorId !== null && entry.actorId === input.apiUserId ? 'api_token' : 'ui';
    const base = {
      source: 'audit' as const,
      at: utc(entry.at),
      auditId: entry.id,
      actor,
      via,
      sourceType: entry.sourceType,
      sourceId: entry.sourceId,
      description: entry.description,
    };
    const by = `by ${describeActor(actor)} via ${via === 'api_token' ? 'the API token' : 'the UI'}`;
    if (change.sharing) {
      const to = change.sharing.to;
      out.push({ event: { ...base, summary: `Audit log: sharing set to ${to ? sharingWords(to) : 'a new value'} ${by}` }, kind: 'sharing', values: to ? [to] : [], matched: null });
    }
    if (change.ticketRestriction) {
      const user = input.users.get(entry.sourceId);
      const who = user?.email ?? entry.sourceLabel ?? `user ${entry.sourceId}`;
      const to = change.ticketRestriction.to;
      out.push({
        event: { ...base, summary: `Audit log: ticket access of ${who} set to ${to ?? 'a new value'} ${by}` },
        kind: 'user_access',
        values: to === 'organization' ? ['organization'] : to === null ? [] : ['requested'],
        userId: entry.sourceId,
        matched: null,
      });
    }
    if (change.domains && change.domains.added.length > 0) {
      out.push({
        event: { ...base, summary: `Audit log: domain${change.domains.added.length > 1 ? 's' : ''} ${change.domains.added.join(', ')} added ${by}` },
        kind: 'partner',
        values: change.domains.added,
        matched: null,
      });
    }
  }
  return out;
}

/**
 * Pairs each audit change with a line recording it: same kind, a value it names, dated
 * the day of the change or the day next to it (the handbook's Details date is the
 * agent's "today"). Each line records one change.
 */
function matchChanges(changes: AuditChangeEvent[], lines: LineChange[]): void {
  const used = new Set<LineChange>();
  const sorted = [...changes].sort((a, b) => a.event.at.localeCompare(b.event.at));
  for (const c of sorted) {
    const day = dayNumber(c.event.at);
    const kind = c.kind;
    const candidates = lines.filter(
      (l) =>
        !used.has(l) &&
        l.event.subject === kind &&
        (c.values.length === 0 || c.values.includes(l.value)) &&
        (kind !== 'user_access' || l.userId === c.userId) &&
        Math.abs(dayNumber(l.date) - day) <= 1,
    );
    const best = candidates.sort((a, b) => Math.abs(dayNumber(a.date) - day) - Math.abs(dayNumber(b.date) - day))[0];
    if (best) {
      used.add(best);
      c.matched = best;
    }
  }
}

function evidenceEvents(d: DesiredOrg, comments: Map<number, ObservedComment[]>, users: Map<number, ObservedUser>): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  const approvals: { what: 'risk_approval' | 'grant_approval' | 'partner_consent'; ticket: TicketRef; commentId: number; by: string; label: string }[] = [];
  const request = d.request;
  const first = request ? comments.get(request.ticket.id)?.[0] : undefined;
  if (request && first) {
    const requester = request.requester ? ` by ${request.requester}` : '';
    out.push({ source: 'evidence', what: 'request_ticket', at: utc(first.createdAt), ticket: request.ticket.canonical, summary: `Request ticket ${request.ticket.canonical} opened${requester}` });
  }
  if (request?.riskApproval) approvals.push({ what: 'risk_approval', ticket: request.ticket, commentId: request.riskApproval.commentId, by: request.riskApproval.approvedBy, label: 'Risk approved' });
  for (const g of d.userAccess) {
    if (g.riskApproval) approvals.push({ what: 'grant_approval', ticket: g.ticket, commentId: g.riskApproval.commentId, by: g.riskApproval.approvedBy, label: `Grant for ${g.email} approved` });
  }
  for (const p of d.partners) {
    if (p.consent) approvals.push({ what: 'partner_consent', ticket: p.ticket, commentId: p.consent.commentId, by: p.consent.approvedBy, label: `Partner domain ${p.domain} consented` });
  }
  for (const a of approvals) {
    const c = comments.get(a.ticket.id)?.find((x) => x.id === a.commentId);
    if (!c) continue;
    const author = users.get(c.authorId)?.email ?? null;
    out.push({
      source: 'evidence',
      what: a.what,
      at: utc(c.createdAt),
      ticket: a.ticket.canonical,
      commentId: a.commentId,
      by: author ?? a.by,
      summary: `${a.label} by ${author ?? a.by} in comment ${a.commentId} on ${a.ticket.canonical}`,
    });
  }
  return out;
}

/** `evidence_after_change`: an approval dated after the change it approves. */
function evidenceFindings(d: DesiredOrg, evidence: TimelineEvent[], lines: LineChange[], changes: AuditChangeEvent[]): Finding[] {
  const out: Finding[] = [];
  const approvalAt = (what: string, ticketId: number) =>
    evidence.find((e) => e.source === 'evidence' && e.what === what && e.ticket.endsWith(`/${ticketId}`))?.at ?? null;
  const check = (line: LineChange, at: string | null, label: string) => {
    if (at === null) return;
    const audit = changes.find((c) => c.matched === line);
    const changedAt = audit ? audit.event.at : line.date;
    const late = audit ? at > audit.event.at : dayNumber(at) > dayNumber(line.date);
    if (late) {
      out.push({ kind: 'evidence_after_change', orgId: d.id, at: changedAt, message: `${label} is dated ${at}, after the change it approves (${changedAt}, ${line.event.text})` });
    }
  };
  for (const line of lines) {
    if (line.ticketId === null) continue;
    if (line.event.subject === 'sharing' && line.value !== 'private' && line.ticketId === d.request?.ticket.id) {
      check(line, approvalAt('risk_approval', line.ticketId), 'the risk approval');
    } else if (line.event.subject === 'user_access' && line.value === 'organization') {
      const g = d.userAccess.find((x) => x.ticket.id === line.ticketId && x.email.toLowerCase() === line.event.user?.toLowerCase());
      if (g) check(line, approvalAt(g.riskApproval ? 'grant_approval' : 'risk_approval', line.ticketId), `the approval of the grant for ${g.email}`);
    } else if (line.event.subject === 'partner') {
      const p = d.partners.find((x) => x.ticket.id === line.ticketId && x.domain.toLowerCase() === line.value);
      if (p) check(line, approvalAt('partner_consent', line.ticketId), `the consent for partner domain ${p.domain}`);
    }
  }
  return out;
}

function orgHistory(org: HistoryOrgInput, input: HistoryInput): OrgHistory {
  const d = org.desired;
  const grantees = new Set((d?.userAccess ?? []).map((g) => g.email.toLowerCase()));
  const users = [...input.users.values()].filter((u) => u.organizationId === org.id || (u.email !== null && grantees.has(u.email.toLowerCase())));
  const orgUsers = new Set(users.map((u) => u.id));
  const lines = lineChanges(org, users);
  const changes = auditChanges(org, input, orgUsers);
  matchChanges(changes, lines);

  const file = d?.file ?? null;
  const commits = file && input.git.available ? (input.git.commits.get(file) ?? []) : [];
  const gitEvents: TimelineEvent[] = commits.map((c) => ({
    source: 'git',
    at: utc(c.at),
    hash: c.hash,
    author: c.author,
    email: c.email,
    subject: c.subject,
    pr: c.pr,
    summary: `Commit ${c.hash.slice(0, 10)} by ${c.author} <${c.email}>${c.pr !== null ? ` (PR #${c.pr})` : ''}: ${c.subject}`,
  }));
  const evidence = d ? evidenceEvents(d, input.comments, input.users) : [];

  const findings: Finding[] = [];
  for (const c of changes) {
    if (c.matched) continue;
    findings.push({
      kind: 'unrecorded_change',
      orgId: org.id,
      at: c.event.at,
      message: `${c.event.summary.replace(/^Audit log: /, '')}, with no ${c.kind === 'user_access' ? 'access line in the user’s notes' : 'Details line'} recording it`,
    });
  }
  if (input.git.available) {
    const landed = gitEvents.map((e) => e.at);
    // A Details line carries a UTC day, not a time: a commit on that day or earlier reviewed it.
    const reviewedBy = (at: string) =>
      at.length === 10 ? landed.some((t) => t.slice(0, 10) <= at) : landed.some((t) => Date.parse(t) <= Date.parse(at));
    const unreviewed = (at: string, what: string) => {
      if (file === null) findings.push({ kind: 'unreviewed_change', orgId: org.id, at, message: `${what}: no file in orgs/ manages this organization` });
      else if (!reviewedBy(at)) findings.push({ kind: 'unreviewed_change', orgId: org.id, at, message: `${what}: no commit of ${file} before it` });
    };
    for (const l of lines) unreviewed(l.date, l.event.text);
    for (const c of changes) if (!c.matched) unreviewed(c.event.at, c.event.summary.replace(/^Audit log: /, ''));
  }
  if (d) findings.push(...evidenceFindings(d, evidence, lines, changes));

  let events: TimelineEvent[] = [...lines.map((l) => l.event), ...changes.map((c) => c.event), ...gitEvents, ...evidence];
  let kept = findings;
  if (input.since !== null) {
    const since = input.since;
    events = events.filter((e) => e.at.slice(0, 10) >= since);
    kept = findings.filter((f) => f.at.slice(0, 10) >= since);
  }
  events.sort((a, b) => sortKey(a).localeCompare(sortKey(b)) || SOURCE_ORDER[a.source] - SOURCE_ORDER[b.source]);
  const order: Record<Finding['kind'], number> = { unrecorded_change: 0, unreviewed_change: 1, evidence_after_change: 2 };
  kept.sort((a, b) => sortKey({ at: a.at } as TimelineEvent).localeCompare(sortKey({ at: b.at } as TimelineEvent)) || order[a.kind] - order[b.kind]);
  return { orgId: org.id, orgName: org.live?.name ?? d?.name ?? `organization ${org.id}`, file, exists: org.live !== null, events, findings: kept };
}

export function computeHistory(input: HistoryInput): HistoryReport {
  return {
    formatVersion: 1,
    generatedAt: input.generatedAt,
    account: input.account,
    since: input.since,
    sources: {
      auditLog: input.audit.available ? { available: true, entries: input.audit.entries.length } : { available: false, reason: input.audit.reason, entries: 0 },
      git: input.git.available ? { available: true } : { available: false, reason: input.git.reason },
    },
    orgs: input.orgs.map((o) => orgHistory(o, input)).sort((a, b) => a.orgId - b.orgId),
  };
}

export function historyFindings(report: HistoryReport): Finding[] {
  return report.orgs.flatMap((o) => o.findings);
}
