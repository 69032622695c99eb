import { DEFAULT_RISK_MESSAGE } from '../../src/model/policy.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DENY_PATTERNS } from '../../src/model/policy.js';
import type { Change } from '../../src/model/plan.js';
import { checkBlastRadius } from '../../src/policy/blast-radius.js';
import { checkDenyNote, compileDenyPatterns, findDenyNotes } from '../../src/policy/restrictions.js';
import { containsNormalized, normalizeText } from '../../src/records/normalize.js';
import { checkRiskApproved } from '../../src/policy/evidence.js';
import { seedWorld } from '../plan/builders.js';

describe('normalizeText', () => {
  it('straightens curly quotes, collapses whitespace and lowercases', () => {
    expect(normalizeText('  This WON’T  mean\n\t“those” ‘outside’ ')).toBe('this won\'t mean "those" \'outside\'');
  });
  it('containsNormalized needs a non-empty needle', () => {
    expect(containsNormalized('anything', '  ')).toBe(false);
    expect(containsNormalized('We  ACCEPT the risk', 'we accept')).toBe(true);
  });
});

describe('deny patterns', () => {
  const matcher = compileDenyPatterns(DEFAULT_DENY_PATTERNS);
  const denies = (text: string) => findDenyNotes({ notes: text, details: null }, matcher).length > 0;

  it.each([
    'Legal: we will not enable a shared organization for Soylent.',
    'We won’t enable shared org for them',
    'Do not share tickets across this org',
    'NEVER enable sharing here',
    'no shared org (security review 2024)',
    'This org should not be set up as shared',
  ])('denies: %s', (text) => expect(denies(text)).toBe(true));

  it.each([
    'Customer since 2019.',
    'Shared organization (Read only) enabled 2026-11-23 as per https://acme.zendesk.com/agent/tickets/4821',
    'Shared organization disabled 2026-11-23 as per https://acme.zendesk.com/agent/tickets/4900',
    'They will enable SSO next quarter.',
  ])('allows: %s', (text) => expect(denies(text)).toBe(false));

  it('compiles a pattern list once', () => {
    expect(compileDenyPatterns(DEFAULT_DENY_PATTERNS)).toBe(matcher);
  });

  it('fails closed on a pattern that does not compile', () => {
    const bad = compileDenyPatterns(['(unclosed']);
    const r = checkDenyNote('orgs/x.yaml', undefined, { id: 1, name: 'X', sharedTickets: false, sharedComments: false, details: null, notes: null, domainNames: [], updatedAt: '' }, bad);
    expect(r.status).toBe('fail');
    expect(r.message).toContain('/(unclosed/');
  });
});

describe('blast radius', () => {
  const change = (orgId: number, kind: Change['kind']) => ({ orgId, kind }) as Change;
  it('does not count finish changes (they change nobody’s access)', () => {
    const r = checkBlastRadius([change(1, 'enable'), change(2, 'finish'), change(3, 'finish')], 1, false);
    expect(r).toMatchObject({ status: 'pass', message: '1 change in 1 organization, within max_changes 1' });
  });
  it('counts user grants as changes, organizations separately', () => {
    const r = checkBlastRadius([change(1, 'user_grant'), change(1, 'user_grant'), change(1, 'enable')], 2, false);
    expect(r).toMatchObject({ status: 'fail', message: '3 changes in 1 organization: more than max_changes 2' });
  });
});

describe('risk approval ordering', () => {
  it('an approval in the same second as the risk message counts when its id is later', () => {
    const w = seedWorld();
    w.editComment(4821, 90210, { createdAt: w.observed.tickets.get(4821)!.comments.find((c) => c.id === 90201)!.createdAt });
    const ev = w.observed.tickets.get(4821)!;
    const risk = ev.comments.find((c) => c.id === 90201)!;
    const r = checkRiskApproved('request.risk_approval', { approvedBy: 'jane@acme.example', commentId: 90210, quote: 'we accept the security risk' }, 4821, ev, risk, w.observed, DEFAULT_RISK_MESSAGE);
    expect(r.result.status).toBe('pass');
  });
  it('lists every problem of one approval at once', () => {
    const w = seedWorld();
    w.editComment(4821, 90210, { public: false, authorId: 1002, body: 'ok', createdAt: '2020-01-01T00:00:00Z' });
    const ev = w.observed.tickets.get(4821)!;
    const risk = ev.comments.find((c) => c.id === 90201)!;
    const r = checkRiskApproved('request.risk_approval', { approvedBy: 'jane@acme.example', commentId: 90210, quote: 'we accept the security risk' }, 4821, ev, risk, w.observed, DEFAULT_RISK_MESSAGE);
    expect(r.result.message.split('; ')).toHaveLength(4);
  });
});
