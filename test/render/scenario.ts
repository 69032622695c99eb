/**
 * The representative plan rendered by the golden tests: the seed's three changes, a
 * partner domain for Acme Corp, and a blocked request for Soylent whose live notes deny
 * sharing and whose "approval" comment tries to break the PR comment it will be quoted in.
 */
import type { Plan } from '../../src/model/plan.js';
import { DEFAULT_RISK_MESSAGE } from '../../src/model/policy.js';
import { acmeFile, approval, hooliFile, ORG, orgFile, planFor, seedFiles, seedWorld, ticketRef } from '../plan/builders.js';
import { runStep } from '../plan/simulate.js';

export const HOSTILE_BODY = [
  'We accept the security risk | really </details> <script>alert(1)</script>',
  '```',
  '# not a heading',
  '- [x] @acme/security please **approve** [link](javascript:alert(1)) $x$',
  '\u001b[31mred\u001b[0m',
].join('\n');

export function representativePlan(): Plan {
  const w = seedWorld();
  w.user(2601, 'ceo@soylent.example', { orgs: [ORG.soylent] });
  w.ticket(6001, { org: ORG.soylent, requester: 2601 });
  w.comment(6001, { id: 60100, author: 2601, body: 'Please make Soylent a shared organization, read+write.' });
  w.comment(6001, { id: 60101, author: 1002, body: DEFAULT_RISK_MESSAGE });
  w.comment(6001, { id: 60110, author: 2601, body: HOSTILE_BODY });
  w.liveOrg(ORG.acme).domainNames = ['acme.example'];

  const files = seedFiles();
  const acme = files[0]!;
  acme.partners.push({
    domain: 'partnerco.example',
    ticket: ticketRef(4821),
    consent: approval('jane@acme.example', 90210),
    source: { file: acme.file, line: 30, col: 5 },
  });
  files.push(
    orgFile({
      file: 'orgs/soylent.yaml',
      id: ORG.soylent,
      name: 'Soylent',
      sharing: 'read_write',
      ticket: ticketRef(6001),
      requester: 'ceo@soylent.example',
      confirmedType: 'read_write',
      riskApproval: approval('ceo@soylent.example', 60110, 'We accept the security risk'),
    }),
  );
  return planFor(w, files);
}

/**
 * The three finish kinds: an apply stopped after every write but before the confirmation
 * comments of Acme's enable (`finish`), its partner domain (`partner_finish`) and Hooli's
 * user grant (`grant_finish`). Each plans only the comment and solve.
 */
export function finishPlan(): Plan {
  const w = seedWorld();
  const acme = acmeFile();
  acme.partners.push({
    domain: 'partnerco.example',
    ticket: ticketRef(4821),
    consent: approval('jane@acme.example', 90210),
    source: { file: acme.file, line: 30, col: 5 },
  });
  const files = [acme, hooliFile()];
  for (const c of planFor(w, files).changes) for (const s of c.steps) if (s.kind !== 'ticket_comment') runStep(w, s);
  return planFor(w, files);
}
