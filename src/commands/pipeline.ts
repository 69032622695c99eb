/**
 * The read side shared by `plan` and `apply`: load the config → read-only adapter →
 * observe → plan. Planning never writes: the adapter it uses is read-only in the
 * transport, so a bug here cannot turn into a write.
 */
import { loadConfig, loadPolicy } from '../config/load.js';
import { NOW_ENV, pinnedNow } from '../clock.js';
import { ConfigError, UsageError } from '../errors.js';
import type { DesiredState } from '../model/desired.js';
import type { Observed } from '../model/observed.js';
import type { Plan } from '../model/plan.js';
import type { Policy } from '../model/policy.js';
import { plan } from '../plan/plan.js';
import { readSet } from '../plan/reads.js';
import { createAdapter } from '../remote/adapter.js';
import { isLoopbackUrl, remoteOptionsFromEnv } from '../remote/env.js';
import { observeForPlan } from '../remote/observe.js';
import type { Adapter, RemoteOptions } from '../remote/types.js';
import type { GlobalOptions, Io } from './context.js';
import { stepObserve, type Progress } from './progress.js';

export interface Planned {
  desired: DesiredState;
  policy: Policy;
  observed: Observed;
  plan: Plan;
  /** The read-only adapter the plan was made with (its stats count the reads). */
  reader: Adapter;
}

export interface PlanningOptions {
  allowLarge: boolean;
  progress: Progress;
  /** Read who each widening change exposes (default true); apply's re-plan under the lock skips it. */
  exposure?: boolean;
}

/** Loads the config dir and throws ConfigError with every problem when it is invalid. */
export async function loadDesired(global: GlobalOptions, io: Io): Promise<{ desired: DesiredState; policy: Policy }> {
  const loaded = await loadConfig(global.dir, { env: io.env });
  if (loaded.problems.length > 0) throw new ConfigError(loaded.problems);
  return { desired: loaded.desired, policy: loaded.policy };
}

/** A read-only adapter for the account in the environment. */
export function readAdapter(io: Io, policy: Policy): Adapter {
  return readOnlyRemote(io, policy).adapter;
}

/** A read-only adapter and the account it talks to (for reports that name the account). */
export function readOnlyRemote(io: Io, policy: Policy): { adapter: Adapter; account: { subdomain: string | null; baseUrl: string } } {
  const remote = remoteOptionsFromEnv(io.env, { readOnly: true, rpm: policy.rpm });
  return { adapter: createAdapter(remote), account: { subdomain: remote.subdomain ?? policy.subdomain, baseUrl: remote.baseUrl } };
}

/**
 * Only the account policy (orgshare.config.yaml: request budget, subdomain), for commands
 * that read Zendesk but not orgs/ (import, access): broken org files do not stop them.
 */
export async function loadPolicyOnly(global: GlobalOptions, io: Io): Promise<Policy> {
  const { policy, problems } = await loadPolicy(global.dir, io.env);
  if (problems.length > 0) throw new ConfigError(problems);
  return policy;
}

/** The only place a writing adapter is made: `apply`, after the plan was accepted. */
export function writeAdapter(io: Io, policy: Policy, overrides: Partial<Pick<RemoteOptions, 'maxRetries'>> = {}): Adapter {
  const options = remoteOptionsFromEnv(io.env, { readOnly: false, rpm: policy.rpm });
  requireRealClock(io, options.baseUrl);
  return createAdapter({ ...options, ...overrides });
}

/**
 * A pinned clock (ORGSHARE_NOW, src/clock.ts) would date a real change wrongly: writes with
 * one go only to a sandbox on this machine. Apply checks it first, before any request.
 */
export function requireRealClock(io: Io, baseUrl?: string): void {
  const pinned = pinnedNow(io.env);
  if (pinned === null) return;
  const target = baseUrl ?? remoteOptionsFromEnv(io.env, { readOnly: false }).baseUrl;
  if (!isLoopbackUrl(target)) {
    throw new UsageError(
      `${NOW_ENV} pins the clock to ${pinned.toISOString()}: apply writes to ${target} only with the real clock; nothing was written`,
      `unset ${NOW_ENV} (it is meant for a sandbox on this machine) and run apply again`,
    );
  }
}

export async function makePlan(global: GlobalOptions, io: Io, opts: PlanningOptions): Promise<Planned> {
  const { desired, policy } = await loadDesired(global, io);
  const reader = readAdapter(io, policy);
  const now = io.now();
  // Exposure ("this change lets 37 users see 1,204 tickets") costs up to two reads per
  // widened organization, bounded by the blast radius; it never changes what apply does.
  const reads = (firstPass: Observed) => readSet(desired, firstPass, policy, { exposure: opts.exposure !== false, now });
  const observed = await observeForPlan(reader, desired, policy, reads, {
    onProgress: (e) => stepObserve(opts.progress, e),
  });
  opts.progress.done();
  const made = plan(desired, observed, policy, { now, allowLarge: opts.allowLarge });
  return { desired, policy, observed, plan: made, reader };
}
