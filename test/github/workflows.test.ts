/**
 * The workflows in .github/workflows: valid against our hand-written subset of GitHub's
 * workflow schema, and true to our policy (pinned actions, least privilege, secrets only
 * where used, apply gated by an environment and serialized, commands that exist in the CLIs).
 */
import { Ajv } from 'ajv';
import type { Command } from 'commander';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import type { Io } from '../../src/commands/context.js';
import { buildGithubProgram } from '../../src/github/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKFLOWS = join(ROOT, '.github/workflows');
const schema = JSON.parse(readFileSync(new URL('./workflow.schema.json', import.meta.url), 'utf8')) as object;

/**
 * Action pins verified against the actions' own git tags (tag → commit). Bumping an action
 * means re-verifying and updating this table: the test fails on any other SHA or version.
 */
const VERIFIED_PINS: Record<string, { sha: string; version: string }> = {
  'actions/checkout': { sha: '11bd71901bbe5b1630ceea73d27597364c9af683', version: 'v4.2.2' },
  'actions/setup-node': { sha: '49933ea5288caeca8642d1e84afbd3f7d6820020', version: 'v4.4.0' },
};

/** Least privilege, exactly: any new scope must be argued for here. */
const EXPECTED_JOB_PERMISSIONS: Record<string, Record<string, Record<string, string>>> = {
  'ci.yml': { test: { contents: 'read' } },
  'plan.yml': { plan: { contents: 'read', 'pull-requests': 'write' } },
  'apply.yml': { preview: { contents: 'read' }, apply: { contents: 'read' } },
  'drift.yml': { drift: { contents: 'read', issues: 'write' } },
};

const CONFIG_PATHS = ['orgs/**', 'schema/**', 'orgshare.config.yaml'];

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  'continue-on-error'?: boolean;
}
interface Job {
  permissions?: Record<string, string>;
  environment?: string | { name: string };
  concurrency?: { group: string; 'cancel-in-progress'?: boolean | string };
  needs?: string | string[];
  if?: string;
  outputs?: Record<string, string>;
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions: unknown;
  env?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean | string };
  jobs: Record<string, Job>;
}

function load(file: string): { text: string; wf: Workflow } {
  const text = readFileSync(join(WORKFLOWS, file), 'utf8');
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  expect(doc.errors.map(String), `${file} must be valid YAML`).toEqual([]);
  expect(doc.warnings.map(String), `${file} YAML warnings`).toEqual([]);
  return { text, wf: doc.toJS() as Workflow };
}

const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
const all = () => files.map((file) => ({ file, ...load(file) }));
const steps = (wf: Workflow) => Object.entries(wf.jobs).flatMap(([job, j]) => j.steps.map((s) => ({ job, step: s })));

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  return ajv.compile(schema);
}

describe('workflow files', () => {
  it('are exactly ci, plan, apply and drift', () => {
    expect(files).toEqual(['apply.yml', 'ci.yml', 'drift.yml', 'plan.yml']);
  });

  it.each(files)('%s validates against the workflow schema', (file) => {
    const validate = validator();
    const ok = validate(load(file).wf);
    expect(validate.errors ?? [], `${file}: ${JSON.stringify(validate.errors, null, 2)}`).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema rejects the mistakes it exists to catch', () => {
    const validate = validator();
    const base = (): Workflow => ({
      name: 'x',
      on: { push: { branches: ['main'] } },
      permissions: {},
      jobs: { a: { 'runs-on': 'ubuntu-24.04', permissions: { contents: 'read' }, steps: [{ run: 'true' }] } as unknown as Job },
    });
    expect(validate(base())).toBe(true);
    const broken: [string, (wf: Workflow) => void][] = [
      ['tag-pinned action', (wf) => (wf.jobs.a!.steps = [{ uses: 'actions/checkout@v4' }])],
      ['short SHA', (wf) => (wf.jobs.a!.steps = [{ uses: 'actions/checkout@11bd719' }])],
      ['unknown step key', (wf) => (wf.jobs.a!.steps = [{ run: 'true', continue_on_error: true } as Step])],
      ['run and uses together', (wf) => (wf.jobs.a!.steps = [{ run: 'true', uses: `actions/checkout@${'a'.repeat(40)}` }])],
      ['with on a run step', (wf) => (wf.jobs.a!.steps = [{ run: 'true', with: { x: 1 } }])],
      ['unknown job key', (wf) => ((wf.jobs.a as unknown as Record<string, unknown>).permission = { contents: 'read' })],
      ['unknown permission scope', (wf) => (wf.permissions = { content: 'read' })],
      ['bad permission level', (wf) => (wf.permissions = { contents: 'admin' })],
      ['pull_request_target', (wf) => (wf.on = { pull_request_target: null })],
      ['unknown top-level key', (wf) => ((wf as unknown as Record<string, unknown>).job = {})],
      ['concurrency without group', (wf) => (wf.concurrency = { 'cancel-in-progress': false } as Workflow['concurrency'])],
      ['paths and paths-ignore together', (wf) => (wf.on = { push: { paths: ['orgs/**'], 'paths-ignore': ['docs/**'] } })],
      ['cron with four fields', (wf) => (wf.on = { schedule: [{ cron: '0 6 * *' }] })],
    ];
    for (const [what, breakIt] of broken) {
      const wf = base();
      breakIt(wf);
      expect(validate(wf), what).toBe(false);
    }
  });
});

describe('workflow policy', () => {
  it('pins every action to a verified full commit SHA with its version in a comment', () => {
    for (const { file, text } of all()) {
      const lines = text.split('\n').filter((l) => /^\s*(-\s+)?uses:/.test(l));
      expect(lines.length, `${file} uses actions`).toBeGreaterThan(0);
      for (const line of lines) {
        const m = /uses:\s*([^@\s]+)@([0-9a-f]{40})\s+#\s*(v\d+\.\d+\.\d+)\s*$/.exec(line);
        expect(m, `${file}: "${line.trim()}" must be owner/repo@<40-hex sha> # vX.Y.Z`).not.toBeNull();
        const [, action, sha, version] = m!;
        expect(VERIFIED_PINS[action!], `${file}: ${action} has no verified pin`).toBeDefined();
        expect({ sha, version }, `${file}: ${action}`).toEqual(VERIFIED_PINS[action!]);
      }
    }
  });

  it('grants no permission at the top level and exactly the needed ones per job', () => {
    for (const { file, wf } of all()) {
      expect(wf.permissions, `${file} top-level permissions`).toEqual({});
      const actual = Object.fromEntries(Object.entries(wf.jobs).map(([id, j]) => [id, j.permissions]));
      expect(actual, `${file} job permissions`).toEqual(EXPECTED_JOB_PERMISSIONS[file]);
    }
  });

  it('never expands ${{ }} inside a shell script (script injection); values go through env', () => {
    for (const { file, wf } of all()) {
      for (const { job, step } of steps(wf)) {
        if (step.run) expect(step.run, `${file} ${job}: ${step.name}`).not.toContain('${{');
      }
    }
  });

  it('checks out without persisting the token in .git/config', () => {
    for (const { file, wf } of all()) {
      for (const { step } of steps(wf).filter(({ step }) => step.uses?.startsWith('actions/checkout@'))) {
        expect(step.with?.['persist-credentials'], file).toBe(false);
      }
    }
  });

  it('gives each secret only to the step that needs it: Zendesk tokens to orgshare, GITHUB_TOKEN to the GitHub helper', () => {
    for (const { file, wf } of all()) {
      expect(JSON.stringify(wf.env ?? {}), `${file} workflow env`).not.toMatch(/secrets\.|github\.token/);
      for (const [id, job] of Object.entries(wf.jobs)) {
        expect(JSON.stringify(job.env ?? {}), `${file} ${id} job env`).not.toMatch(/secrets\.|github\.token/);
      }
      for (const { job, step } of steps(wf)) {
        const env = JSON.stringify(step.env ?? {});
        if (/secrets\.ZENDESK/.test(env)) expect(step.run, `${file} ${job}: ${step.name}`).toMatch(/^(set \+e\n)?node dist\/src\/cli\.js (plan|apply|drift) /);
        if (/github\.token/.test(env)) expect(step.run, `${file} ${job}: ${step.name}`).toMatch(/^node dist\/src\/github\/cli\.js /);
        if (step.run && /node dist\/src\/cli\.js (plan|drift|apply)/.test(step.run)) expect(env).toMatch(/ZENDESK_API_TOKEN/);
      }
    }
  });

  it('uses the write token only in the apply step, and read-only credentials everywhere else', () => {
    for (const { file, wf } of all()) {
      for (const { job, step } of steps(wf)) {
        const token = step.env?.ZENDESK_API_TOKEN;
        if (!token) continue;
        const isApplyStep = file === 'apply.yml' && job === 'apply' && step.id === 'apply';
        expect(token, `${file} ${job}: ${step.name}`).toBe(isApplyStep ? '${{ secrets.ZENDESK_WRITE_TOKEN }}' : '${{ secrets.ZENDESK_READ_TOKEN }}');
        if (isApplyStep) expect(step.run).toContain('node dist/src/cli.js apply --yes --format markdown');
        else expect(step.run).not.toMatch(/cli\.js apply/);
      }
    }
  });

  it('apply: only on push to main, in a protected environment, one run at a time, never cancelled', () => {
    const { wf } = load('apply.yml');
    expect(Object.keys(wf.on)).toEqual(['push']);
    expect(wf.on.push).toEqual({ branches: ['main'], paths: CONFIG_PATHS });
    expect(wf.concurrency).toEqual({ group: 'orgshare-apply', 'cancel-in-progress': false });
    const apply = wf.jobs.apply!;
    expect(apply.environment).toBe('zendesk-production');
    expect(apply.needs).toBe('preview');
    expect(apply.if).toBe("needs.preview.outputs.plan-exit-code == '2'");
    const ids = apply.steps.map((s) => s.id).filter(Boolean);
    expect(ids).toEqual(['latest', 'apply']);
    expect(apply.steps.find((s) => s.id === 'apply')!.if).toBe("steps.latest.outputs.latest == 'true'");
    expect(wf.jobs.preview!.environment).toBeUndefined();
  });

  it('plan: on pull requests touching the configuration, never pull_request_target', () => {
    const { wf } = load('plan.yml');
    expect(wf.on).toEqual({ pull_request: { paths: CONFIG_PATHS } });
    const job = wf.jobs.plan!;
    const validate = job.steps.find((s) => s.id === 'validate')!;
    expect(validate.run).toBe('node dist/src/cli.js validate');
    expect(validate['continue-on-error']).toBe(true);
    const post = job.steps.find((s) => s.run?.includes('sticky-comment'))!;
    expect(post.if).toContain('!cancelled()');
    // The final gate: exit 2 passes, 1 (or a failed validate) fails the check.
    const gate = job.steps.at(-1)!;
    expect(gate.if).toContain("steps.validate.outcome == 'failure'");
    expect(gate.if).toContain("steps.plan.outputs.exit-code != '0' && steps.plan.outputs.exit-code != '2'");
  });

  it('drift: daily schedule plus manual dispatch, serialized', () => {
    const { wf } = load('drift.yml');
    expect(Object.keys(wf.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect((wf.on.schedule as { cron: string }[])[0]!.cron).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(wf.concurrency?.['cancel-in-progress']).toBe(false);
  });

  it('ci: npm ci then npm test on Node 20, like .ci/run', () => {
    const { wf } = load('ci.yml');
    expect(Object.keys(wf.on).sort()).toEqual(['pull_request', 'push']);
    const job = wf.jobs.test!;
    expect(job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))!.with?.['node-version']).toBe('20');
    expect(job.steps.filter((s) => s.run).map((s) => s.run)).toEqual(['npm ci --no-audit --no-fund', 'npm test']);
    const ciRun = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    expect(ciRun).toContain('npm ci --no-audit --no-fund');
    expect(ciRun).toMatch(/^npm test$/m);
  });

  it('captures each orgshare exit code instead of letting the shell stop at it', () => {
    for (const { file, wf } of all()) {
      for (const { job, step } of steps(wf)) {
        const m = step.run ? /node dist\/src\/cli\.js (plan|drift|apply) (.*) > (\S+)/.exec(step.run) : null;
        if (!m) continue;
        expect(step.id, `${file} ${job}`).toBeDefined();
        expect(step.run, `${file} ${job}`).toBe(`set +e\nnode dist/src/cli.js ${m[1]} ${m[2]} > ${m[3]}\necho "exit-code=$?" >> "$GITHUB_OUTPUT"\n`);
      }
    }
  });
});

describe('commands the workflows run exist in the CLIs', () => {
  const io: Io = { stdout: () => {}, stderr: () => {}, stderrIsTTY: false, stdinIsTTY: false, env: {}, now: () => new Date() };
  const flags = (cmd: Command) => cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f)));

  /** Every `node dist/src/…/cli.js <command> --flags` line in every run script. */
  function invocations(entry: string): { file: string; command: string; args: string[] }[] {
    const out: { file: string; command: string; args: string[] }[] = [];
    for (const { file, wf } of all()) {
      for (const { step } of steps(wf)) {
        for (const line of (step.run ?? '').split('\n')) {
          const idx = line.indexOf(`node ${entry} `);
          if (idx < 0) continue;
          const words = line.slice(idx + `node ${entry} `.length).split('>')[0]!.trim().split(/\s+/);
          out.push({ file, command: words[0]!, args: words.slice(1) });
        }
      }
    }
    return out;
  }

  it('orgshare: commands and options exist (the contract: validate, plan, apply, drift)', () => {
    const program = buildProgram(io, () => {});
    const calls = invocations('dist/src/cli.js');
    expect(new Set(calls.map((c) => c.command))).toEqual(new Set(['validate', 'plan', 'apply', 'drift']));
    for (const call of calls) {
      const cmd = program.commands.find((c) => c.name() === call.command);
      expect(cmd, `${call.file}: orgshare ${call.command}`).toBeDefined();
      const known = [...flags(cmd!), ...flags(program)];
      for (const arg of call.args.filter((a) => a.startsWith('-'))) expect(known, `${call.file}: orgshare ${call.command} ${arg}`).toContain(arg);
      const format = call.args.indexOf('--format');
      if (format >= 0) expect(call.args[format + 1]).toBe('markdown');
    }
  });

  it('GitHub helper: subcommands exist and get their required options', () => {
    const program = buildGithubProgram(io);
    const calls = invocations('dist/src/github/cli.js');
    expect(new Set(calls.map((c) => c.command))).toEqual(new Set(['sticky-comment', 'drift-issue', 'summary', 'check-latest']));
    for (const call of calls) {
      const cmd = program.commands.find((c) => c.name() === call.command);
      expect(cmd, `${call.file}: ${call.command}`).toBeDefined();
      for (const arg of call.args.filter((a) => a.startsWith('--'))) expect(flags(cmd!), `${call.file}: ${call.command} ${arg}`).toContain(arg);
      for (const required of cmd!.options.filter((o) => o.mandatory)) {
        expect(call.args, `${call.file}: ${call.command} needs ${required.long}`).toContain(required.long);
      }
    }
  });
});
