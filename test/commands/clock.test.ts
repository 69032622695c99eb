/**
 * ORGSHARE_NOW (src/clock.ts, docs/testing.md): one documented way to pin "now" for an
 * orgshare process, which can never date a real change.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockFor, pinnedNow } from '../../src/clock.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { FILES, ORG, cli, configDir, detailsOf, removeConfigDirs, sandboxEnv } from '../apply/helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.close();
  await removeConfigDirs();
});

describe('pinnedNow', () => {
  it('reads an ISO 8601 instant with a zone, and nothing else', () => {
    expect(pinnedNow({ ORGSHARE_NOW: '2028-02-29T23:30:00Z' })!.toISOString()).toBe('2028-02-29T23:30:00.000Z');
    expect(pinnedNow({ ORGSHARE_NOW: '2028-03-01T13:30:00+14:00' })!.toISOString()).toBe('2028-02-29T23:30:00.000Z');
    expect(pinnedNow({})).toBeNull();
    expect(pinnedNow({ ORGSHARE_NOW: '  ' })).toBeNull();
    for (const bad of ['2028-02-29', '2028-02-29T23:30:00', 'yesterday', '2028-02-30T00:00:00Z', '1700000000']) {
      expect(() => pinnedNow({ ORGSHARE_NOW: bad }), bad).toThrow(/ORGSHARE_NOW is not an ISO 8601 instant/);
    }
  });

  it('a pinned clock stands still; an unpinned one is the system clock', () => {
    const pinned = clockFor({ ORGSHARE_NOW: '2028-02-29T23:30:00Z' });
    expect(pinned().getTime()).toBe(pinned().getTime());
    const before = Date.now();
    const system = clockFor({})().getTime();
    expect(system).toBeGreaterThanOrEqual(before);
  });
});

describe('the built binary honours ORGSHARE_NOW', () => {
  const bin = resolve('dist/src/cli.js');

  /** The built CLI as a child process (asynchronously: the sandbox answers from this one). */
  function child(argv: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stderr: string }> {
    return new Promise((done) => {
      const p = spawn(process.execPath, [bin, ...argv], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.on('exit', (status) => done({ status, stderr }));
    });
  }

  it('dates the Details line it writes to the sandbox with the pinned instant (any day, any zone)', async () => {
    expect(existsSync(bin), 'run `npm run build` first (npm test does)').toBe(true);
    const dir = await configDir({ acme: FILES.acme });
    const env = { ...sandboxEnv(sb), ORGSHARE_NOW: '2028-02-29T23:30:00Z', TZ: 'Pacific/Kiritimati' };
    const run = await child(['--dir', dir, 'apply', '--yes'], env);
    expect(run.status, run.stderr).toBe(0);
    // UTC date, although it is already 1 March in Kiritimati.
    expect(detailsOf(sb, ORG.acme)).toContain('Shared organization (Read only) enabled 2028-02-29 as per https://acme.zendesk.com/agent/tickets/4821');
  });

  it('a malformed value is a usage error before any request', async () => {
    const dir = await configDir({ acme: FILES.acme });
    sb.clearLog();
    const run = await child(['--dir', dir, 'plan'], { ...sandboxEnv(sb), ORGSHARE_NOW: '2028-02-29' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('ORGSHARE_NOW is not an ISO 8601 instant with a zone');
    expect(sb.log()).toEqual([]);
  });
});

describe('a pinned clock can never date a real change', () => {
  it('apply refuses before any request when the API is not on this machine', async () => {
    const dir = await configDir({ acme: FILES.acme });
    // Not a sandbox: no request may leave (there is no network here, and none is tried).
    const env = { ...sandboxEnv(sb), ZENDESK_API_URL: 'https://acme.zendesk.com/api/v2' };
    const r = await cli(sb, dir, ['apply', '--yes'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ORGSHARE_NOW pins the clock');
    expect(r.stderr).toContain('nothing was written');
  });

  it('without ORGSHARE_NOW the same refusal does not happen (the check is about the clock, not the host)', async () => {
    const dir = await configDir({ acme: FILES.acme });
    const env = { ...sandboxEnv(sb), ZENDESK_API_URL: 'https://acme.zendesk.com/api/v2', ORGSHARE_NOW: '' };
    // An unreachable host with retries would take long: ask for a plan file that does not
    // exist, which apply reads after the clock check and before any request.
    const r = await cli(sb, dir, ['apply', 'missing-plan.json'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('ORGSHARE_NOW');
  });
});
