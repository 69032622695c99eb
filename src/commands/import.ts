/**
 * `orgshare import [--org ID…] [--shared] [--force]`: writes orgs/*.yaml from live state.
 * Reads Zendesk through a READ-ONLY adapter (the transport refuses any write) and writes
 * only files under `<dir>/orgs/`. Exit 0 when everything selected was written or is up to
 * date; 1 when an organization could not be imported (no Details history, not found) or
 * one named with --org was kept because its file exists (see src/importer/run.ts).
 */
import { UsageError } from '../errors.js';
import { loadPolicyOnly, readOnlyRemote } from './pipeline.js';
import { importFailed, runImport } from '../importer/run.js';
import { renderImport } from '../importer/render.js';
import { utcDate } from '../records/details.js';
import { createProgress } from './progress.js';
import type { GlobalOptions, Io } from './context.js';

export interface ImportCommandOptions {
  org?: string[];
  shared?: boolean;
  all?: boolean;
  force?: boolean;
}

/** Organization ids from --org: decimal, positive, safe integers. */
export function parseOrgIds(values: string[] | undefined, flag = '--org'): number[] {
  const ids: number[] = [];
  for (const raw of values ?? []) {
    for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
      const n = /^\d+$/.test(part) ? Number(part) : NaN;
      if (!Number.isSafeInteger(n) || n <= 0) {
        throw new UsageError(`${flag} expects organization ids, got ${JSON.stringify(part.slice(0, 40))}`, `e.g. ${flag} 360001234567`);
      }
      ids.push(n);
    }
  }
  return ids;
}

export async function run(global: GlobalOptions, opts: ImportCommandOptions, io: Io): Promise<number> {
  const orgIds = parseOrgIds(opts.org);
  if (orgIds.length === 0 && !opts.shared && !opts.all) {
    throw new UsageError('nothing to import: name organizations with --org, or use --shared or --all', 'e.g. orgshare import --all, or orgshare import --org 360001234567');
  }
  const policy = await loadPolicyOnly(global, io);
  const { adapter, account } = readOnlyRemote(io, policy);
  const progress = createProgress(io);
  const now = io.now();
  try {
    const report = await runImport(adapter, {
      dir: global.dir,
      orgIds,
      shared: Boolean(opts.shared),
      all: Boolean(opts.all),
      force: Boolean(opts.force),
      date: utcDate(now),
      generatedAt: now.toISOString(),
      subdomain: account.subdomain,
      ticketHosts: policy.ticketHosts,
      progress: (text) => progress.update(text),
    });
    progress.done();
    io.stdout(renderImport(report, global.format));
    return importFailed(report) ? 1 : 0;
  } finally {
    progress.done();
  }
}
