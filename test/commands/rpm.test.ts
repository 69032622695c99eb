import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteOptionsFromEnv } from '../../src/remote/env.js';
import { RequestPacer, sharedPacer } from '../../src/remote/transport.js';
import { virtualClock } from '../remote/virtual-clock.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, configDir, FILES, removeConfigDirs } from '../apply/helpers.js';

const ENV = { ZENDESK_SUBDOMAIN: 'acme', ZENDESK_EMAIL: 'a@acme.example', ZENDESK_API_TOKEN: 'tok-123456' };

describe('the request budget: --rpm > ORGSHARE_RPM > rpm in orgshare.config.yaml', () => {
  it('ORGSHARE_RPM overrides the config value', () => {
    expect(remoteOptionsFromEnv(ENV, { readOnly: true, rpm: 400 }).rpm).toBe(400);
    expect(remoteOptionsFromEnv({ ...ENV, ORGSHARE_RPM: '120' }, { readOnly: true, rpm: 400 }).rpm).toBe(120);
  });

  it('refuses a budget that is not a positive whole number', () => {
    for (const bad of ['0', '-5', '1.5', 'fast']) {
      expect(() => remoteOptionsFromEnv({ ...ENV, ORGSHARE_RPM: bad }, { readOnly: true })).toThrow(/whole number/);
    }
  });

  describe('end to end', () => {
    let sb: Sandbox;
    beforeAll(async () => {
      sb = await startSandbox({ port: 0 });
    });
    afterAll(async () => {
      await sb.close();
      await removeConfigDirs();
    });

    it('--rpm reaches the adapter: a bad value is a usage error before any request', async () => {
      const dir = await configDir({ 'acme-corp': FILES.acme });
      const r = await cli(sb, dir, ['--rpm', '0', 'plan']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/--rpm \/ ORGSHARE_RPM must be a whole number/);
      expect(sb.log()).toEqual([]);
    });

    it('--rpm paces requests: every request of the run goes through a pacer at that rate; at 36/min it lets a burst of 6 through, then one every 1.67 s', async () => {
      const dir = await configDir({ 'acme-corp': FILES.acme });
      sb.clearLog();
      // A rate no other test uses, high enough that the run spends no time waiting.
      const r = await cli(sb, dir, ['--rpm', '9876', 'plan']);
      expect(r.code).toBe(2);
      const requests = sb.log().length;
      expect(requests).toBeGreaterThan(6);
      // The run's budget is this account's pacer at that rate: it started every request.
      expect(sharedPacer(sb.baseUrl, 9876).taken).toBe(requests);
      // A pacer's schedule, in virtual time (no wall clock): a burst of 36/6 = 6, then 60 s / 36.
      const clock = virtualClock();
      const pacer = new RequestPacer(36, undefined, clock);
      const starts: number[] = [];
      for (let i = 0; i < requests; i++) {
        await pacer.take();
        starts.push(clock.now());
      }
      expect(starts.slice(0, 6)).toEqual([0, 0, 0, 0, 0, 0]);
      for (let i = 6; i < requests; i++) expect(starts[i]! - starts[i - 1]!).toBe(Math.ceil(60_000 / 36));
    });
  });
});
