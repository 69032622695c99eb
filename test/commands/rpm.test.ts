import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteOptionsFromEnv } from '../../src/remote/env.js';
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

    it('--rpm paces requests: a budget of 36/min lets a burst of 6 through, then one every 1.67 s', async () => {
      const dir = await configDir({ 'acme-corp': FILES.acme });
      sb.clearLog();
      const started = Date.now();
      const r = await cli(sb, dir, ['--rpm', '36', 'plan']);
      expect(r.code).toBe(2);
      const requests = sb.log().length;
      expect(requests).toBeGreaterThan(6);
      // After the burst the pacer refills at the full 36 per minute: 1.67 s per request.
      expect(Date.now() - started).toBeGreaterThanOrEqual(((requests - 6) * 60_000) / 36 - 300);
    }, 30_000);
  });
});
