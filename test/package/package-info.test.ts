/** Where the package finds itself, and the modeline paths `init` and `import` write. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot, packageVersion, schemaModelinePath } from '../../src/package-info.js';
import { main } from '../../src/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'orgshare-modeline-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('package-info', () => {
  it('finds the package root and reads --version from package.json', async () => {
    expect(packageRoot()).toBe(ROOT.replace(/\/$/, ''));
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
    expect(packageVersion()).toBe(version);
    let out = '';
    const code = await main(['--version'], { stdout: (t) => void (out += t), stderr: () => {}, stderrIsTTY: false, stdinIsTTY: false, env: {}, now: () => new Date(0) });
    expect(code).toBe(0);
    expect(out.trim()).toBe(version);
  });

  it('modelines: the installed package\'s schema/ in a config repository, the local schema/ in a clone of orgshare', () => {
    const config = join(scratch, 'config');
    mkdirSync(config);
    expect(schemaModelinePath(config, 'orgs/acme.yaml', 'organization.schema.json')).toBe('../node_modules/orgshare/schema/organization.schema.json');
    expect(schemaModelinePath(config, 'orgshare.config.yaml', 'config.schema.json')).toBe('./node_modules/orgshare/schema/config.schema.json');
    const clone = join(scratch, 'clone');
    mkdirSync(join(clone, 'schema'), { recursive: true });
    writeFileSync(join(clone, 'schema/organization.schema.json'), '{}');
    expect(schemaModelinePath(clone, 'orgs/acme.yaml', 'organization.schema.json')).toBe('../schema/organization.schema.json');
  });
});
