import { describe, expect, it } from 'vitest';
import { RemoteError } from '../../src/errors.js';
import {
  auditFromZendesk,
  auditTouchesSharing,
  bulkResultsFromJob,
  commentFromZendesk,
  countFromZendesk,
  jobStatusFromZendesk,
  membershipFromZendesk,
  orgFromZendesk,
  orgUpdateToZendesk,
  ticketFieldFromZendesk,
  ticketFromZendesk,
  ticketUpdateToZendesk,
  userFromZendesk,
  userUpdateToZendesk,
} from '../../src/remote/mapping.js';

// Shapes as Zendesk answers them (the 14 organization keys of a real response).
const ORG = {
  url: 'https://acme.zendesk.com/api/v2/organizations/360000000102.json',
  id: 360000000102,
  name: 'Globex',
  shared_tickets: true,
  shared_comments: true,
  external_id: null,
  created_at: '2019-01-01T00:00:00Z',
  updated_at: '2024-03-02T08:30:01Z',
  domain_names: ['globex.example'],
  details: 'Shared organization (read+write) enabled 2024-03-02 as per https://acme.zendesk.com/agent/tickets/3100',
  notes: null,
  group_id: null,
  tags: [],
  organization_fields: {},
};

describe('organizations', () => {
  it('maps a full Zendesk organization to the model', () => {
    expect(orgFromZendesk(ORG)).toEqual({
      id: 360000000102,
      name: 'Globex',
      sharedTickets: true,
      sharedComments: true,
      details: ORG.details,
      notes: null,
      domainNames: ['globex.example'],
      updatedAt: '2024-03-02T08:30:01Z',
    });
  });

  it('reads a missing shared_comments as false but refuses a missing shared_tickets', () => {
    const { shared_comments: _c, ...noComments } = ORG;
    expect(orgFromZendesk(noComments).sharedComments).toBe(false);
    const { shared_tickets: _t, ...noTickets } = ORG;
    expect(() => orgFromZendesk(noTickets)).toThrow(RemoteError);
  });

  it('refuses a response without a numeric id rather than guessing', () => {
    expect(() => orgFromZendesk({ ...ORG, id: null })).toThrow(/unexpected organization/);
    expect(() => orgFromZendesk('nope')).toThrow(RemoteError);
  });

  it('builds an update_many item with only the fields given, domain_names as a full list', () => {
    expect(orgUpdateToZendesk({ id: 7, sharedTickets: true, sharedComments: false, details: 'a\nb' })).toEqual({
      id: 7,
      shared_tickets: true,
      shared_comments: false,
      details: 'a\nb',
    });
    expect(orgUpdateToZendesk({ id: 7, domainNames: ['x.example', 'y.example'] })).toEqual({ id: 7, domain_names: ['x.example', 'y.example'] });
  });
});

describe('users and memberships', () => {
  const USER = {
    id: 2001,
    email: 'jane@acme.example',
    name: 'Jane Cooper',
    role: 'end-user',
    organization_id: 360000000101,
    ticket_restriction: 'requested',
    notes: null,
    details: '',
    suspended: false,
    updated_at: '2024-01-15T09:00:12Z',
  };

  it('maps a user', () => {
    expect(userFromZendesk(USER)).toEqual({
      id: 2001,
      email: 'jane@acme.example',
      name: 'Jane Cooper',
      role: 'end-user',
      organizationId: 360000000101,
      ticketRestriction: 'requested',
      notes: null,
      details: '',
      suspended: false,
      updatedAt: '2024-01-15T09:00:12Z',
    });
  });

  it('keeps a null ticket_restriction (admins) and rejects an unknown one or an unknown role', () => {
    expect(userFromZendesk({ ...USER, role: 'admin', ticket_restriction: null }).ticketRestriction).toBeNull();
    expect(() => userFromZendesk({ ...USER, ticket_restriction: 'everything' })).toThrow(/ticket_restriction/);
    expect(() => userFromZendesk({ ...USER, role: 'owner' })).toThrow(/role/);
  });

  it('maps a membership and a user update', () => {
    expect(membershipFromZendesk({ id: 9, user_id: 2501, organization_id: 360000000102, default: false, view_tickets: false })).toEqual({
      id: 9,
      userId: 2501,
      organizationId: 360000000102,
      default: false,
    });
    expect(userUpdateToZendesk({ id: 2401, ticketRestriction: 'organization', notes: 'n' })).toEqual({
      id: 2401,
      ticket_restriction: 'organization',
      notes: 'n',
    });
  });
});

describe('tickets, comments, fields', () => {
  it('maps a ticket with custom field values of any JSON type', () => {
    const t = ticketFromZendesk({
      id: 4821,
      organization_id: 360000000101,
      requester_id: 2001,
      status: 'open',
      updated_at: '2024-03-02T08:00:08Z',
      custom_fields: [
        { id: 7001, value: 'support_ops_shared_organization_requests' },
        { id: 7003, value: true },
        { id: 7004, value: ['a', 'b'] },
        { id: 7005 },
      ],
    });
    expect(t).toEqual({
      id: 4821,
      organizationId: 360000000101,
      requesterId: 2001,
      status: 'open',
      updatedAt: '2024-03-02T08:00:08Z',
      customFields: [
        { id: 7001, value: 'support_ops_shared_organization_requests' },
        { id: 7003, value: true },
        { id: 7004, value: ['a', 'b'] },
        { id: 7005, value: null },
      ],
    });
  });

  it('rejects a ticket status outside Zendesk’s six', () => {
    expect(() => ticketFromZendesk({ id: 1, requester_id: 2, status: 'deleted' })).toThrow(/status/);
  });

  it('maps a comment, falling back to plain_body', () => {
    expect(commentFromZendesk({ id: 90210, author_id: 2001, body: 'We accept', public: true, created_at: 't' })).toEqual({
      id: 90210,
      authorId: 2001,
      body: 'We accept',
      public: true,
      createdAt: 't',
    });
    expect(commentFromZendesk({ id: 1, author_id: 2, plain_body: 'plain', public: false, created_at: 't' }).body).toBe('plain');
  });

  it('keeps dropdown options as name → tag value', () => {
    expect(
      ticketFieldFromZendesk({
        id: 7002,
        title: 'Shared Org type',
        type: 'tagger',
        custom_field_options: [
          { id: 1, name: 'Read only', raw_name: 'Read only', value: 'shared_org_read_only', default: false },
          { id: 2, name: 'Read+write', raw_name: 'Read+write', value: 'shared_org_read_write', default: false },
        ],
      }),
    ).toEqual({
      id: 7002,
      title: 'Shared Org type',
      type: 'tagger',
      options: [
        { name: 'Read only', value: 'shared_org_read_only' },
        { name: 'Read+write', value: 'shared_org_read_write' },
      ],
    });
    expect(ticketFieldFromZendesk({ id: 7003, title: 'Confirm security risk', type: 'checkbox' }).options).toEqual([]);
  });

  it('builds a ticket update body with fields, comment and status together', () => {
    expect(
      ticketUpdateToZendesk({
        customFields: [{ id: 7003, value: true }],
        comment: { body: 'Done', public: true },
        status: 'solved',
      }),
    ).toEqual({ ticket: { custom_fields: [{ id: 7003, value: true }], comment: { body: 'Done', public: true }, status: 'solved' } });
    expect(ticketUpdateToZendesk({ customFields: [] })).toEqual({ ticket: { custom_fields: [] } });
  });
});

describe('bulk jobs', () => {
  it('maps results by id, whatever their order, and failures with their error and details', () => {
    const job = jobStatusFromZendesk({
      job_status: {
        id: 'abc',
        status: 'completed',
        message: 'Completed at …',
        results: [
          { id: 3, action: 'update', success: false, error: 'RecordInvalid', details: 'Shared comments: needs shared tickets' },
          { id: 1, action: 'update', status: 'Updated', success: true },
          { id: 2, action: 'update', status: 'Updated', success: true },
        ],
      },
    });
    expect(bulkResultsFromJob(job, [1, 2, 3])).toEqual([
      { id: 1, success: true },
      { id: 2, success: true },
      { id: 3, success: false, error: 'RecordInvalid: Shared comments: needs shared tickets' },
    ]);
  });

  it('matches results that carry only an index to the item sent at that position', () => {
    const job = jobStatusFromZendesk({
      job_status: { id: 'x', status: 'completed', results: [{ index: 1, error: 'PermissionDenied' }, { index: 0, status: 'Updated' }] },
    });
    expect(bulkResultsFromJob(job, [10, 20])).toEqual([
      { id: 10, success: true },
      { id: 20, success: false, error: 'PermissionDenied' },
    ]);
  });

  it('reports items a failed job never reached as failures carrying the job message', () => {
    const job = jobStatusFromZendesk({ job_status: { id: 'x', status: 'failed', message: 'Internal error', results: [{ id: 1, success: true }] } });
    expect(bulkResultsFromJob(job, [1, 2])).toEqual([
      { id: 1, success: true },
      { id: 2, success: false, error: 'job failed: Internal error' },
    ]);
    const silent = jobStatusFromZendesk({ job_status: { id: 'y', status: 'completed', results: [] } });
    expect(bulkResultsFromJob(silent, [5])).toEqual([{ id: 5, success: false, error: 'not reported by the job' }]);
  });

  it('rejects an unknown job status', () => {
    expect(() => jobStatusFromZendesk({ job_status: { id: 'z', status: 'exploded' } })).toThrow(RemoteError);
  });
});

describe('counts and audit logs', () => {
  it('reads both count shapes', () => {
    expect(countFromZendesk({ count: { value: 12, refreshed_at: 't' } })).toBe(12);
    expect(countFromZendesk({ count: 3 })).toBe(3);
    expect(() => countFromZendesk({ count: 'many' })).toThrow(RemoteError);
  });

  it('recognises sharing changes in audit descriptions and maps the actor', () => {
    const entry = { actor_id: 1002, actor_name: 'Sam', created_at: '2024-05-01T00:00:00Z', change_description: 'Shared tickets changed from false to true' };
    expect(auditTouchesSharing(entry)).toBe(true);
    expect(auditTouchesSharing({ ...entry, change_description: 'Notes changed from empty to "x"' })).toBe(false);
    expect(auditFromZendesk(entry)).toEqual({ actorId: 1002, actorName: 'Sam', at: '2024-05-01T00:00:00Z' });
  });
});
