/**
 * Words for a plan, shared by the text and Markdown renderers so both say the same thing:
 * the summary sentence and each change's symbol, verb and "from → to".
 */
import type { Change, ChangeKind, Exposure, Plan } from '../model/plan.js';
import { isBlocked } from '../model/plan.js';

export type ChangeSymbol = '+' | '~' | '-';

export interface ChangeWords {
  /** Terraform-like: + widens, - narrows, ~ changes/finishes. */
  symbol: ChangeSymbol;
  /** The change in a few words: "enable", "grant lead@hooli.example all organization tickets". */
  title: string;
  /** "private → read_only", or "" when the change has no levels. */
  fromTo: string;
}

/** What every finish kind does: the access is already live (an interrupted apply). */
const FINISH_ONLY = 'confirmation comment only';

export function describeChange(c: Change): ChangeWords {
  if ((c.kind === 'enable' || c.kind === 'disable') && c.orgMissing) {
    // Nothing is live to change: say so instead of a "private → …" that was never read.
    return { symbol: c.kind === 'enable' ? '+' : '-', title: `${c.kind}: organization not found in Zendesk`, fromTo: `(none) → ${c.to}` };
  }
  switch (c.kind) {
    case 'enable':
      return { symbol: '+', title: 'enable', fromTo: `${c.from} → ${c.to}` };
    case 'change_type':
      return { symbol: '~', title: 'change type', fromTo: `${c.from} → ${c.to}` };
    case 'disable':
      return { symbol: '-', title: 'disable', fromTo: `${c.from} → ${c.to}` };
    case 'finish':
      return { symbol: '~', title: `finish ${c.to === 'private' ? 'disable' : 'enable'}: ${FINISH_ONLY}`, fromTo: `${c.from} → ${c.to}` };
    case 'user_grant':
      return { symbol: '+', title: `grant ${c.email} all organization tickets`, fromTo: `${c.from ?? 'none'} → ${c.to}` };
    case 'user_revoke':
      return { symbol: '-', title: `limit ${c.email} to own tickets`, fromTo: `${c.from ?? 'none'} → ${c.to}` };
    case 'grant_finish':
      return {
        symbol: '~',
        title: `finish ${c.to === 'organization' ? `grant of all organization tickets to ${c.email}` : `limit of ${c.email} to own tickets`}: ${FINISH_ONLY}`,
        fromTo: `${c.from ?? 'none'} → ${c.to}`,
      };
    case 'partner_add':
      return { symbol: '+', title: `add partner domain ${c.domain}`, fromTo: '' };
    case 'partner_remove':
      return { symbol: '-', title: `remove partner domain ${c.domain}`, fromTo: '' };
    case 'partner_finish':
      return { symbol: '~', title: `finish adding partner domain ${c.domain}: ${FINISH_ONLY}`, fromTo: '' };
    default: {
      const never: never = c;
      throw new Error(`unknown change kind ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The evidence a reviewer reads next to a change, in the order it happened: who asked
 * (the ticket's requester as read), where they named the type, where they approved the
 * risk. `quote` is the requester's words; `detail` says where they are.
 */
export interface EvidenceWord {
  label: 'Requester' | 'Type confirmation' | 'Risk approval';
  quote?: string;
  detail: string;
}

export function evidenceWords(c: Change): EvidenceWord[] {
  const e = c.evidence;
  if (!e) return [];
  const out: EvidenceWord[] = [];
  if (e.requester) {
    const r = e.requester;
    out.push({ label: 'Requester', detail: `${r.email ?? `user ${r.id}`}${r.name ? ` (${r.name})` : ''}, requester of ticket ${c.ticket.id}` });
  }
  const t = e.typeConfirmation;
  if (t) {
    const by = t.author ? ` by ${t.author}` : '';
    out.push({ label: 'Type confirmation', quote: t.quote, detail: `comment ${t.commentId}${by}${t.via === 'risk_approval' ? ', the risk approval' : ''}` });
  }
  if (e.approvalQuote !== undefined) {
    const a = e.approvalComment;
    out.push({ label: 'Risk approval', quote: e.approvalQuote, detail: a ? `comment ${a.id} by ${a.author}` : 'comment not read' });
  }
  return out;
}

/** Kinds counted together in the summary line ("2 to finish" covers every finish kind). */
const EXTRA: [ChangeKind[], string, string][] = [
  [['finish', 'grant_finish', 'partner_finish'], 'to finish', 'to finish'],
  [['user_grant'], 'user grant', 'user grants'],
  [['user_revoke'], 'user revoke', 'user revokes'],
  [['partner_add'], 'partner domain to add', 'partner domains to add'],
  [['partner_remove'], 'partner domain to remove', 'partner domains to remove'],
];

/**
 * "Plan: 1 to enable, 1 to change, 1 to disable, 0 blocked." — other kinds are named only
 * when present; or "No changes. Live Zendesk matches orgs/." for an empty plan.
 */
export function summaryLine(plan: Plan): string {
  if (plan.changes.length === 0 && !isBlocked(plan)) return 'No changes. Live Zendesk matches orgs/.';
  const count = (...kinds: ChangeKind[]) => plan.changes.filter((c) => kinds.includes(c.kind)).length;
  const parts = [`${count('enable')} to enable`, `${count('change_type')} to change`, `${count('disable')} to disable`];
  for (const [kinds, one, many] of EXTRA) {
    const n = count(...kinds);
    if (n > 0) parts.push(`${n} ${n === 1 ? one : many}`);
  }
  parts.push(`${plan.changes.filter((c) => c.blocked).length} blocked`);
  return `Plan: ${parts.join(', ')}.`;
}

/** The organization's agent URL, when the account's subdomain is known. */
export function organizationUrl(plan: Pick<Plan, 'account'>, orgId: number): string | null {
  return plan.account.subdomain ? `https://${plan.account.subdomain}.zendesk.com/agent/organizations/${orgId}` : null;
}


/** One sentence on who a widening change exposes what to. */
export function exposureNote(e: Exposure): string {
  return (
    e.note ??
    `This change lets ${e.usersGaining.toLocaleString('en-US')} user${e.usersGaining === 1 ? '' : 's'} see ` +
      `${e.ticketsVisible.toLocaleString('en-US')} ticket${e.ticketsVisible === 1 ? '' : 's'} they cannot see today.`
  );
}
