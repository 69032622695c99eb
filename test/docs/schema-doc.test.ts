import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_DOCS, schemaMarkdown } from '../../src/docs/schema-doc.js';

describe('generated file-format docs', () => {
  for (const doc of GENERATED_DOCS) {
    it(`${doc.out} is up to date with ${doc.schema} (run \`npm run docs\`)`, () => {
      expect(readFileSync(doc.out, 'utf8')).toBe(schemaMarkdown(doc.schema, doc.heading, doc.intro));
    });
  }

  it('documents every key of the contract example', () => {
    const text = readFileSync('docs/file-format.md', 'utf8');
    for (const key of ['organization.id', 'sharing', 'request.ticket', 'request.risk_approval.quote', 'request.legacy', 'user_access[].access', 'restrictions.hipaa', 'restrictions.no_sharing']) {
      expect(text).toContain(`\`${key}\``);
    }
  });
});
