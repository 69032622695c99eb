/**
 * Deterministic synthetic accounts for benchmarks and scale tests: N organizations, M
 * end-users spread over them (some in two organizations), a fraction of organizations
 * shared (read only or read+write, with a Details history line), a fraction of users with
 * a user-level grant. Same options, same account. The API user and agent of the default
 * seed (admin@acme.example / sandbox-token, sam@acme.example) and its ticket fields are
 * always included, so the usual credentials work.
 */
import { mulberry32 } from './faults.js';
import { DEFAULT_SEED } from './seed-default.js';
import type { SeedData, SeedMembership, SeedOrganization, SeedTicket, SeedUser } from './types.js';

export interface GenerateOptions {
  orgs: number;
  users: number;
  /** Fraction of organizations with shared tickets (default 0.1). */
  sharedFraction?: number;
  /** Of the shared ones, the fraction that also share comments (default 0.5). */
  readWriteFraction?: number;
  /** Fraction of end-users who are also members of a second organization (default 0.05). */
  multiOrgFraction?: number;
  /** Fraction of end-users with ticket_restriction "organization" (default 0.02). */
  userGrantFraction?: number;
  /** Tickets per organization (default 0), each with one public comment by its requester. */
  ticketsPerOrg?: number;
  /** PRNG seed (default 42). */
  seed?: number;
  /** First organization id (default 361000000001). */
  firstOrgId?: number;
  /** First end-user id (default 3000001). */
  firstUserId?: number;
}

export function generateAccount(opts: GenerateOptions): SeedData {
  const rand = mulberry32(opts.seed ?? 42);
  const sharedFraction = opts.sharedFraction ?? 0.1;
  const readWriteFraction = opts.readWriteFraction ?? 0.5;
  const multiOrgFraction = opts.multiOrgFraction ?? 0.05;
  const userGrantFraction = opts.userGrantFraction ?? 0.02;
  const ticketsPerOrg = opts.ticketsPerOrg ?? 0;
  const firstOrgId = opts.firstOrgId ?? 361_000_000_001;
  const firstUserId = opts.firstUserId ?? 3_000_001;
  const pad = (n: number, w: number) => String(n).padStart(w, '0');

  const organizations: SeedOrganization[] = [];
  for (let i = 0; i < opts.orgs; i++) {
    const id = firstOrgId + i;
    const shared = rand() < sharedFraction;
    const readWrite = shared && rand() < readWriteFraction;
    const day = 1 + Math.floor(rand() * 28);
    const slug = `org${pad(i + 1, 6)}`;
    organizations.push({
      id,
      name: `Org ${pad(i + 1, 6)}`,
      shared_tickets: shared,
      shared_comments: readWrite,
      domain_names: [`${slug}.example`],
      details: shared
        ? `Shared organization (${readWrite ? 'Read+write' : 'Read only'}) enabled 2023-06-${pad(day, 2)} as per https://acme.zendesk.com/agent/tickets/${100000 + i}`
        : null,
      notes: null,
    });
  }

  const staff = DEFAULT_SEED.users.filter((u) => u.role !== 'end-user');
  const users: SeedUser[] = staff.map((u) => ({ ...u }));
  const memberships: SeedMembership[] = [];
  const endUsers: SeedUser[] = [];
  for (let i = 0; i < opts.users; i++) {
    const id = firstUserId + i;
    const org = organizations.length ? organizations[i % organizations.length]! : undefined;
    const user: SeedUser = {
      id,
      email: `user${pad(i + 1, 7)}@${org ? `org${pad((i % organizations.length) + 1, 6)}` : 'nowhere'}.example`,
      name: `User ${pad(i + 1, 7)}`,
      role: 'end-user',
      organization_id: org?.id ?? null,
      ticket_restriction: rand() < userGrantFraction ? 'organization' : 'requested',
    };
    users.push(user);
    endUsers.push(user);
    if (org && organizations.length > 1 && rand() < multiOrgFraction) {
      const other = organizations[(i % organizations.length + 1 + Math.floor(rand() * (organizations.length - 1))) % organizations.length]!;
      memberships.push({ user_id: id, organization_id: org.id, default: true }, { user_id: id, organization_id: other.id, default: false });
    }
  }

  const tickets: SeedTicket[] = [];
  if (ticketsPerOrg > 0) {
    const byOrg = new Map<number, SeedUser[]>();
    for (const u of endUsers) if (u.organization_id) (byOrg.get(u.organization_id) ?? byOrg.set(u.organization_id, []).get(u.organization_id)!).push(u);
    let ticketId = 1_000_000;
    let commentId = 10_000_000;
    for (const org of organizations) {
      const members = byOrg.get(org.id) ?? [];
      if (!members.length) continue;
      for (let k = 0; k < ticketsPerOrg; k++) {
        const requester = members[k % members.length]!;
        tickets.push({
          id: ++ticketId,
          subject: `Question ${k + 1} from ${org.name}`,
          status: rand() < 0.5 ? 'open' : 'solved',
          organization_id: org.id,
          requester_id: requester.id,
          comments: [{ id: ++commentId, author_id: requester.id, body: `Hello, this is question ${k + 1}.` }],
        });
      }
    }
  }

  return {
    account: { ...DEFAULT_SEED.account },
    organizations,
    users,
    memberships,
    tickets,
    ticket_fields: DEFAULT_SEED.ticket_fields!.map((f) => ({ ...f })),
  };
}
