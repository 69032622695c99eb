/**
 * action.yml's orgshare step, run as GitHub would run it: its bash script with the env its
 * `env:` block maps from the action's inputs, against the sandbox over real HTTP, with the
 * built CLIs. Shows that apply runs only a saved plan with the reviewed fingerprint.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { planFingerprint } from '../../src/plan/saved.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configDir, FILES, removeConfigDirs, sandboxEnv } from '../apply/helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli.js');
const GITHUB = join(ROOT, 'dist/src/github/cli.js');

interface ActionStep {
  id?: string;
  env?: Record<string, string>;
  run?: string;
}
const actionYml = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
  runs: { steps: ActionStep[] };
};
const runStep = actionYml.runs.steps.find((s) => s.id === 'run')!;

/** The step's env with `${{ inputs.x }}` and `${{ steps.tool.outputs.x }}` resolved; anything else is an error. */
function stepEnv(inputs: Record<string, string>, tool: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, expr] of Object.entries(runStep.env ?? {})) {
    const input = /^\$\{\{ inputs\.([a-z-]+) \}\}$/.exec(expr);
    const output = /^\$\{\{ steps\.tool\.outputs\.([a-z]+) \}\}$/.exec(expr);
    if (input) {
      const fallback = actionYml.inputs[input[1]!]?.default ?? '';
      out[name] = inputs[input[1]!] ?? (fallback.startsWith('${{') ? '' : fallback);
    } else if (output) out[name] = tool[output[1]!]!;
    else throw new Error(`unexpected expression in action.yml run step env: ${name}: ${expr}`);
  }
  return out;
}

let sb: Sandbox;
let tmp: string;

beforeAll(async () => {
  if (!existsSync(GITHUB)) throw new Error('run `npm run build` first (npm test does)');
  sb = await startSandbox({ port: 0 });
  tmp = mkdtempSync(join(tmpdir(), 'orgshare-action-'));
});
afterEach(() => sb.reset());
afterAll(async () => {
  await sb.close();
  await removeConfigDirs();
  rmSync(tmp, { recursive: true, force: true });
});

/**
 * Runs the action's orgshare step; returns its outputs ($GITHUB_OUTPUT) and log. Async:
 * the sandbox answers from this process's event loop.
 */
async function runAction(
  inputs: Record<string, string>,
  tool: Record<string, string> = { cli: CLI, github: GITHUB },
): Promise<{ outputs: Record<string, string>; log: string }> {
  const outputFile = join(tmp, `output-${Math.random().toString(36).slice(2)}`);
  const { zendeskEnv, ...rest } = { zendeskEnv: sandboxEnv(sb), ...inputs };
  const child = spawn('bash', ['-c', runStep.run!], {
    env: {
      // sandboxEnv's pinned clock (ORGSHARE_NOW) and TZ; its Zendesk variables are replaced
      // by what the step maps from the inputs below.
      ...zendeskEnv,
      RUNNER_TEMP: tmp,
      GITHUB_OUTPUT: outputFile,
      ...stepEnv({
        'zendesk-api-url': zendeskEnv.ZENDESK_API_URL!,
        'zendesk-subdomain': zendeskEnv.ZENDESK_SUBDOMAIN!,
        'zendesk-email': zendeskEnv.ZENDESK_EMAIL!,
        'zendesk-api-token': zendeskEnv.ZENDESK_API_TOKEN!,
        ...rest,
      }, tool),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));

  expect(status, log).toBe(0);
  const outputs = Object.fromEntries(
    (existsSync(outputFile) ? readFileSync(outputFile, 'utf8') : '')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { outputs, log };
}

// Child processes (bash, node, npm) on a shared CI machine: a generous guard, not a measure.
describe('action.yml: the orgshare step', { timeout: 120_000 }, () => {
  it('plan saves the plan file and outputs its fingerprint and exit code; apply of that file with that fingerprint writes', async () => {
    const dir = await configDir({ acme: FILES.acme });
    const planFile = join(tmp, 'plan.json');
    const plan = await runAction({ command: 'plan', dir, 'plan-file': planFile });
    expect(plan.outputs['exit-code']).toBe('2');
    expect(plan.outputs.fingerprint).toBe(planFingerprint(JSON.parse(readFileSync(planFile, 'utf8'))));
    expect(readFileSync(plan.outputs.report!, 'utf8')).toContain('Acme Corp');
    expect(sb.writes()).toEqual([]);

    const apply = await runAction({ command: 'apply', dir, 'plan-file': planFile, 'plan-fingerprint': plan.outputs.fingerprint! });
    expect(apply.outputs['exit-code'], apply.log).toBe('0');
    expect(sb.writes().length).toBeGreaterThan(0);
  });

  it('apply without a plan file is refused before orgshare runs: nothing written', async () => {
    const dir = await configDir({ acme: FILES.acme });
    const apply = await runAction({ command: 'apply', dir });
    expect(apply.outputs['exit-code']).toBe('1');
    expect(apply.log).toContain('::error title=orgshare action::apply needs plan-file');
    expect(sb.log()).toEqual([]);
  });

  it('apply of a plan file whose fingerprint is not the reviewed one is refused: nothing written', async () => {
    const dir = await configDir({ acme: FILES.acme });
    const planFile = join(tmp, 'plan-other.json');
    expect((await runAction({ command: 'plan', dir, 'plan-file': planFile })).outputs['exit-code']).toBe('2');
    sb.reset();
    const reviewed = `sha256:${'0'.repeat(64)}`;
    const apply = await runAction({ command: 'apply', dir, 'plan-file': planFile, 'plan-fingerprint': reviewed });
    expect(apply.outputs['exit-code']).toBe('1');
    expect(apply.log).toContain(`not the reviewed ${reviewed}`);
    expect(sb.log()).toEqual([]);
  });

  it('validate gets no Zendesk credentials; plan gets exactly the ones passed, empty inputs unset', async () => {
    const { writeFileSync } = await import('node:fs');
    const fake = join(tmp, 'print-env.mjs');
    writeFileSync(fake, 'console.log("ENV " + Object.keys(process.env).filter((k) => k.startsWith("ZENDESK_")).sort().join(","));\n');
    const tool = { cli: fake, github: GITHUB };
    const inputs = { dir: tmp, 'zendesk-oauth-token': 'oauth-secret', 'zendesk-api-token': 'api-secret' };
    const validate = await runAction({ command: 'validate', ...inputs }, tool);
    const report = (r: { outputs: Record<string, string> }) => readFileSync(r.outputs.report!, 'utf8').trim();
    expect(report(validate)).toBe('ENV ZENDESK_API_URL,ZENDESK_SUBDOMAIN');
    const plan = await runAction({ command: 'plan', ...inputs, 'zendesk-email': '' }, tool);
    expect(report(plan)).toBe('ENV ZENDESK_API_TOKEN,ZENDESK_API_URL,ZENDESK_OAUTH_TOKEN,ZENDESK_SUBDOMAIN');
  });

  it('runs history and review (read-only) with their reports', async () => {
    const dir = await configDir({ acme: FILES.acme });
    const review = await runAction({ command: 'review', dir, format: 'csv' });
    expect(review.outputs['exit-code'], review.log).toBe('0');
    expect(review.outputs.report).toMatch(/orgshare-review\.csv$/);
    expect(readFileSync(review.outputs.report!, 'utf8')).toContain('Acme Corp');
    const history = await runAction({ command: 'history', dir });
    expect(['0', '2'], history.log).toContain(history.outputs['exit-code']);
    expect(sb.writes()).toEqual([]);
  });

  it('an unknown command is refused with the list of accepted ones', async () => {
    const res = await runAction({ command: 'destroy', dir: tmp });
    expect(res.outputs['exit-code']).toBe('1');
    expect(res.log).toContain('command must be validate, plan, apply, drift, history or review');
  });
});
