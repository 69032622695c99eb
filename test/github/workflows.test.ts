/**
 * The workflows in .github/workflows and the action they run (action.yml), PARSED as YAML:
 * valid against our hand-written subset of GitHub's workflow schema, and true to our
 * policy (pinned actions, least privilege, secrets only where used, the tool from the base
 * branch on pull requests, apply gated by an environment, serialized, and applying only
 * the preview's saved plan, commands and action inputs that exist).
 */
import { Ajv } from 'ajv';
import type { Command } from 'commander';
import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import type { Io } from '../../src/commands/context.js';
import { buildGithubProgram } from '../../src/github/cli.js';
import { REPORT_KINDS } from '../../src/github/body.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKFLOWS = join(ROOT, '.github/workflows');
const schema = JSON.parse(readFileSync(new URL('./workflow.schema.json', import.meta.url), 'utf8')) as object;

/**
 * Action pins verified against the actions' own git tags (tag → commit). Bumping an action
 * means re-verifying and updating this table: the test fails on any other SHA or version.
 */
const VERIFIED_PINS: Record<string, { sha: string; version: string }> = {
  'actions/checkout': { sha: '3d3c42e5aac5ba805825da76410c181273ba90b1', version: 'v7.0.1' },
  'actions/setup-node': { sha: '820762786026740c76f36085b0efc47a31fe5020', version: 'v7.0.0' },
  'actions/upload-artifact': { sha: 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f', version: 'v7.0.0' },
  'actions/download-artifact': { sha: '3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c', version: 'v8.0.1' },
};

/** Least privilege, exactly: any new scope must be argued for here. */
const EXPECTED_JOB_PERMISSIONS: Record<string, Record<string, Record<string, string>>> = {
  'ci.yml': { test: { contents: 'read' }, action: { contents: 'read' } },
  'plan.yml': { fork: {}, plan: { contents: 'read', 'pull-requests': 'write' } },
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
  strategy?: { matrix: Record<string, unknown[]> };
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

function parse<T>(path: string): { text: string; wf: T } {
  const text = readFileSync(path, 'utf8');
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  expect(doc.errors.map(String), `${path} must be valid YAML`).toEqual([]);
  expect(doc.warnings.map(String), `${path} YAML warnings`).toEqual([]);
  return { text, wf: doc.toJS() as T };
}
const load = (file: string) => parse<Workflow>(join(WORKFLOWS, file));

interface ActionYml {
  name: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: (Step & { shell?: string })[] };
}
const action = () => parse<ActionYml>(join(ROOT, 'action.yml')).wf;

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

/** Steps that run this repository's action, with the command they give it. */
const actionSteps = (wf: Workflow) => steps(wf).filter(({ step }) => step.uses === './');
const withOf = (step: Step) => (step.with ?? {}) as Record<string, string>;

describe('workflow policy', () => {
  it('pins every action to a verified full commit SHA with its version in a comment (or runs the local action)', () => {
    const sources = [...all().map(({ file, text }) => ({ file, text })), { file: 'action.yml', text: readFileSync(join(ROOT, 'action.yml'), 'utf8') }];
    for (const { file, text } of sources) {
      const lines = text.split('\n').filter((l) => /^\s*(-\s+)?uses:/.test(l));
      for (const line of lines) {
        if (/uses:\s*\.\/\s*$/.test(line)) continue;
        const m = /uses:\s*([^@\s]+)@([0-9a-f]{40})\s+#\s*(v\d+\.\d+\.\d+)\s*$/.exec(line);
        expect(m, `${file}: "${line.trim()}" must be owner/repo@<40-hex sha> # vX.Y.Z`).not.toBeNull();
        const [, name, sha, version] = m!;
        expect(VERIFIED_PINS[name!], `${file}: ${name} has no verified pin`).toBeDefined();
        expect({ sha, version }, `${file}: ${name}`).toEqual(VERIFIED_PINS[name!]);
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
    for (const step of action().runs.steps) expect(step.run ?? '', `action.yml: ${step.name}`).not.toContain('${{');
  });

  it('checks out without persisting the token in .git/config', () => {
    for (const { file, wf } of all()) {
      for (const { step } of steps(wf).filter(({ step }) => step.uses?.startsWith('actions/checkout@'))) {
        expect(step.with?.['persist-credentials'], file).toBe(false);
      }
    }
  });

  it('gives secrets only to the action step that needs them, GITHUB_TOKEN only to the GitHub helper', () => {
    for (const { file, wf } of all()) {
      expect(JSON.stringify(wf.env ?? {}), `${file} workflow env`).not.toMatch(/secrets\.|github\.token/);
      for (const [id, job] of Object.entries(wf.jobs)) {
        expect(JSON.stringify(job.env ?? {}), `${file} ${id} job env`).not.toMatch(/secrets\.|github\.token/);
      }
      for (const { job, step } of steps(wf)) {
        const where = `${file} ${job}: ${step.name}`;
        expect(JSON.stringify(step.env ?? {}), where).not.toMatch(/secrets\./);
        if (/secrets\.ZENDESK/.test(JSON.stringify(step.with ?? {}))) {
          expect(step.uses, where).toBe('./');
          expect(withOf(step).command, where).toMatch(/^(plan|apply|drift|history|review)$/);
        }
        if (/github\.token/.test(JSON.stringify(step.env ?? {}))) expect(step.run, where).toMatch(/^node dist\/src\/github\/cli\.js /);
      }
    }
    // Inside the action: Zendesk credentials reach only the orgshare step, the GitHub token only the posting step.
    for (const step of action().runs.steps) {
      const env = JSON.stringify(step.env ?? {});
      if (/inputs\.zendesk-(api-token|oauth-token)/.test(env)) expect(step.id, `action.yml: ${step.name}`).toBe('run');
      if (/inputs\.github-token/.test(env)) expect(step.name).toBe('Post the report');
    }
  });

  it('the write token only in the environment-gated apply step; read-only (OAuth read scope first) everywhere else', () => {
    for (const { file, wf } of all()) {
      for (const [jobId, job] of Object.entries(wf.jobs)) {
        for (const step of job.steps) {
          const w = withOf(step);
          if (!w['zendesk-api-token'] && !w['zendesk-oauth-token']) continue;
          const where = `${file} ${jobId}: ${step.name}`;
          if (file === 'ci.yml') {
            expect(w['zendesk-api-url'], `${where}: CI talks to the sandbox only`).toBe('http://127.0.0.1:4010/api/v2');
            continue;
          }
          const isApply = file === 'apply.yml' && jobId === 'apply' && step.id === 'apply';
          if (isApply) {
            expect(job.environment, where).toBe('zendesk-production');
            expect(w['zendesk-api-token'], where).toBe('${{ secrets.ZENDESK_WRITE_TOKEN }}');
            expect(w['zendesk-oauth-token'], where).toBeUndefined();
          } else {
            expect(w.command, where).not.toBe('apply');
            expect(w['zendesk-oauth-token'], where).toBe('${{ secrets.ZENDESK_OAUTH_TOKEN }}');
            expect(w['zendesk-api-token'], where).toBe('${{ secrets.ZENDESK_READ_TOKEN }}');
          }
        }
      }
    }
  });

  it('apply: only on push to main, one run at a time, never cancelled, in a protected environment', () => {
    const { wf } = load('apply.yml');
    expect(Object.keys(wf.on)).toEqual(['push']);
    expect(wf.on.push).toEqual({ branches: ['main'], paths: CONFIG_PATHS });
    expect(wf.concurrency).toEqual({ group: 'orgshare-apply', 'cancel-in-progress': false });
    const apply = wf.jobs.apply!;
    expect(apply.environment).toBe('zendesk-production');
    expect(apply.needs).toBe('preview');
    expect(apply.if).toBe("needs.preview.outputs.plan-exit-code == '2'");
    expect(wf.jobs.preview!.environment).toBeUndefined();
    const latest = apply.steps.find((s) => s.id === 'latest')!;
    expect(latest.run).toContain('check-latest --branch main');
    for (const s of apply.steps.slice(apply.steps.indexOf(latest) + 1)) expect(s.if, `${s.name} waits for check-latest`).toBe("steps.latest.outputs.latest == 'true'");
  });

  it('apply: the apply job applies the plan file the preview saved, downloaded from its artifact, with the reviewed fingerprint', () => {
    const { wf } = load('apply.yml');
    const preview = wf.jobs.preview!;
    const apply = wf.jobs.apply!;
    // The preview plans with --out (plan-file), and uploads exactly that file.
    const plan = preview.steps.find((s) => s.uses === './' && withOf(s).command === 'plan')!;
    expect(plan, 'preview plans through the action').toBeDefined();
    const savedAt = withOf(plan)['plan-file']!;
    expect(savedAt).toMatch(/\.json$/);
    const upload = preview.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(withOf(upload).path).toBe(savedAt);
    expect(upload.if).toBe(`steps.${plan.id}.outputs.exit-code == '2'`);
    expect(preview.outputs).toEqual({
      'plan-exit-code': `\${{ steps.${plan.id}.outputs.exit-code }}`,
      'plan-fingerprint': `\${{ steps.${plan.id}.outputs.plan-fingerprint }}`,
    });
    // The apply job downloads that artifact and applies the file in it.
    const download = apply.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))!;
    expect(withOf(download).name).toBe(withOf(upload).name);
    expect(withOf(download)['digest-mismatch']).toBe('error');
    const applyStep = apply.steps.find((s) => s.id === 'apply')!;
    expect(applyStep.uses).toBe('./');
    expect(withOf(applyStep).command).toBe('apply');
    expect(withOf(applyStep)['plan-file']).toBe(posix.join(withOf(download).path!, posix.basename(savedAt)));
    expect(withOf(applyStep)['plan-fingerprint']).toBe('${{ needs.preview.outputs.plan-fingerprint }}');
    expect(apply.steps.indexOf(download)).toBeLessThan(apply.steps.indexOf(applyStep));
  });

  it('no workflow runs apply without a plan file, and the action refuses to', () => {
    for (const { file, wf } of all()) {
      for (const { job, step } of steps(wf)) {
        expect(step.run ?? '', `${file} ${job}: no apply in a shell step`).not.toMatch(/cli\.js\s+apply|orgshare\s+apply/);
        if (step.uses === './' && withOf(step).command === 'apply') expect(withOf(step)['plan-file'], `${file} ${job}`).toBeTruthy();
      }
    }
    const run = action().runs.steps.find((s) => s.id === 'run')!.run!;
    expect(run).toMatch(/apply\)\n\s+# Apply runs exactly the reviewed plan[^\n]*\n\s+if \[ -z "\$INPUT_PLAN_FILE" \]; then fail /);
  });

  it('drift: daily schedule plus manual dispatch, serialized in its own group (never apply\'s)', () => {
    const { wf } = load('drift.yml');
    expect(Object.keys(wf.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect((wf.on.schedule as { cron: string }[])[0]!.cron).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(wf.concurrency?.['cancel-in-progress']).toBe(false);
    expect(wf.concurrency?.group).not.toBe(load('apply.yml').wf.concurrency?.group);
    const drift = actionSteps(wf).find(({ step }) => withOf(step).command === 'drift');
    expect(drift, 'drift runs through the action, which maintains the drift issue').toBeDefined();
  });

  it('plan: the tool from the base branch, only orgs/ and orgshare.config.yaml from the pull request', () => {
    const { wf } = load('plan.yml');
    expect(wf.on).toEqual({ pull_request: { paths: CONFIG_PATHS } });
    const job = wf.jobs.plan!;
    const checkouts = job.steps.filter((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkouts).toHaveLength(2);
    const [tool, config] = checkouts as [Step, Step];
    expect(withOf(tool).ref).toBe('${{ github.event.pull_request.base.sha }}');
    expect(withOf(tool).path).toBeUndefined();
    expect(withOf(config).ref).toBe('${{ github.event.pull_request.head.sha }}');
    expect(withOf(config)['sparse-checkout']!.trim().split('\n')).toEqual(['orgs', 'orgshare.config.yaml']);
    expect(withOf(config)['sparse-checkout-cone-mode']).toBe(false);
    for (const { step } of actionSteps(wf)) expect(withOf(step).dir, step.name).toBe(withOf(config).path);
    expect(job.steps.some((s) => /npm|node /.test(s.run ?? ''))).toBe(false);
    const validate = job.steps.find((s) => s.id === 'validate')!;
    expect(withOf(validate).command).toBe('validate');
    expect(validate['continue-on-error']).toBe(true);
    const plan = job.steps.find((s) => s.id === 'plan')!;
    expect(withOf(plan).command).toBe('plan');
    expect(withOf(plan)['plan-file'], 'the comment shows the saved plan\'s fingerprint').toBeTruthy();
    expect(withOf(plan).post ?? 'auto').toBe('auto');
    const gate = job.steps.at(-1)!;
    expect(gate.if).toContain("steps.validate.outcome == 'failure'");
  });

  it('plan: pull requests from forks are skipped with a notice, without secrets', () => {
    const { wf } = load('plan.yml');
    expect(wf.jobs.plan!.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
    const fork = wf.jobs.fork!;
    expect(fork.if).toBe('github.event.pull_request.head.repo.full_name != github.repository');
    expect(JSON.stringify(fork)).not.toMatch(/secrets\./);
    expect(fork.steps.map((s) => s.run ?? '').join('\n')).toMatch(/::notice title=orgshare plan skipped::/);
  });

  it('ci: npm ci then npm test on Node 20, 22 and 24, like .ci/run; the action runs against the sandbox', () => {
    const { wf } = load('ci.yml');
    expect(Object.keys(wf.on).sort()).toEqual(['pull_request', 'push']);
    const job = wf.jobs.test!;
    expect(job.strategy?.matrix.node).toEqual(['20', '22', '24']);
    expect(job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))!.with?.['node-version']).toBe('${{ matrix.node }}');
    expect(job.steps.filter((s) => s.run).map((s) => s.run)).toEqual(['npm ci --no-audit --no-fund', 'npm test']);
    const ciRun = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    expect(ciRun).toContain('npm ci --no-audit --no-fund');
    expect(ciRun).toMatch(/^npm test$/m);
    expect(actionSteps(wf).map(({ step }) => withOf(step).command)).toEqual(['validate', 'plan']);
  });

  it('every other workflow runs on a maintained Node (24)', () => {
    for (const { file, wf } of all().filter(({ file }) => file !== 'ci.yml')) {
      for (const { step } of steps(wf).filter(({ step }) => step.uses?.startsWith('actions/setup-node@'))) {
        expect(step.with?.['node-version'], file).toBe('24');
      }
    }
  });
});

describe('action.yml', () => {
  it('is a composite action whose every step declares its shell', () => {
    const a = action();
    expect(a.runs.using).toBe('composite');
    for (const step of a.runs.steps) if (step.run) expect(step.shell, step.name).toBe('bash');
    expect(a.inputs.command!.required).toBe(true);
    expect(Object.keys(a.outputs).sort()).toEqual(['exit-code', 'plan-fingerprint', 'report']);
  });

  it('has every input the workflows pass and every output they read', () => {
    const a = action();
    for (const { file, wf } of all()) {
      for (const { job, step } of actionSteps(wf)) {
        for (const input of Object.keys(withOf(step))) expect(Object.keys(a.inputs), `${file} ${job}: input ${input}`).toContain(input);
      }
      const ids = new Set(actionSteps(wf).map(({ step }) => step.id).filter(Boolean));
      for (const m of JSON.stringify(wf).matchAll(/steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g)) {
        if (ids.has(m[1]!)) expect(Object.keys(a.outputs), `${file}: steps.${m[1]}.outputs.${m[2]}`).toContain(m[2]);
      }
    }
  });

  it('reads only inputs it declares and outputs its steps set', () => {
    const a = action();
    const text = readFileSync(join(ROOT, 'action.yml'), 'utf8');
    for (const m of text.matchAll(/inputs\.([a-z-]+)/g)) expect(Object.keys(a.inputs), `inputs.${m[1]}`).toContain(m[1]);
    const ids = a.runs.steps.map((s) => s.id).filter(Boolean);
    for (const m of text.matchAll(/steps\.([a-z-]+)\.outputs\.([a-z-]+)/g)) expect(ids, `steps.${m[1]}`).toContain(m[1]);
  });

  it('accepts exactly the commands whose reports the helper can post', () => {
    const run = action().runs.steps.find((s) => s.id === 'run')!.run!;
    const accepted = /case "\$INPUT_COMMAND" in\n\s+([a-z|]+)\) ;;/.exec(run)![1]!.split('|');
    expect(accepted).toEqual([...REPORT_KINDS]);
    expect(action().inputs.command!.description).toContain(accepted.slice(0, -1).join(', '));
  });
});

describe('commands the workflows and the action run exist in the CLIs', () => {
  const io: Io = { stdout: () => {}, stderr: () => {}, stderrIsTTY: false, stdinIsTTY: false, env: {}, now: () => new Date() };
  const flags = (cmd: Command) => cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f)));

  /** Every `node <entry> <command> --flags` line in the given run scripts. */
  function invocations(scripts: { file: string; run: string }[], entry: string): { file: string; command: string; args: string[] }[] {
    const out: { file: string; command: string; args: string[] }[] = [];
    for (const { file, run } of scripts) {
      for (const line of run.split('\n')) {
        const idx = line.indexOf(`node ${entry} `);
        if (idx < 0) continue;
        const words = line.slice(idx + `node ${entry} `.length).split(/[>|]/)[0]!.trim().split(/\s+/);
        out.push({ file, command: words[0]!, args: words.slice(1) });
      }
    }
    return out;
  }
  const workflowScripts = () => all().flatMap(({ file, wf }) => steps(wf).map(({ step }) => ({ file, run: step.run ?? '' })));
  const actionScripts = () => action().runs.steps.map((s) => ({ file: 'action.yml', run: s.run ?? '' }));

  it('orgshare: the action passes options every command has', () => {
    const program = buildProgram(io, () => {});
    const run = action().runs.steps.find((s) => s.id === 'run')!.run!;
    expect(run).toContain('node "$ORGSHARE_CLI" "$INPUT_COMMAND" "${args[@]}" --dir "$INPUT_DIR" --format "$INPUT_FORMAT"');
    expect(flags(program)).toEqual(expect.arrayContaining(['--dir', '--format']));
    expect(flags(program.commands.find((c) => c.name() === 'plan')!)).toContain('--out');
    for (const name of ['validate', 'plan', 'apply', 'drift']) expect(program.commands.map((c) => c.name())).toContain(name);
  });

  it('GitHub helper: subcommands exist and get their required options', () => {
    const program = buildGithubProgram(io);
    const calls = [...invocations(workflowScripts(), 'dist/src/github/cli.js'), ...invocations(actionScripts(), '"$ORGSHARE_GITHUB"')];
    expect(new Set(calls.map((c) => c.command))).toEqual(new Set(['sticky-comment', 'drift-issue', 'summary', 'check-latest', 'plan-fingerprint']));
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
