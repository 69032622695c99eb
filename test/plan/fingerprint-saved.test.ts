/**
 * The saved plan's fingerprint (docs/workflows.md): sha256 of the canonical JSON, so it
 * does not depend on formatting or key order but changes with any value; `plan --out`
 * prints the same fingerprint the GitHub helper computes from the file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { main as githubMain } from '../../src/github/cli.js';
import { planFingerprint } from '../../src/plan/saved.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { captureIo, configDir, FILES, removeConfigDirs, sandboxEnv } from '../apply/helpers.js';

let sb: Sandbox;
const tmp = mkdtempSync(join(tmpdir(), 'orgshare-fp-'));
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.close();
  await removeConfigDirs();
  rmSync(tmp, { recursive: true, force: true });
});

// Child processes (bash, node, npm) on a shared CI machine: a generous guard, not a measure.
describe('planFingerprint', { timeout: 120_000 }, () => {
  it('ignores formatting and key order, and changes with any value', () => {
    const a = { format_version: 1, changes: [{ key: 'x', blocked: false }], date: '2026-11-23' };
    const reordered = JSON.parse(JSON.stringify({ date: '2026-11-23', changes: [{ blocked: false, key: 'x' }], format_version: 1 }, null, 4));
    expect(planFingerprint(reordered)).toBe(planFingerprint(a));
    expect(planFingerprint(a)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(planFingerprint({ ...a, date: '2026-11-24' })).not.toBe(planFingerprint(a));
    expect(planFingerprint({ ...a, changes: [{ key: 'x', blocked: true }] })).not.toBe(planFingerprint(a));
    // Array order is content: two changes swapped are another plan.
    expect(planFingerprint({ l: [1, 2] })).not.toBe(planFingerprint({ l: [2, 1] }));
  });

  it('plan --out prints the fingerprint orgshare-github computes from the saved file', async () => {
    const dir = await configDir({ acme: FILES.acme });
    const file = join(tmp, 'plan.json');
    const io = captureIo(sandboxEnv(sb));
    expect(await main(['plan', '--dir', dir, '--out', file], io)).toBe(2);
    const printed = /fingerprint (sha256:[0-9a-f]{64})/.exec(io.stderrText())?.[1];
    expect(printed).toBe(planFingerprint(JSON.parse(readFileSync(file, 'utf8'))));
    const helperIo = captureIo({ GITHUB_OUTPUT: join(tmp, 'out') });
    expect(await githubMain(['plan-fingerprint', '--plan', file, '--expect', printed!], helperIo)).toBe(0);
    expect(readFileSync(join(tmp, 'out'), 'utf8')).toContain(`fingerprint=${printed}`);
    const other = captureIo({});
    expect(await githubMain(['plan-fingerprint', '--plan', file, '--expect', `sha256:${'f'.repeat(64)}`], other)).toBe(1);
    expect(other.stderrText()).toContain('refusing to use it');
  });
});
