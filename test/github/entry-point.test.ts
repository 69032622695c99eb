/**
 * The workflows run the compiled helper (`node dist/src/github/cli.js …`). `npm test` builds
 * first (pretest), so this checks the real entry point as CI runs it; a bare
 * `vitest run` without a build skips it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ENTRY = fileURLToPath(new URL('../../dist/src/github/cli.js', import.meta.url));
const run = promisify(execFile);

describe.skipIf(!existsSync(ENTRY))('compiled GitHub helper', () => {
  it('runs as a program and lists the subcommands the workflows use', async () => {
    const { stdout } = await run(process.execPath, [ENTRY, '--help']);
    for (const sub of ['sticky-comment', 'drift-issue', 'summary', 'check-latest']) expect(stdout).toContain(sub);
  });

  it('writes a job summary and exits 0; exits 1 with a message on bad input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orgshare-entry-'));
    try {
      writeFileSync(join(dir, 'apply.md'), '## Applied\n\n- Acme Corp: read_only\n');
      const env = { ...process.env, GITHUB_STEP_SUMMARY: join(dir, 'summary.md'), GITHUB_ACTIONS: '' };
      await run(process.execPath, [ENTRY, 'summary', '--kind', 'apply', '--file', join(dir, 'apply.md'), '--exit-code', '0'], { env });
      expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain('✅ Applied');
      const failed = await run(process.execPath, [ENTRY, 'summary', '--kind', 'apply', '--file', join(dir, 'apply.md'), '--exit-code', '2'], { env }).then(
        () => null,
        (err: { code: number; stderr: string }) => err,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toContain('--exit-code must be one of 0, 1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
