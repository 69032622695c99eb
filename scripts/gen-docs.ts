/** `npm run docs`: regenerates the schema reference docs (see src/docs/schema-doc.ts). */
import { writeFileSync } from 'node:fs';
import { GENERATED_DOCS, schemaMarkdown } from '../src/docs/schema-doc.js';

for (const doc of GENERATED_DOCS) {
  writeFileSync(doc.out, schemaMarkdown(doc.schema, doc.heading, doc.intro));
  console.log(`wrote ${doc.out}`);
}
