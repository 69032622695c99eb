/**
 * The file formats as written (snake_case), i.e. what the shipped JSON Schemas accept.
 * Only values that passed schema validation are typed this way; mapping to the model
 * (src/model) happens in build.ts and policy.ts.
 */
import type { Sharing } from '../model/sharing.js';
import type { UserAccess } from '../model/desired.js';

export interface RawRiskApproval {
  approved_by: string;
  comment_id: number;
  quote: string;
}

export interface RawOrganization {
  organization: { id: number; name: string };
  sharing: Sharing;
  /** Absent only in a baseline file (sharing: private; the schema enforces it). */
  request?: {
    ticket: string;
    requester?: string;
    confirmed_type?: Sharing;
    type_confirmation?: { comment_id: number; quote: string };
    risk_approval?: RawRiskApproval;
    legacy?: boolean;
  };
  authorized_requesters?: string[];
  user_access?: { email: string; access: UserAccess; ticket: string; risk_approval?: RawRiskApproval }[];
  partners?: { domain: string; name?: string; ticket: string; consent?: RawRiskApproval }[];
  restrictions?: { hipaa?: boolean; no_sharing?: string };
}

export interface RawFieldRef {
  id?: number;
  title?: string;
}

export interface RawConfig {
  subdomain?: string;
  ticket_hosts?: string[];
  max_changes?: number;
  risk_message?: string;
  deny_patterns?: string[];
  type_words?: { read_only?: string[]; read_write?: string[] };
  ticket_fields?: {
    problem_type?: RawFieldRef & { value?: string };
    shared_org_type?: RawFieldRef & { values?: { read_only?: string; read_write?: string } };
    confirm_risk?: RawFieldRef;
  };
  comments?: { enabled?: string; disabled?: string };
  rpm?: number;
  reattest_after?: number;
}
