/**
 * The shared sandbox world (docs/dev/TEAM-BRIEF.md, "The shared sandbox world"): the
 * account every demo, example file in orgs/ and behaviour test starts from. Data only.
 * Seed files given with `orgshare sandbox --seed FILE` use this same shape.
 */
import type { SeedData } from './types.js';

/**
 * The support handbook's risk message as an agent sends it, written out here on purpose
 * and not taken from the client's defaults (src/model/policy.ts): the sandbox is the
 * world the client is checked against, so a wrong message in the client must be able to
 * fail a test.
 */
const HANDBOOK_RISK_MESSAGE =
  'Please keep in mind that using a shared organization entails a potential security risk. ' +
  'Namely, if all users can view and comment on all tickets, that means the degree of privacy ' +
  'and security from separating the tickets is gone. This won’t mean those outside your ' +
  'organization can see your tickets, only those within your organization.';

const riskQuestion = `Happy to help. Before we proceed: ${HANDBOOK_RISK_MESSAGE} Could you confirm the type and that you approve this risk?`;

export const DEFAULT_SEED: SeedData = {
  account: {
    subdomain: 'acme',
    email: 'admin@acme.example',
    api_token: 'sandbox-token',
    oauth_token: 'sandbox-oauth-token',
    clock_start: '2024-01-15T09:00:00Z',
  },
  ticket_fields: [
    {
      id: 7001,
      title: 'Support Ops Problem Type',
      type: 'tagger',
      custom_field_options: [
        { id: 7001001, name: 'Shared organization requests', value: 'support_ops_shared_organization_requests' },
        { id: 7001002, name: 'Other', value: 'support_ops_other' },
      ],
    },
    {
      id: 7002,
      title: 'Shared Org type',
      type: 'tagger',
      custom_field_options: [
        { id: 7002001, name: 'Read only', value: 'shared_org_read_only' },
        { id: 7002002, name: 'Read+write', value: 'shared_org_read_write' },
      ],
    },
    { id: 7003, title: 'Confirm security risk', type: 'checkbox' },
  ],
  organizations: [
    { id: 360000000101, name: 'Acme Corp', details: 'Customer since 2019.' },
    {
      id: 360000000102,
      name: 'Globex',
      shared_tickets: true,
      shared_comments: true,
      details: 'Shared organization (read+write) enabled 2024-03-02 as per https://acme.zendesk.com/agent/tickets/3100',
    },
    { id: 360000000103, name: 'Initech', shared_tickets: true, shared_comments: false },
    { id: 360000000104, name: 'Umbrella Health' },
    { id: 360000000105, name: 'Hooli' },
    { id: 360000000106, name: 'Soylent', notes: 'Legal: we will not enable a shared organization for Soylent.' },
  ],
  users: [
    { id: 1001, email: 'admin@acme.example', name: 'Acme Admin', role: 'admin', ticket_restriction: null },
    { id: 1002, email: 'sam@acme.example', name: 'Sam Support', role: 'agent', ticket_restriction: null },
    { id: 2001, email: 'jane@acme.example', name: 'Jane Cooper', role: 'end-user', organization_id: 360000000101, ticket_restriction: 'requested' },
    { id: 2002, email: 'bob@acme.example', name: 'Bob Stone', role: 'end-user', organization_id: 360000000101, ticket_restriction: 'requested' },
    { id: 2101, email: 'greta@globex.example', name: 'Greta Global', role: 'end-user', organization_id: 360000000102, ticket_restriction: 'requested' },
    { id: 2201, email: 'bill@initech.example', name: 'Bill Lumbergh', role: 'end-user', organization_id: 360000000103, ticket_restriction: 'requested' },
    { id: 2202, email: 'peter@initech.example', name: 'Peter Gibbons', role: 'end-user', organization_id: 360000000103, ticket_restriction: 'requested' },
    { id: 2301, email: 'nurse@umbrella.example', name: 'Nina Nurse', role: 'end-user', organization_id: 360000000104, ticket_restriction: 'requested' },
    { id: 2401, email: 'lead@hooli.example', name: 'Lee Lead', role: 'end-user', organization_id: 360000000105, ticket_restriction: 'requested' },
    { id: 2402, email: 'gavin@hooli.example', name: 'Gavin Belson', role: 'end-user', organization_id: 360000000105, ticket_restriction: 'requested' },
    { id: 2501, email: 'pat@partnerco.example', name: 'Pat Partner', role: 'end-user', organization_id: 360000000101, ticket_restriction: 'requested' },
  ],
  memberships: [
    { user_id: 2501, organization_id: 360000000101, default: true },
    { user_id: 2501, organization_id: 360000000102, default: false },
  ],
  tickets: [
    {
      id: 3100,
      subject: 'Shared organization for Globex',
      status: 'solved',
      organization_id: 360000000102,
      requester_id: 2101,
      assignee_id: 1002,
      created_at: '2024-03-01T09:55:00Z',
      updated_at: '2024-03-02T08:30:00Z',
      custom_fields: [
        { id: 7001, value: 'support_ops_shared_organization_requests' },
        { id: 7002, value: 'shared_org_read_write' },
        { id: 7003, value: true },
      ],
      comments: [
        {
          id: 31000,
          author_id: 2101,
          created_at: '2024-03-01T10:00:00Z',
          body: "Hello, could every Globex user see and comment on all of our organization's tickets? Read+write please.",
        },
        { id: 31001, author_id: 1002, created_at: '2024-03-01T11:00:00Z', body: riskQuestion },
        { id: 31010, author_id: 2101, created_at: '2024-03-02T08:00:00Z', body: 'Read+write please. We accept the security risk.' },
      ],
    },
    {
      id: 4821,
      subject: 'Shared organization for Acme Corp',
      status: 'open',
      organization_id: 360000000101,
      requester_id: 2001,
      comments: [
        {
          id: 90200,
          author_id: 2001,
          body: "Hi, we would like every Acme Corp user to see all of our organization's tickets. Read only please.",
        },
        { id: 90201, author_id: 1002, body: riskQuestion },
        { id: 90210, author_id: 2001, body: 'Confirmed: Read only. On behalf of Acme Corp we accept the security risk.' },
      ],
    },
    {
      id: 4900,
      subject: 'Disable shared organization for Initech',
      status: 'open',
      organization_id: 360000000103,
      requester_id: 2201,
      comments: [
        { id: 49000, author_id: 2201, body: 'Please disable the shared organization for Initech, we want private tickets again.' },
      ],
    },
    {
      id: 4950,
      subject: 'Keep Umbrella Health private',
      status: 'solved',
      organization_id: 360000000104,
      requester_id: 2301,
      comments: [{ id: 49500, author_id: 2301, body: 'Can our org be kept private?' }],
    },
    {
      id: 5010,
      subject: 'Access to all Hooli tickets for lead@hooli.example',
      status: 'open',
      organization_id: 360000000105,
      requester_id: 2402,
      comments: [
        { id: 50100, author_id: 2402, body: 'Please let lead@hooli.example see all Hooli tickets.' },
        { id: 50101, author_id: 1002, body: riskQuestion },
        { id: 50110, author_id: 2402, body: 'Yes, we accept the security risk for lead@hooli.example.' },
      ],
    },
  ],
};
