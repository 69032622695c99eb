/**
 * Seeded worlds and fault schedules for the sandbox convergence suites.
 *
 * `faultWorld(seed)`: the shared sandbox world (DEFAULT_SEED, docs/dev/TEAM-BRIEF.md) plus
 * a few extra organizations, each asking for one transition with valid evidence on its
 * own ticket (enable, type change both ways, disable, user grant and revoke, an enable and
 * a user grant sharing one ticket, enable on a solved ticket), converged ones, and
 * unmanaged ones that must never be touched. Details
 * texts vary (none, CRLF, trailing newline, an older lowercase history line).
 *
 * `faultSchedule(seed)`: a few "storm" rounds, each a list of probabilistic fault rules and
 * exact scripted faults for the sandbox: 429 storms (Retry-After 0, rarely 1), 500/503,
 * dropped connections before and after the write landed, short delays, partially failed
 * bulk jobs. Everything comes from one mulberry32 stream: same seed, same world, same
 * schedule (and, the sandbox's fault PRNG being seeded too, the same faults for the same
 * request sequence).
 */
import { DEFAULT_RISK_MESSAGE } from '../../src/model/policy.js';
import type { Sharing } from '../../src/model/sharing.js';
import { DEFAULT_SEED, mulberry32, type FaultRule, type ScriptedFault, type SeedData } from '../../src/sandbox/index.js';
import { FILES } from '../apply/helpers.js';

export type Transition =
  | 'enable_read_only'
  | 'enable_read_write'
  | 'read_only_to_read_write'
  | 'read_write_to_read_only'
  | 'disable_read_only'
  | 'disable_read_write'
  | 'user_grant'
  | 'user_revoke'
  | 'enable_with_grant'
  | 'enable_on_solved_ticket'
  | 'converged'
  | 'unmanaged_shared'
  | 'unmanaged_private';

const TRANSITIONS: Transition[] = [
  'enable_read_only',
  'enable_read_write',
  'read_only_to_read_write',
  'read_write_to_read_only',
  'disable_read_only',
  'disable_read_write',
  'user_grant',
  'user_revoke',
  'enable_with_grant',
  'enable_on_solved_ticket',
  'converged',
  'unmanaged_shared',
  'unmanaged_private',
];

const DETAILS: (string | null)[] = [
  null,
  'Customer since 2021.',
  'Key account.\r\nRenewal 2027-01.',
  'Escalations go to ops.\n',
  'Shared organization (read only) enabled 2023-05-06 as per https://acme.zendesk.com/agent/tickets/1200',
];

export interface ExtraOrg {
  id: number;
  name: string;
  transition: Transition;
  /** File name under orgs/ (absent for unmanaged organizations). */
  file?: string;
  ticketId: number;
  requesterId: number;
  granteeId: number;
}

export interface FaultWorld {
  seed: SeedData;
  /** orgs/<name>.yaml → text. */
  files: Record<string, string>;
  extras: ExtraOrg[];
}

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
const between = (rand: () => number, lo: number, hi: number) => lo + rand() * (hi - lo);

/**
 * The world of one schedule. `extraOrgs` extra organizations (default 5) on top of the
 * shared world, whose managed files (Acme enable, Globex and Umbrella converged, Initech
 * disable, Hooli user grant) are always present; Soylent stays unmanaged.
 */
export function faultWorld(seed: number, extraOrgs = 5): FaultWorld {
  const rand = mulberry32(seed ^ 0x5eed);
  const world = structuredClone(DEFAULT_SEED);
  world.memberships ??= [];
  world.tickets ??= [];
  const files: Record<string, string> = {
    'acme-corp': FILES.acme,
    globex: FILES.globex,
    initech: FILES.initech,
    'umbrella-health': FILES.umbrella,
    hooli: FILES.hooli,
  };
  const extras: ExtraOrg[] = [];

  for (let j = 0; j < extraOrgs; j++) {
    const transition = pick(rand, TRANSITIONS);
    const id = 360000000201 + j;
    const name = `Extra ${j + 1} ${pick(rand, ['Labs', 'GmbH', '& Co', 'Ltd'])}`;
    const requesterId = 3100 + 10 * j;
    const granteeId = requesterId + 1;
    const ticketId = 6000 + 10 * j;
    const domain = `extra${j + 1}.example`;
    const requester = `req@${domain}`;
    const grantee = `lead@${domain}`;
    const details = pick(rand, DETAILS);

    const [live, want]: [Sharing, Sharing] = (() => {
      switch (transition) {
        case 'enable_read_only':
        case 'enable_with_grant':
        case 'enable_on_solved_ticket':
          return ['private', 'read_only'];
        case 'enable_read_write':
          return ['private', 'read_write'];
        case 'read_only_to_read_write':
          return ['read_only', 'read_write'];
        case 'read_write_to_read_only':
          return ['read_write', 'read_only'];
        case 'disable_read_only':
          return ['read_only', 'private'];
        case 'disable_read_write':
          return ['read_write', 'private'];
        case 'converged':
          return ['read_only', 'read_only'];
        case 'unmanaged_shared':
          return ['read_write', 'read_write'];
        default:
          return ['private', 'private'];
      }
    })();

    world.organizations.push({
      id,
      name,
      shared_tickets: live !== 'private',
      shared_comments: live === 'read_write',
      domain_names: [domain],
      details:
        transition === 'converged'
          ? `${details ?? ''}${details && !details.endsWith('\n') ? '\n' : ''}Shared organization (Read only) enabled 2025-04-01 as per https://acme.zendesk.com/agent/tickets/${ticketId}`
          : details,
    });
    world.users.push(
      { id: requesterId, email: requester, name: `Requester ${j + 1}`, role: 'end-user', organization_id: id, ticket_restriction: 'requested' },
      {
        id: granteeId,
        email: grantee,
        name: `Lead ${j + 1}`,
        role: 'end-user',
        organization_id: id,
        ticket_restriction: transition === 'user_revoke' ? 'organization' : 'requested',
      },
    );

    const widening = want !== 'private' || transition === 'user_grant';
    const c = (k: number) => ticketId * 100 + k;
    world.tickets.push({
      id: ticketId,
      subject: `Shared organization request ${j + 1}`,
      status: transition === 'enable_on_solved_ticket' || transition === 'converged' ? 'solved' : pick(rand, ['open', 'open', 'new', 'pending'] as const),
      organization_id: id,
      requester_id: requesterId,
      comments: [
        { id: c(0), author_id: requesterId, body: `Please change ticket sharing for ${name}: ${TYPE_QUOTE[want]}.` },
        ...(widening || want !== 'private'
          ? [
              { id: c(1), author_id: 1002, body: `Happy to help. Before we proceed: ${DEFAULT_RISK_MESSAGE} Could you confirm?` },
              { id: c(2), author_id: requesterId, body: 'Confirmed, we accept the security risk.' },
            ]
          : []),
      ],
    });

    const extra: ExtraOrg = { id, name, transition, ticketId, requesterId, granteeId };
    if (transition !== 'unmanaged_shared' && transition !== 'unmanaged_private') {
      extra.file = `extra-${j + 1}`;
      files[extra.file] = orgYaml({ id, name, want, ticketId, requester, grantee, transition, approvalComment: c(2) });
    }
    extras.push(extra);
  }
  return { seed: world, files, extras };
}

/** The requester's words naming the type, in the ticket's first comment. */
const TYPE_QUOTE: Record<Sharing, string> = { private: 'private again please', read_only: 'Read only please', read_write: 'Read+write please' };

function orgYaml(o: {
  id: number;
  name: string;
  want: Sharing;
  ticketId: number;
  requester: string;
  grantee: string;
  transition: Transition;
  approvalComment: number;
}): string {
  const url = `https://acme.zendesk.com/agent/tickets/${o.ticketId}`;
  const approval = `  risk_approval:\n    approved_by: ${o.requester}\n    comment_id: ${o.approvalComment}\n    quote: "we accept the security risk"\n`;
  let text = `organization:\n  id: ${o.id}\n  name: ${JSON.stringify(o.name)}\nsharing: ${o.want}\nrequest:\n  ticket: ${url}\n  requester: ${o.requester}\n`;
  if (o.want !== 'private') {
    const confirmation = `  type_confirmation:\n    comment_id: ${o.ticketId * 100}\n    quote: "${TYPE_QUOTE[o.want]}"\n`;
    text += `  confirmed_type: ${o.want}\n${confirmation}${approval}`;
  }
  if (o.transition === 'enable_with_grant') {
    // Two changes confirming on one ticket; the grant rests on the request's approval.
    text += `user_access:\n  - email: ${o.grantee}\n    access: organization\n    ticket: ${url}\n`;
  }
  if (o.transition === 'user_grant' || o.transition === 'user_revoke') {
    text += `user_access:\n  - email: ${o.grantee}\n    access: ${o.transition === 'user_grant' ? 'organization' : 'requested'}\n    ticket: ${url}\n`;
    if (o.transition === 'user_grant') {
      text += `    risk_approval:\n      approved_by: ${o.requester}\n      comment_id: ${o.approvalComment}\n      quote: "we accept the security risk"\n`;
    }
  }
  return text;
}

// ---- fault schedules -------------------------------------------------------------------

export interface StormRound {
  rules: FaultRule[];
  scripts: ScriptedFault[];
  /** Seed of the sandbox's fault PRNG for this round. */
  seed: number;
}

export interface FaultSchedule {
  seed: number;
  rounds: StormRound[];
  /** One line describing the schedule, for failure messages and the soak log. */
  describe: string;
}

/**
 * 1–2 storm rounds (1–3 in soak mode). Probabilities are kept modest so that a CI
 * schedule costs a few seconds: every retried read waits 125–250 ms of backoff.
 */
export function faultSchedule(seed: number, opts: { maxRounds?: number } = {}): FaultSchedule {
  const rand = mulberry32(seed);
  const n = 1 + Math.floor(rand() * (opts.maxRounds ?? 2));
  const rounds: StormRound[] = [];
  const words: string[] = [];
  for (let r = 0; r < n; r++) {
    const rules: FaultRule[] = [];
    const scripts: ScriptedFault[] = [];
    const p = (lo: number, hi: number) => Math.round(between(rand, lo, hi) * 1000) / 1000;

    rules.push({ probability: p(0.02, 0.08), fault: { kind: 'retryAfter', seconds: 0 } });
    if (rand() < 0.15) rules.push({ probability: 0.01, fault: { kind: 'retryAfter', seconds: 1 } });
    if (rand() < 0.6) rules.push({ probability: p(0.01, 0.05), fault: { kind: 'status', status: pick(rand, [500, 503]) } });
    if (rand() < 0.5) rules.push({ probability: p(0.005, 0.02), fault: { kind: 'drop' } });
    // The write lands, the answer is lost: only writes can show the difference.
    if (rand() < 0.7) rules.push({ probability: p(0.05, 0.2), match: { write: true }, fault: { kind: 'drop', applied: true } });
    if (rand() < 0.5) rules.push({ probability: p(0.05, 0.15), match: { write: true }, fault: { kind: 'status', status: pick(rand, [500, 503]) } });
    if (rand() < 0.4) rules.push({ probability: 0.05, fault: { kind: 'delay', ms: Math.round(between(rand, 10, 60)) } });
    if (rand() < 0.6) rules.push({ probability: p(0.1, 0.4), fault: { kind: 'jobFail' } });

    // A 429 storm: several requests in a row are refused.
    if (rand() < 0.6) scripts.push({ skip: Math.floor(rand() * 30), times: 2 + Math.floor(rand() * 5), fault: { kind: 'retryAfter', seconds: 0 } });
    // The k-th write: a lost answer after the write landed, or a refusal.
    if (rand() < 0.6) {
      scripts.push({
        match: { write: true },
        skip: Math.floor(rand() * 5),
        times: 1 + Math.floor(rand() * 2),
        fault: rand() < 0.5 ? { kind: 'drop', applied: true } : { kind: 'status', status: 503 },
      });
    }
    // Every comment PUT of this round fails once (the comment phase is the fragile one).
    if (rand() < 0.3) scripts.push({ match: { method: 'PUT', path: /\/tickets\/\d+/ }, skip: Math.floor(rand() * 3), times: 1, fault: { kind: 'drop', applied: rand() < 0.5 } });

    const roundSeed = Math.floor(rand() * 2 ** 31);
    rounds.push({ rules, scripts, seed: roundSeed });
    words.push(
      `round ${r + 1}: ${rules.map((x) => `${describeRule(x.fault)}@${x.probability}${x.match?.write ? '(w)' : ''}`).join(' ')}` +
        (scripts.length ? ` | scripts ${scripts.map((s) => `${describeRule(s.fault)}x${s.times ?? 1}+${s.skip ?? 0}${s.match?.write ? '(w)' : ''}`).join(' ')}` : ''),
    );
  }
  return { seed, rounds, describe: words.join(' ; ') };
}

function describeRule(f: FaultRule['fault']): string {
  switch (f.kind) {
    case 'status':
      return String(f.status);
    case 'retryAfter':
      return `429/${f.seconds}s`;
    case 'drop':
      return f.applied ? 'drop-applied' : 'drop';
    case 'hang':
      return 'hang';
    case 'delay':
      return `delay${f.ms}`;
    case 'jobFail':
      return 'jobfail';
  }
}
