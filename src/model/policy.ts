/**
 * Account policy: `orgshare.config.yaml` merged over these defaults
 * (schema/config.schema.json describes the file).
 */

/** The exact risk message of the support handbook (docs/prechecks.md, `risk_message_sent`). */
export const DEFAULT_RISK_MESSAGE =
  'Please keep in mind that using a shared organization entails a potential security risk. ' +
  'Namely, if all users can view and comment on all tickets, that means the degree of privacy ' +
  'and security from separating the tickets is gone. This won’t mean those outside your ' +
  'organization can see your tickets, only those within your organization.';

/** Case-insensitive regular-expression sources that mark a "we will not enable" note. */
export const DEFAULT_DENY_PATTERNS = [
  String.raw`\b(will|wo|shall|can|ca|do|does|must|should)\s*(not|n['’]t)\s+(be\s+)?(enable|enabled|allow|allowed|set\s*up|turn\s+on)\b[^.\n]*\bshar`,
  String.raw`\bno\s+shared\s+org`,
  String.raw`\bnever\s+(enable|allow)\b[^.\n]*\bshar`,
  String.raw`\bdo\s+not\s+share\b`,
];

/**
 * Deny patterns run on one line of a note at a time, in windows of at most this many
 * characters (consecutive windows overlap by DENY_TEXT_OVERLAP), which bounds the work a
 * pattern can cause; src/config/regex-safety.ts sizes unbounded repetitions by it.
 */
export const DENY_TEXT_WINDOW = 1000;
export const DENY_TEXT_OVERLAP = 200;

/**
 * Words that name a sharing type in a requester's confirmation (docs/prechecks.md,
 * "confirmed_type"). Compared like evidence text (normalizeText), on word boundaries.
 */
export interface TypeWords {
  read_only: string[];
  read_write: string[];
}

export const DEFAULT_TYPE_WORDS: TypeWords = {
  read_only: ['read only', 'read-only', 'view only'],
  read_write: ['read+write', 'read/write', 'read and write', 'see and comment'],
};

export interface TicketFieldPolicy {
  /** Field id; when absent the field is found by title. */
  id?: number;
  title: string;
}

export interface Policy {
  /** Zendesk subdomain of the account (from config or ZENDESK_SUBDOMAIN). */
  subdomain: string | null;
  /** Extra hosts accepted in ticket URLs (e.g. a host-mapped help center). */
  ticketHosts: string[];
  maxChanges: number;
  riskMessage: string;
  denyPatterns: string[];
  /** Which words in a confirmation quote name which sharing type. */
  typeWords: TypeWords;
  ticketFields: {
    problemType: TicketFieldPolicy & { value: string };
    sharedOrgType: TicketFieldPolicy & { values: { read_only: string; read_write: string; private?: string } };
    confirmRisk: TicketFieldPolicy;
  };
  /** Comment templates; `{type}`, `{org}`, `{date}`, `{ticket}` are substituted. */
  comments: { enabled: string; disabled: string };
  /** Client-side request budget (requests per minute). */
  rpm: number;
  /**
   * Periodic re-attestation: a grant whose newest approval is older than this many days
   * is overdue (docs/history-and-review.md). null: off (the default).
   */
  reattestAfter: number | null;
}

export const DEFAULT_POLICY: Policy = {
  subdomain: null,
  ticketHosts: [],
  maxChanges: 20,
  riskMessage: DEFAULT_RISK_MESSAGE,
  denyPatterns: DEFAULT_DENY_PATTERNS,
  typeWords: DEFAULT_TYPE_WORDS,
  ticketFields: {
    problemType: { title: 'Support Ops Problem Type', value: 'Shared organization requests' },
    sharedOrgType: { title: 'Shared Org type', values: { read_only: 'Read only', read_write: 'Read+write' } },
    confirmRisk: { title: 'Confirm security risk' },
  },
  comments: {
    enabled:
      'Hello,\n\nShared organization ({type}) has been enabled for {org} as requested. ' +
      'All users of your organization can now see {scope} tickets.\n\nThis ticket will now be marked as solved.',
    disabled:
      'Hello,\n\nShared organization has been disabled for {org} as requested. ' +
      'Users of your organization now see only their own tickets.\n\nThis ticket will now be marked as solved.',
  },
  rpm: 400,
  reattestAfter: null,
};
