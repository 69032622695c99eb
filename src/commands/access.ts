/**
 * `orgshare access [--org ID…]`: the effective-access report (docs/access.md). Read-only adapter;
 * bulk reads only (src/access/observe.ts); never lists tickets (count endpoint).
 * Exit 0, or 1 when an id named with --org does not exist (the report still prints).
 */
import { computeAccess } from '../access/compute.js';
import { readAccess } from '../access/observe.js';
import { renderAccess } from '../access/render.js';
import { loadPolicyOnly, readOnlyRemote } from './pipeline.js';
import { parseOrgIds } from './import.js';
import { createProgress } from './progress.js';
import type { GlobalOptions, Io } from './context.js';

export interface AccessCommandOptions {
  org?: string[];
}

export async function run(global: GlobalOptions, opts: AccessCommandOptions, io: Io): Promise<number> {
  const orgIds = parseOrgIds(opts.org);
  const { adapter, account } = readOnlyRemote(io, await loadPolicyOnly(global, io));
  const progress = createProgress(io);
  try {
    const input = await readAccess(adapter, { orgIds, onProgress: (p) => progress.step(p.phase, p.done, p.total) });
    progress.done();
    const report = computeAccess(input.orgs, input.users, input.memberships, input.counts, {
      generatedAt: io.now().toISOString(),
      account,
      unlistedMembers: input.unlistedMembers,
    });
    io.stdout(renderAccess(report, global.format, { color: global.color }));
    if (input.missing.length > 0) {
      io.stderr(`Error: organization${input.missing.length === 1 ? '' : 's'} not found: ${input.missing.join(', ')}\n`);
      return 1;
    }
    return 0;
  } finally {
    progress.done();
  }
}

