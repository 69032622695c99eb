/**
 * Read-only lookups over `Observed` shared by the rules. A missing map key means "not
 * read" (undefined), a null value means "read and not found" (see model/observed.ts).
 */
import type { DesiredOrg, SourceRef } from '../model/desired.js';
import type { Observed, ObservedUser, UserRole } from '../model/observed.js';

export function userById(observed: Observed, id: number): ObservedUser | undefined {
  const direct = observed.users.get(id);
  if (direct) return direct;
  for (const u of observed.usersByEmail.values()) if (u && u.id === id) return u;
  return undefined;
}

/** undefined: not read; null: no such user. Emails compare case-insensitively. */
export function userByEmail(observed: Observed, email: string): ObservedUser | null | undefined {
  const key = email.trim().toLowerCase();
  if (observed.usersByEmail.has(key)) return observed.usersByEmail.get(key) ?? null;
  for (const u of observed.users.values()) if (u.email?.toLowerCase() === key) return u;
  return undefined;
}

/** Organization ids the user belongs to (memberships, else the default organization). */
export function memberOf(observed: Observed, user: ObservedUser): number[] {
  const ms = observed.memberships.get(user.id);
  if (ms) return [...new Set(ms.map((m) => m.organizationId))];
  return user.organizationId === null ? [] : [user.organizationId];
}

export function roleLabel(role: UserRole): string {
  return role === 'end-user' ? 'an end-user' : role === 'agent' ? 'an agent' : 'an admin';
}

/** "sam@acme.example" or the user's name, or "user 1002". */
export function userLabel(user: ObservedUser | undefined, id?: number): string {
  if (!user) return `user ${id ?? '?'}`;
  return user.email ?? (user.name || `user ${user.id}`);
}

/** "Globex (360000000102)" when the organization was read, else its id. */
export function orgLabel(observed: Observed, id: number): string {
  const org = observed.orgs.get(id);
  return org ? `${org.name} (${id})` : String(id);
}

/**
 * The source position of `pointer` in the org's file, or of its nearest parent
 * ("/request/risk_approval/quote" → "/request/risk_approval" → "/request").
 */
export function sourceAt(org: DesiredOrg, pointer: string): SourceRef | undefined {
  let p = pointer;
  for (;;) {
    const found = org.positions[p];
    if (found) return found;
    const cut = p.lastIndexOf('/');
    if (cut <= 0) return undefined;
    p = p.slice(0, cut);
  }
}
