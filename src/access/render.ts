/**
 * Renderers for the effective-access report: text (terminal), markdown (issues, PRs)
 * and json (`format_version: 1`, snake_case keys, every member listed).
 * Text and markdown list individual users only where it tells something: user-level
 * grants and members from other organizations; shared organizations are summarised.
 */
import type { Format } from '../render/format.js';
import type { AccessReport, AccessUser, OrgAccess } from './types.js';

export interface AccessRenderOptions {
  color: boolean;
}

const LABEL: Record<OrgAccess['sharing'], string> = {
  private: 'private',
  read_only: 'shared, read only',
  read_write: 'shared, read+write',
};

/** Counts are read only where someone sees beyond their own tickets: null shows as "—". */
function n(value: number | null): string {
  return value === null ? '—' : value.toLocaleString('en-US');
}

function who(u: AccessUser): string {
  return u.email ?? `${u.name} (user ${u.userId})`;
}

type Names = Map<number, string>;

function orgRef(id: number, names: Names): string {
  const name = names.get(id);
  return name ? `${name} (${id})` : String(id);
}

function crossOrgText(u: AccessUser, names: Names): string {
  const parts: string[] = [];
  if (u.via === 'partner_domain') parts.push('through a partner domain');
  if (u.via === 'default') parts.push('this is their default organization');
  else if (u.defaultOrgId !== null) parts.push(`default organization ${orgRef(u.defaultOrgId, names)}`);
  const others = u.otherOrgIds.filter((id) => id !== u.defaultOrgId);
  if (others.length > 0) parts.push(`also member of ${others.map((id) => orgRef(id, names)).join(', ')}`);
  return parts.join('; ');
}

function whyText(u: AccessUser): string {
  const why = u.reasons.map((r) => (r === 'org_shared' ? 'organization shared' : 'user-level grant (ticket_restriction: organization)'));
  return why.join(' + ') + (u.canComment ? ', can comment' : '');
}

export function accessToJson(report: AccessReport): unknown {
  const user = (u: AccessUser) => ({
    user_id: u.userId,
    email: u.email,
    name: u.name,
    via: u.via,
    default_org_id: u.defaultOrgId,
    other_org_ids: u.otherOrgIds,
    reasons: u.reasons,
    can_comment: u.canComment,
  });
  return {
    format_version: 1,
    generated_at: report.generatedAt,
    account: report.account,
    totals: {
      organizations: report.totals.organizations,
      users_seeing_all: report.totals.usersSeeingAll,
      user_grants: report.totals.userGrants,
      tickets_exposed: report.totals.ticketsExposed,
    },
    organizations: report.orgs.map((o) => ({
      id: o.orgId,
      name: o.orgName,
      sharing: o.sharing,
      ticket_count: o.ticketCount,
      members: o.members,
      see_all: o.seeAll.map(user),
      commenters: o.commenters,
      cross_org: o.crossOrg.map(user),
      partner_domains: o.partnerDomains,
      notes: o.notes,
    })),
    notes: report.notes,
  };
}

function paint(on: boolean, code: string, text: string): string {
  return on ? `\u001b[${code}m${text}\u001b[0m` : text;
}

function renderText(report: AccessReport, opts: AccessRenderOptions): string {
  const names: Names = new Map(report.orgs.map((o) => [o.orgId, o.orgName]));
  const out: string[] = [];
  for (const o of report.orgs) {
    const tickets = o.ticketCount === null ? '' : `, ${n(o.ticketCount)} ticket${o.ticketCount === 1 ? '' : 's'}`;
    const head = `${o.orgName} (${o.orgId}) — ${LABEL[o.sharing]}, ${n(o.members)} member${o.members === 1 ? '' : 's'}${tickets}`;
    out.push(paint(opts.color, o.sharing === 'private' ? '1' : '1;33', head));
    out.push(`  sees all tickets: ${n(o.seeAll.length)}${o.seeAll.length ? ` · may comment on all: ${n(o.commenters)}` : ''}`);
    if (o.sharing !== 'private' && o.members > 0) out.push(`    every member — organization shared${o.sharing === 'read_write' ? ', can comment' : ''}`);
    for (const u of o.seeAll.filter((x) => x.reasons.includes('user_grant'))) {
      out.push(`    ${who(u)} — ${whyText(u)}`);
    }
    for (const u of o.crossOrg) out.push(`  in several organizations: ${who(u)} (${crossOrgText(u, names)})`);
    if (o.partnerDomains.length) out.push(`  partner domains: ${o.partnerDomains.join(', ')}`);
    for (const note of o.notes) out.push(`  note: ${note}`);
    out.push('');
  }
  const t = report.totals;
  out.push(
    `${n(t.organizations)} organization${t.organizations === 1 ? '' : 's'}; ${n(t.usersSeeingAll)} user${t.usersSeeingAll === 1 ? '' : 's'} see all tickets of at least one organization (${n(t.userGrants)} through a user-level grant only); ${n(t.ticketsExposed)} tickets visible beyond their requesters.`,
  );
  for (const note of report.notes) out.push(`Note: ${note}`);
  return out.join('\n') + '\n';
}

function md(text: string): string {
  return text.replace(/([|\\`*_[\]<>])/g, '\\$1');
}

function renderMarkdown(report: AccessReport): string {
  const names: Names = new Map(report.orgs.map((o) => [o.orgId, o.orgName]));
  const out: string[] = ['## Effective access', ''];
  out.push('| Organization | Sharing | Members | Sees all | Comments on all | Tickets |');
  out.push('|---|---|--:|--:|--:|--:|');
  for (const o of report.orgs) {
    out.push(`| ${md(o.orgName)} (${o.orgId}) | ${LABEL[o.sharing]} | ${n(o.members)} | ${n(o.seeAll.length)} | ${n(o.commenters)} | ${n(o.ticketCount)} |`);
  }
  const detailed = report.orgs.filter((o) => o.seeAll.some((u) => u.reasons.includes('user_grant')) || o.crossOrg.length > 0);
  for (const o of detailed) {
    out.push('', `### ${md(o.orgName)} (${o.orgId})`, '');
    for (const u of o.seeAll.filter((x) => x.reasons.includes('user_grant'))) out.push(`- **${md(who(u))}** sees all tickets: ${md(whyText(u))}`);
    for (const u of o.crossOrg) out.push(`- ${md(who(u))} is in several organizations (${md(crossOrgText(u, names))})`);
    for (const note of o.notes) out.push(`- _${md(note)}_`);
  }
  const t = report.totals;
  out.push(
    '',
    `**${n(t.usersSeeingAll)}** users see all tickets of at least one organization (${n(t.userGrants)} through a user-level grant only); **${n(t.ticketsExposed)}** tickets are visible beyond their requesters.`,
    '',
  );
  for (const note of report.notes) out.push(`> ${md(note)}`);
  return out.join('\n') + '\n';
}

export function renderAccess(report: AccessReport, format: Format, opts: AccessRenderOptions = { color: false }): string {
  switch (format) {
    case 'json':
      return JSON.stringify(accessToJson(report), null, 2) + '\n';
    case 'markdown':
      return renderMarkdown(report);
    case 'text':
      return renderText(report, opts);
    default: {
      const never: never = format;
      throw new Error(`unknown format ${String(never)}`);
    }
  }
}
