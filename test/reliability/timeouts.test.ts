/**
 * Timeouts: requests the sandbox never answers (`hang`). The commands build their adapters
 * with the production per-request timeout (30 s, src/commands/pipeline.ts) and no option
 * shortens it, so this suite drives the same pieces the `apply` command does —
 * `makePlan` (src/commands/pipeline.ts) then `executePlan` (src/apply/execute.ts) — with a
 * writing adapter whose timeout is 150 ms. Plans are made before the faults are installed
 * (the planning adapter keeps its 30 s timeout); the apply phase then meets hangs on
 * reads, bulk updates, job polls, ticket metadata and comment PUTs, mixed with dropped
 * answers after the write landed. Afterwards the CLI (`apply --yes`, no faults) must
 * converge in one run, judged like convergence.test.ts.
 */
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executePlan } from '../../src/apply/execute.js';
import { makePlan } from '../../src/commands/pipeline.js';
import { createProgress } from '../../src/commands/progress.js';
import { parsePlan } from '../../src/plan/saved.js';
import { createAdapter } from '../../src/remote/adapter.js';
import { mulberry32, startSandbox, type FaultRule, type Sandbox } from '../../src/sandbox/index.js';
import { NOW, captureIo, cli, configDir, removeConfigDirs, sandboxEnv } from '../apply/helpers.js';
import { SOAK } from './arbitraries.js';
import { faultWorld } from './fault-world.js';
import { judgeState, judgeWrites, snapshot } from './sandbox-check.js';

const SCHEDULES = SOAK ? Number(process.env.SOAK_TIMEOUT_SCHEDULES ?? 40) : 4;
const BASE_SEED = Number(process.env.RELIABILITY_SEED ?? 1) + 1000;

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.close();
  await removeConfigDirs();
});

function shortTimeoutWriter() {
  return createAdapter({
    baseUrl: sb.baseUrl,
    subdomain: 'acme',
    auth: { kind: 'token', email: 'admin@acme.example', token: 'sandbox-token' },
    readOnly: false,
    rpm: 0,
    timeoutMs: 150,
    retryBaseMs: 10,
    jobPoll: { initialMs: 20, maxMs: 100, timeoutMs: 3_000 },
  });
}

function hangRules(seed: number): FaultRule[] {
  const rand = mulberry32(seed);
  return [
    { probability: 0.05 + rand() * 0.1, fault: { kind: 'hang' } },
    { probability: 0.1 + rand() * 0.2, match: { write: true }, fault: { kind: 'hang' } },
    { probability: 0.05 + rand() * 0.1, match: { write: true }, fault: { kind: 'drop', applied: true } },
    { probability: 0.02, fault: { kind: 'retryAfter', seconds: 0 } },
  ];
}

describe(`timeouts (hang) during apply: ${SCHEDULES} seeded schedules`, () => {
  for (let k = 0; k < SCHEDULES; k++) {
    const seed = BASE_SEED + k;
    it(`schedule ${seed}: two applies meeting hangs, then one clean apply converges`, async () => {
      const world = faultWorld(seed);
      sb.reset(world.seed);
      const dir = await configDir(world.files);
      const before = snapshot(sb);
      const out = join(dir, 'reference-plan.json');
      expect((await cli(sb, dir, ['plan', '--out', out])).code).toBe(2);
      const reference = parsePlan(await readFile(out, 'utf8'));
      sb.clearLog();

      const io = captureIo(sandboxEnv(sb));
      const global = { dir, format: 'text' as const, color: false };
      const timedOut: number[] = [];
      for (let round = 0; round < 2; round++) {
        sb.clearFaults();
        const planned = await makePlan(global, io, { allowLarge: false, progress: createProgress(io) });
        if (planned.plan.changes.length === 0) break;
        sb.setFaults(hangRules(seed * 7 + round), seed + round);
        const report = await executePlan(planned.plan, shortTimeoutWriter(), { now: NOW });
        expect(report.results.length).toBe(planned.plan.changes.length);
        timedOut.push(sb.log().filter((e) => e.fault === 'hang').length);
      }
      sb.clearFaults();

      const clean = await cli(sb, dir, ['apply', '--yes']);
      expect(clean.code, clean.stdout.slice(-2000)).toBe(0);
      const verdict = judgeState(sb, reference, before);
      expect(verdict.problems).toEqual([]);
      expect(judgeWrites(sb.log(), reference, before)).toEqual([]);
      expect((await cli(sb, dir, ['plan'])).code).toBe(0);
      expect(timedOut.at(-1) ?? 0, 'the schedule made requests time out').toBeGreaterThan(0);
      if (SOAK || process.env.RELIABILITY_VERBOSE) {
        console.log(`[soak] timeouts ${seed}: survived; ${timedOut.at(-1)} hung requests; ${reference.changes.length} changes`);
      }
    }, 60_000);
  }
});
