/**
 * `orgshare history`: one timeline per organization and the findings on it
 * (docs/history-and-review.md). Rendered by src/history/render.ts as text, JSON, Markdown.
 */
import type { Sharing } from './sharing.js';

export type FindingKind = 'unrecorded_change' | 'unreviewed_change' | 'evidence_after_change';

/** How a change reached Zendesk, as far as the audit log lets orgshare tell. */
export type Via = 'api_token' | 'ui';

export interface Actor {
  id: number | null;
  name: string | null;
  email: string | null;
  role: string | null;
}

interface EventBase {
  /** ISO timestamp (UTC), or a YYYY-MM-DD date for Details lines (the day is all they say). */
  at: string;
  /** One line for people. */
  summary: string;
}

export type TimelineEvent =
  | (EventBase & {
      source: 'details';
      /** What the line records. */
      subject: 'sharing' | 'partner' | 'user_access';
      /** The older lowercase form of the handbook (seed 001). */
      legacy: boolean;
      ticket: string;
      /** Where it stands: organization Details, or a user's notes (their email). */
      field: 'details' | 'notes';
      user?: string;
      line: number;
      text: string;
      /** Sharing after the change, for sharing lines. */
      sharing?: Sharing;
    })
  | (EventBase & {
      source: 'audit';
      auditId: number;
      actor: Actor;
      via: Via;
      sourceType: string;
      sourceId: number;
      description: string;
    })
  | (EventBase & {
      source: 'git';
      hash: string;
      author: string;
      email: string;
      subject: string;
      pr: number | null;
    })
  | (EventBase & {
      source: 'evidence';
      what: 'request_ticket' | 'risk_approval' | 'grant_approval' | 'partner_consent';
      ticket: string;
      commentId?: number;
      by?: string | null;
    });

export interface Finding {
  kind: FindingKind;
  orgId: number;
  /** When the change happened (as in the event). */
  at: string;
  message: string;
}

export interface OrgHistory {
  orgId: number;
  orgName: string;
  /** The file that manages it, or null. */
  file: string | null;
  /** false when the organization does not exist (any more) in Zendesk. */
  exists: boolean;
  events: TimelineEvent[];
  findings: Finding[];
}

export interface HistoryReport {
  formatVersion: 1;
  generatedAt: string;
  account: { subdomain: string | null; baseUrl: string };
  /** YYYY-MM-DD or null: events before it are left out (findings too). */
  since: string | null;
  sources: {
    auditLog: { available: boolean; reason?: string; entries: number };
    git: { available: boolean; reason?: string };
  };
  orgs: OrgHistory[];
}
