/**
 * The YAML text of an imported organization file. Built with the yaml Document API so
 * key order, quoting and comments are the same on every run (golden-tested): the schema
 * modeline first, then a comment with the import date and the Details line used.
 */
import { Document, isScalar } from 'yaml';
import type { ImportRecord } from './build.js';

export interface YamlOptions {
  /** UTC date of the import (YYYY-MM-DD). */
  date: string;
  /** Path of the schema relative to the file's folder. */
  schemaPath?: string;
}

/** The plain data written (also used to compare with an existing file). */
export function importData(record: ImportRecord): Record<string, unknown> {
  const data: Record<string, unknown> = {
    organization: { id: record.orgId, name: record.orgName },
    sharing: record.sharing,
  };
  if (record.ticket !== null) {
    const request: Record<string, unknown> = { ticket: record.ticket };
    if (record.requester) request.requester = record.requester;
    request.legacy = true;
    data.request = request;
  }
  if (record.grants.length > 0) {
    data.user_access = record.grants.map((g) => ({ email: g.email, access: 'organization', ticket: g.ticket }));
  }
  return data;
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

export function renderImportYaml(record: ImportRecord, opts: YamlOptions): string {
  const doc = new Document(importData(record));
  const h = record.history;
  if (h === null) {
    doc.commentBefore = [
      ` yaml-language-server: $schema=${opts.schemaPath ?? '../schema/organization.schema.json'}`,
      ` Imported from Zendesk by \`orgshare import\` on ${opts.date}. A baseline file: the organization`,
      ' was never shared (no sharing line in its Details) and this file asserts that it stays',
      ' private. Sharing it later needs a request with the full evidence.',
    ].join('\n');
    return doc.toString({ lineWidth: 0 });
  }
  const header = [
    ` yaml-language-server: $schema=${opts.schemaPath ?? '../schema/organization.schema.json'}`,
    ` Imported from Zendesk by \`orgshare import\` on ${opts.date}. request.legacy: the approval`,
    ' predates orgshare; the file is accepted only while live Zendesk already matches it.',
    ` Last Details line (line ${h.line}): ${oneLine(h.text)}`,
    ...record.warnings.map((w) => ` WARNING: ${oneLine(w)}`),
  ];
  doc.commentBefore = header.join('\n');
  const ticket = doc.getIn(['request', 'ticket'], true);
  if (isScalar(ticket)) ticket.comment = ` ${h.action === 'enabled' ? `${h.type === 'read_write' ? 'read+write' : 'read only'} enabled` : 'disabled'} ${h.date}`;
  record.grants.forEach((g, i) => {
    if (g.ticketFrom !== 'organization') return;
    const node = doc.getIn(['user_access', i, 'ticket'], true);
    if (isScalar(node)) node.comment = ' the organization’s ticket: no grant ticket in the user’s notes';
  });
  return doc.toString({ lineWidth: 0 });
}
