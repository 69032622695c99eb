import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The README's first command block ends in `npm run demo`; this runs the same built script
// (npm test builds first) and checks the story it tells, step by step.
describe('npm run demo', () => {
  it('walks validate → plan → apply → converged plan → clean drift → drift found, and exits 0', async () => {
    expect(existsSync('dist/scripts/demo.js'), 'run `npm run build` first').toBe(true);
    // Asynchronously, so the test's own timeout (not a wall-clock assertion) ends a hung demo.
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, ['dist/scripts/demo.js'], {
        env: { ...process.env, NO_COLOR: '1', ZENDESK_API_TOKEN: '', ZENDESK_OAUTH_TOKEN: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (status) => done({ status, stdout, stderr }));
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = run.stdout;
    const order = [
      '1. orgshare validate',
      '2. orgshare plan',
      'Plan: 1 to enable, 0 to change, 1 to disable, 1 user grant, 0 blocked.',
      '3. orgshare apply --yes',
      'Applied: 3 done, 0 failed, 0 skipped.',
      '4. orgshare plan again',
      'No changes. Live Zendesk matches orgs/.',
      '5. orgshare drift',
      'No drift.',
      'behind orgshare’s back',
      'Soylent (360000000106): read_write in Zendesk, not managed in orgs/',
      'the read-only commands after it 0 times.',
      'Demo complete.',
    ];
    let at = 0;
    for (const line of order) {
      const found = out.indexOf(line, at);
      expect(found, `expected "${line}" after position ${at}`).toBeGreaterThanOrEqual(0);
      at = found + line.length;
    }
    expect(out).not.toContain('expected ');
  }, 120_000);
});
