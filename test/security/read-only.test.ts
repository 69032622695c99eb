/**
 * `validate`, `plan`, `drift`, `import`, `access`, `history` and `review` never send a write request, in any
 * output format, with changes pending, drift present, hostile input, or a flaky Zendesk.
 * (The guarantee is the transport's read-only mode; this counts what reached Zendesk.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { FILES } from '../apply/helpers.js';
import { HOSTILE, envFor, removeRepos, repo, run } from './helpers.js';

const READ_ONLY: string[][] = [
  ['validate'],
  ['plan'],
  ['plan', '--allow-large'],
  ['drift'],
  ['import', '--shared'],
  ['import', '--org', '360000000106', '360000000102', '--force'],
  ['access'],
  ['access', '--org', '360000000101'],
  ['history'],
  ['history', '--org', '360000000106', '360000000102', '--since', '2024-01-01'],
  ['review'],
];
const FORMATS = ['text', 'json', 'markdown'] as const;

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.close();
  await removeRepos();
});
beforeEach(() => sb.reset());

/** Pending changes (Acme enable, Initech disable, a Hooli grant) and drift (Soylent shared, unmanaged). */
async function busyWorld(extra: Record<string, string | Buffer> = {}): Promise<string> {
  sb.store.updateOrganization(360000000106, { shared_tickets: true });
  return repo({ 'orgs/acme-corp.yaml': FILES.acme, 'orgs/initech.yaml': FILES.initech, 'orgs/hooli.yaml': FILES.hooli, ...extra });
}

async function runAll(dir: string, formats: readonly string[] = FORMATS): Promise<{ runs: number; writes: string[] }> {
  let runs = 0;
  for (const format of formats) {
    for (const argv of READ_ONLY) {
      await run(envFor(sb), dir, ['--format', format, ...argv, ...(argv[0] === 'plan' ? ['--out', join(dir, `plan-${format}.json`)] : [])]);
      runs++;
    }
  }
  return { runs, writes: sb.writes().map((w) => `${w.method} ${w.path}`) };
}

describe('read-only commands write nothing', () => {
  it(`${READ_ONLY.length} commands × ${FORMATS.length} formats with changes pending and drift present`, async () => {
    const dir = await busyWorld();
    const { runs, writes } = await runAll(dir);
    expect(runs).toBe(READ_ONLY.length * FORMATS.length);
    expect(sb.log().length).toBeGreaterThan(runs); // they did talk to Zendesk
    expect(writes).toEqual([]);
  });

  it('the same with a blocked change (spoofed evidence) and a hostile file that validate accepts today', async () => {
    const list = sb.store.comments.get(4821)!;
    list.find((c) => c.id === 90201)!.public = false;
    const dir = await busyWorld({ 'orgs/zz-nul.yaml': readFileSync(join(HOSTILE, 'orgs', 'nul-in-comment.yaml')).toString().replace('360000000101', '360000000105').replace('Acme Corp', 'Hooli') });
    const { writes } = await runAll(dir);
    expect(writes).toEqual([]);
  });

  it('the same when Zendesk fails some requests (retries are reads too)', async () => {
    sb.setFaults('503:0.1,429:0.05:0,seed:7');
    const dir = await busyWorld();
    const { writes } = await runAll(dir, ['json']);
    expect(sb.log().some((e) => e.status === 503)).toBe(true);
    expect(writes).toEqual([]);
  }, 60_000);
});
