/**
 * Ticket metadata (handbook: "update the ticket metadata" before changing the
 * organization): finds the three fields by configured id or by title, and maps dropdown
 * option names to the tag values Zendesk expects.
 */
import type { TicketField, TicketEvidence } from '../model/observed.js';
import type { Policy, TicketFieldPolicy } from '../model/policy.js';
import type { Sharing } from '../model/sharing.js';

export interface FieldTarget {
  id: number;
  title: string;
  value: string | boolean;
}

export interface FieldResolution {
  targets: FieldTarget[];
  /** Configuration that does not match the account (missing field or option). */
  problems: string[];
}

export function findTicketField(spec: TicketFieldPolicy, fields: TicketField[]): TicketField | string {
  if (spec.id !== undefined) {
    return fields.find((f) => f.id === spec.id) ?? `ticket field ${spec.id} ("${spec.title}") does not exist in this Zendesk account`;
  }
  const want = spec.title.trim().toLowerCase();
  return (
    fields.find((f) => f.title === spec.title) ??
    fields.find((f) => f.title.trim().toLowerCase() === want) ??
    `no ticket field titled "${spec.title}" exists in this Zendesk account`
  );
}

/** The tag value of the option named `name` (an already-tag `name` is accepted too). */
export function optionValue(field: TicketField, name: string): string | { problem: string } {
  const lower = name.trim().toLowerCase();
  const opt =
    field.options.find((o) => o.name === name) ??
    field.options.find((o) => o.name.trim().toLowerCase() === lower) ??
    field.options.find((o) => o.value === name);
  if (opt) return opt.value;
  const names = field.options.map((o) => `"${o.name}"`).join(', ') || 'none';
  return { problem: `ticket field "${field.title}" (${field.id}) has no option "${name}" (options: ${names})` };
}

/**
 * Target values for a change to `to`. "Confirm security risk" is ticked only for widening
 * changes: a narrowing type change (read_write → read_only) carries no risk approval.
 */
export function resolveTicketFields(
  policy: Policy,
  fields: TicketField[],
  to: Exclude<Sharing, 'private'>,
  widening: boolean,
): FieldResolution {
  const out: FieldResolution = { targets: [], problems: [] };
  const spec = policy.ticketFields;
  const dropdown = (fieldSpec: TicketFieldPolicy, name: string) => {
    const field = findTicketField(fieldSpec, fields);
    if (typeof field === 'string') return void out.problems.push(field);
    const value = optionValue(field, name);
    if (typeof value === 'string') out.targets.push({ id: field.id, title: field.title, value });
    else out.problems.push(value.problem);
  };
  dropdown(spec.problemType, spec.problemType.value);
  dropdown(spec.sharedOrgType, spec.sharedOrgType.values[to]);
  if (widening) {
    const field = findTicketField(spec.confirmRisk, fields);
    if (typeof field === 'string') out.problems.push(field);
    else out.targets.push({ id: field.id, title: field.title, value: true });
  }
  return out;
}

/** True when the ticket's current value of the field already equals the target. */
export function fieldIsSet(evidence: TicketEvidence | undefined, target: FieldTarget): boolean {
  const current = evidence?.ticket?.customFields.find((f) => f.id === target.id)?.value;
  if (typeof target.value === 'boolean') return current === target.value || current === String(target.value);
  return current === target.value;
}
