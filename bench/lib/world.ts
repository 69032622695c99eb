/**
 * The benchmark world: a sandbox account of N organizations (generateAccount) plus the
 * config repository that manages every one of them, in two versions:
 *
 * - `converged`: each file equals live Zendesk (plan: no changes; drift: clean);
 * - `changed`:   the same files, except ~1 % of the private organizations now ask for
 *   `read_only`, each with complete, verifiable evidence on an open ticket (so every
 *   widening pre-check passes and apply runs all three handbook steps).
 *
 * generateAccount makes organizations, users and memberships but no evidence, so this
 * module adds the tickets itself on top of its output:
 *
 * - every organization generateAccount shared has a Details line naming ticket
 *   100000+i; that ticket is seeded *solved*, with the request, the agent's risk message
 *   and the requester's approval, and its file names it (as `orgshare import` or an
 *   earlier apply would have left it);
 * - every changed organization gets an *open* ticket 300000+i with the same three
 *   comments, requested and approved by an end-user member of that organization.
 *
 * Private organizations that stay private were never shared: their converged files are
 * baseline files (no request), as `orgshare import --all` writes them.
 * Nothing reads a ticket for a converged organization, and that is part of what is
 * measured.
 *
 * Deterministic: same options, same account, same files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RISK_MESSAGE } from '../../src/model/policy.js';
import { generateAccount } from '../../src/sandbox/generate.js';
import type { SeedData, SeedOrganization, SeedTicket, SeedUser } from '../../src/sandbox/types.js';

export type Sharing = 'private' | 'read_only' | 'read_write';

export interface WorldOptions {
  orgs: number;
  /** End-users per organization (default 5: 50,000 users at 10,000 organizations). */
  usersPerOrg?: number;
  /** Fraction of managed organizations changed in the `changed` repo (default 0.01, at least 1). */
  changedFraction?: number;
  /** Fraction of organizations generateAccount shares (default 0.1). */
  sharedFraction?: number;
  seed?: number;
}

/** What the naive baseline is told: the desired flags of every managed organization. */
export interface DesiredFlags {
  id: number;
  shared_tickets: boolean;
  shared_comments: boolean;
  /** Details line the change should append (changed organizations only). */
  details_line?: string;
}

export interface World {
  seed: SeedData;
  orgs: number;
  users: number;
  /** Organization ids whose file differs in the `changed` repo. */
  changedIds: number[];
  /** File name (under orgs/) → text, for the converged repo. */
  converged: Map<string, string>;
  /** Only the files that differ from `converged`. */
  changedFiles: Map<string, string>;
  desiredConverged: DesiredFlags[];
  desiredChanged: DesiredFlags[];
}

/** The agent of the default seed who sends risk messages (sam@acme.example). */
export const AGENT_ID = 1002;
export const HISTORY_TICKET_BASE = 100_000;
export const CHANGE_TICKET_BASE = 300_000;
const QUOTE = 'we accept the security risk';
const TICKET_URL = (id: number) => `https://acme.zendesk.com/agent/tickets/${id}`;

/** orgshare.config.yaml of the benchmark repos: the account and a budget no run reaches. */
export const BENCH_CONFIG = [
  '# Benchmark account. rpm 10000 (the schema maximum) lifts the client-side budget so',
  '# wall time measures orgshare and the sandbox, not the budget; see docs/performance.md.',
  'subdomain: acme',
  'rpm: 10000',
  '',
].join('\n');

export function sharingOf(org: Pick<SeedOrganization, 'shared_tickets' | 'shared_comments'>): Sharing {
  if (!org.shared_tickets) return 'private';
  return org.shared_comments ? 'read_write' : 'read_only';
}

function flagsOf(sharing: Sharing): { shared_tickets: boolean; shared_comments: boolean } {
  return { shared_tickets: sharing !== 'private', shared_comments: sharing === 'read_write' };
}

function label(sharing: Sharing): string {
  return sharing === 'read_write' ? 'Read+write' : 'Read only';
}

/** Three public comments: the request, the agent's risk message, the approval (ids increasing). */
function evidenceTicket(
  id: number,
  org: SeedOrganization,
  requester: SeedUser,
  sharing: Sharing,
  status: 'open' | 'solved',
  firstCommentId: number,
): { ticket: SeedTicket; approvalCommentId: number } {
  const approvalCommentId = firstCommentId + 2;
  return {
    approvalCommentId,
    ticket: {
      id,
      subject: `Shared organization for ${org.name}`,
      status,
      organization_id: org.id,
      requester_id: requester.id,
      comments: [
        {
          id: firstCommentId,
          author_id: requester.id,
          public: true,
          body: `Hi, we would like every ${org.name} user to see all of our organization's tickets. ${label(sharing)} please.`,
        },
        {
          id: firstCommentId + 1,
          author_id: AGENT_ID,
          public: true,
          body: `Happy to help. Before we proceed: ${DEFAULT_RISK_MESSAGE} Could you confirm the type and that you approve this risk?`,
        },
        {
          id: approvalCommentId,
          author_id: requester.id,
          public: true,
          body: `Confirmed: ${label(sharing)}. On behalf of ${org.name} ${QUOTE}.`,
        },
      ],
    },
  };
}

/** An organization file; `ticketId` null: a baseline file (private, no request). */
function orgFile(org: SeedOrganization, sharing: Sharing, ticketId: number | null, requester: SeedUser, opts: {
  approvalCommentId?: number;
  authorized?: boolean;
  hipaa?: boolean;
}): string {
  const lines = [
    '# yaml-language-server: $schema=../schema/organization.schema.json',
    'organization:',
    `  id: ${org.id}`,
    `  name: ${org.name}`,
    `sharing: ${sharing}`,
  ];
  if (ticketId !== null) lines.push('request:', `  ticket: ${TICKET_URL(ticketId)}`, `  requester: ${requester.email}`);
  if (ticketId !== null && sharing !== 'private') {
    lines.push(
      `  confirmed_type: ${sharing}`,
      '  risk_approval:',
      `    approved_by: ${requester.email}`,
      `    comment_id: ${opts.approvalCommentId}`,
      // The approval names the type too, so no type_confirmation is needed (docs/prechecks.md).
      `    quote: ${JSON.stringify(`Confirmed: ${label(sharing)}. On behalf of ${org.name} ${QUOTE}.`)}`,
    );
  }
  if (opts.authorized) lines.push(`authorized_requesters: [${requester.email}]`);
  if (opts.hipaa) lines.push('restrictions:', '  hipaa: true');
  return `${lines.join('\n')}\n`;
}

export function fileName(org: SeedOrganization): string {
  return `${org.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.yaml`;
}

export function buildWorld(opts: WorldOptions): World {
  const usersPerOrg = opts.usersPerOrg ?? 5;
  const seed = generateAccount({
    orgs: opts.orgs,
    users: opts.orgs * usersPerOrg,
    sharedFraction: opts.sharedFraction ?? 0.1,
    // User-level grants are a separate feature with its own reads; this world measures
    // organization sharing, so every end-user keeps the default restriction.
    userGrantFraction: 0,
    ticketsPerOrg: 0,
    seed: opts.seed ?? 42,
  });

  const members = new Map<number, SeedUser>();
  for (const u of seed.users) {
    if (u.role === 'end-user' && u.organization_id != null && !members.has(u.organization_id)) members.set(u.organization_id, u);
  }

  const privateIdx = seed.organizations.flatMap((o, i) => (sharingOf(o) === 'private' && i % 50 !== 7 ? [i] : []));
  const changeCount = Math.min(privateIdx.length, Math.max(1, Math.round(opts.orgs * (opts.changedFraction ?? 0.01))));
  const changedIdx = new Set<number>();
  for (let k = 0; k < changeCount; k++) changedIdx.add(privateIdx[Math.floor((k * privateIdx.length) / changeCount)]!);

  const tickets: SeedTicket[] = [];
  const converged = new Map<string, string>();
  const changedFiles = new Map<string, string>();
  const desiredConverged: DesiredFlags[] = [];
  const desiredChanged: DesiredFlags[] = [];
  const changedIds: number[] = [];
  let commentId = 50_000_000;

  seed.organizations.forEach((org, i) => {
    const requester = members.get(org.id);
    if (!requester) throw new Error(`bench world: organization ${org.id} has no end-user (usersPerOrg must be ≥ 1)`);
    const live = sharingOf(org);
    const name = fileName(org);
    if (live !== 'private') {
      const id = HISTORY_TICKET_BASE + i;
      const { ticket, approvalCommentId } = evidenceTicket(id, org, requester, live, 'solved', (commentId += 10));
      tickets.push(ticket);
      converged.set(name, orgFile(org, live, id, requester, { approvalCommentId, authorized: i % 3 === 0 }));
    } else {
      // Every 50th private organization (offset 7) is a HIPAA tenant; none of them changes.
      converged.set(name, orgFile(org, 'private', null, requester, { hipaa: i % 50 === 7 }));
    }
    desiredConverged.push({ id: org.id, ...flagsOf(live) });

    if (changedIdx.has(i)) {
      const id = CHANGE_TICKET_BASE + i;
      const { ticket, approvalCommentId } = evidenceTicket(id, org, requester, 'read_only', 'open', (commentId += 10));
      tickets.push(ticket);
      changedFiles.set(name, orgFile(org, 'read_only', id, requester, { approvalCommentId, authorized: true }));
      changedIds.push(org.id);
      desiredChanged.push({
        id: org.id,
        ...flagsOf('read_only'),
        details_line: `Shared organization (Read only) enabled {date} as per ${TICKET_URL(id)}`,
      });
    } else {
      desiredChanged.push({ id: org.id, ...flagsOf(live) });
    }
  });

  seed.tickets = [...(seed.tickets ?? []), ...tickets];
  return {
    seed,
    orgs: opts.orgs,
    users: seed.users.filter((u) => u.role === 'end-user').length,
    changedIds,
    converged,
    changedFiles,
    desiredConverged,
    desiredChanged,
  };
}

/** Writes a config repo: orgshare.config.yaml, the schema-referencing orgs/*.yaml. */
export function writeRepo(dir: string, world: World, variant: 'converged' | 'changed'): void {
  const orgsDir = join(dir, 'orgs');
  mkdirSync(orgsDir, { recursive: true });
  writeFileSync(join(dir, 'orgshare.config.yaml'), BENCH_CONFIG);
  for (const [name, text] of world.converged) {
    writeFileSync(join(orgsDir, name), variant === 'changed' ? (world.changedFiles.get(name) ?? text) : text);
  }
}
