/**
 * `orgshare sandbox --help` teaches credentials the sandbox really accepts: the example's
 * environment, pointed at a running sandbox, plans (exit 2), where a wrong pair gets 401.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { FILES, NOW, captureIo, configDir, removeConfigDirs, sandboxEnv } from '../apply/helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.close();
  await removeConfigDirs();
});

/** The VAR=value pairs of the help's `orgshare plan` example. */
async function helpExampleEnv(): Promise<Record<string, string>> {
  const io = captureIo(sandboxEnv(sb));
  await main(['sandbox', '--help'], io);
  const help = io.stdoutText();
  const example = help.slice(help.indexOf('ZENDESK_API_URL='), help.indexOf('orgshare plan'));
  return Object.fromEntries([...example.matchAll(/(ZENDESK_[A-Z_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
}

describe('orgshare sandbox --help', () => {
  it('shows credentials the sandbox accepts', async () => {
    const shown = await helpExampleEnv();
    expect(Object.keys(shown).sort()).toEqual(['ZENDESK_API_TOKEN', 'ZENDESK_API_URL', 'ZENDESK_EMAIL', 'ZENDESK_SUBDOMAIN']);
    const dir = await configDir({ 'acme-corp': FILES.acme });
    const env = { ...sandboxEnv(sb), ...shown, ZENDESK_API_URL: sb.baseUrl };
    const io = captureIo(env, { now: () => NOW });
    const code = await main(['--dir', dir, '--no-color', 'plan'], io);
    expect(code, io.stdoutText() + io.stderrText()).toBe(2);

    // The old example's pair is refused: the test can tell.
    const wrong = captureIo({ ...env, ZENDESK_EMAIL: 'admin@example.com', ZENDESK_API_TOKEN: 'sandbox' }, { now: () => NOW });
    expect(await main(['--dir', dir, '--no-color', 'plan'], wrong)).toBe(1);
    expect(wrong.stderrText()).toMatch(/401|authenticat/i);
  });
});
