import type { Sharing } from './sharing.js';

/** Where something came from in a config file (1-based line and column). */
export interface SourceRef {
  file: string;
  line: number;
  col: number;
}

export interface RiskApproval {
  approvedBy: string;
  commentId: number;
  quote: string;
}

/** Where the requester named the sharing type they want (`request.type_confirmation`). */
export interface TypeConfirmation {
  commentId: number;
  quote: string;
}

/** A parsed ticket reference: the URL as written, and its canonical agent URL. */
export interface TicketRef {
  url: string;
  id: number;
  /** Host the URL points at, lowercased (e.g. "acme.zendesk.com"). */
  host: string;
  /** Subdomain when the host is `{sub}.zendesk.com`, else null. */
  subdomain: string | null;
  /**
   * `https://{subdomain}.zendesk.com/agent/tickets/{id}` on the account's subdomain whenever
   * it is known (whatever host the file used, ticket_hosts included), else on `host`; used
   * in Details lines, comments and links.
   */
  canonical: string;
}

export type UserAccess = 'organization' | 'requested';

export interface DesiredUserGrant {
  email: string;
  access: UserAccess;
  ticket: TicketRef;
  /** Evidence for a widening grant; falls back to the org request's approval on the same ticket. */
  riskApproval?: RiskApproval;
  source: SourceRef;
}

export interface DesiredPartner {
  /** Email domain of the partner added to this organization's domain_names. */
  domain: string;
  name?: string;
  ticket: TicketRef;
  /** Consent of this (associated) organization, verified like a risk approval. */
  consent?: RiskApproval;
  source: SourceRef;
}

export interface DesiredRequest {
  ticket: TicketRef;
  requester?: string;
  confirmedType?: Sharing;
  /** Absent: the risk approval's quote must name the type. */
  typeConfirmation?: TypeConfirmation;
  riskApproval?: RiskApproval;
  /** Grandfathered record: accepted only while live state already equals the file. */
  legacy: boolean;
}

/** One managed organization, as declared in `orgs/*.yaml`. */
export interface DesiredOrg {
  /** Path relative to the config dir, with forward slashes. */
  file: string;
  id: number;
  name: string;
  sharing: Sharing;
  /**
   * null: a baseline file (sharing private, no request): it asserts that the organization
   * stays private; any change of its sharing needs a request (docs/drift-and-import.md, "Baseline files").
   */
  request: DesiredRequest | null;
  authorizedRequesters?: string[];
  userAccess: DesiredUserGrant[];
  partners: DesiredPartner[];
  restrictions: { hipaa: boolean; noSharing?: string };
  /** JSON-pointer-ish paths ("/request/risk_approval/quote") to source positions. */
  positions: Record<string, SourceRef>;
}

export interface DesiredState {
  orgs: DesiredOrg[];
  /** sha256 over the sorted (file, content) pairs of every input file incl. config. */
  hash: string;
}
