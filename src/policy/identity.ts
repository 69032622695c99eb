/**
 * `name_match`: the live organization exists and is the one the file means. User grants
 * reuse the id for their grantee: the user exists, is an end-user and belongs to the org.
 */
import type { SourceRef } from '../model/desired.js';
import type { Observed, ObservedOrg } from '../model/observed.js';
import type { CheckResult } from '../model/plan.js';
import { memberOf, orgLabel, roleLabel, userByEmail } from './lookup.js';
import { fail, pass } from './result.js';

export function checkNameMatch(
  orgId: number,
  name: string,
  live: ObservedOrg | null | undefined,
  source?: SourceRef,
): CheckResult {
  if (live === undefined) {
    return fail('name_match', `organization ${orgId} was not read from Zendesk`, 'run plan again; if it persists, report a bug', source);
  }
  if (live === null) {
    return fail(
      'name_match',
      `organization ${orgId} ("${name}") does not exist in Zendesk`,
      'check organization.id: it is the number in the organization’s URL (…/agent/organizations/ID)',
      source,
    );
  }
  if (live.name !== name) {
    return fail(
      'name_match',
      `organization ${orgId} is named "${live.name}" in Zendesk, not "${name}"`,
      'a wrong organization id? If the organization was renamed, update organization.name in the file',
      source,
    );
  }
  return pass('name_match', `organization ${orgId} is named "${name}"`, source);
}

/** The user a grant is for: an active end-user member of the organization. */
export function checkGrantee(
  email: string,
  orgId: number,
  orgName: string,
  observed: Observed,
  source?: SourceRef,
): CheckResult {
  const user = userByEmail(observed, email);
  if (user === undefined) {
    return fail('name_match', `user ${email} was not read from Zendesk`, 'run plan again; if it persists, report a bug', source);
  }
  if (user === null) {
    return fail('name_match', `no Zendesk user has the email ${email}`, 'check the email in user_access', source);
  }
  if (user.role !== 'end-user') {
    return fail(
      'name_match',
      `${email} (user ${user.id}) is ${roleLabel(user.role)}; organization ticket access is granted to end-users only`,
      'remove this entry: agents see tickets through their role, not through user_access',
      source,
    );
  }
  if (user.suspended) {
    return fail('name_match', `${email} (user ${user.id}) is suspended`, 'unsuspend the user first, or remove the grant', source);
  }
  const orgs = memberOf(observed, user);
  if (!orgs.includes(orgId)) {
    const where = orgs.length ? orgs.map((o) => orgLabel(observed, o)).join(', ') : 'no organization';
    return fail(
      'name_match',
      `${email} (user ${user.id}) is not a member of ${orgName} (member of ${where})`,
      'add the user to the organization in Zendesk first, or fix the email',
      source,
    );
  }
  return pass('name_match', `${email} (user ${user.id}) is an end-user member of ${orgName}`, source);
}
