/**
 * `orgshare init [--dir PATH] [--subdomain NAME] [--force]`: scaffolds a config repository
 * (docs/getting-started.md). Writes nothing when any file it would write already exists,
 * unless --force; a package.json that already depends on orgshare (after
 * `npm i -D orgshare`) and a .gitignore that already ignores node_modules are kept.
 * Exit 0 written, 1 refused or invalid.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { PACKAGE_NAME, packageVersion } from '../package-info.js';
import type { GlobalOptions, Io } from './context.js';
import { scaffoldFiles, type ScaffoldFile } from './init-files.js';

export interface InitCommandOptions {
  subdomain?: string;
  force?: boolean;
}

const SUBDOMAIN_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why an existing file may stay as it is: it already does what the scaffold's would. */
function keepReason(path: string, existing: string): string | null {
  if (path === 'package.json') {
    try {
      const pkg = JSON.parse(existing) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
      const pinned = pkg.devDependencies?.[PACKAGE_NAME] ?? pkg.dependencies?.[PACKAGE_NAME];
      return pinned ? `already depends on ${PACKAGE_NAME} ${pinned}` : null;
    } catch {
      return null;
    }
  }
  if (path === '.gitignore') return /^\/?node_modules\/?$/m.test(existing) ? 'already ignores node_modules/' : null;
  return null;
}

function packageName(dir: string): string {
  const slug = basename(resolve(dir)).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return slug || 'zendesk-sharing-config';
}

export async function run(global: GlobalOptions, opts: InitCommandOptions, io: Io): Promise<number> {
  const subdomain = opts.subdomain?.trim().toLowerCase().replace(/\.zendesk\.com$/, '');
  if (subdomain !== undefined && !SUBDOMAIN_RE.test(subdomain)) {
    throw new UsageError(`--subdomain must be a Zendesk subdomain like "acme" (for acme.zendesk.com), got ${JSON.stringify(opts.subdomain)}`);
  }
  const dir = resolve(global.dir);
  const files = scaffoldFiles({ version: packageVersion(), name: packageName(dir), ...(subdomain ? { subdomain } : {}) });

  const write: ScaffoldFile[] = [];
  const kept: string[] = [];
  const conflicts: string[] = [];
  for (const file of files) {
    const target = join(dir, file.path);
    if (!existsSync(target)) {
      write.push(file);
      continue;
    }
    const reason = keepReason(file.path, readFileSync(target, 'utf8'));
    if (reason) kept.push(`${file.path} (${reason})`);
    else if (opts.force) write.push(file);
    else conflicts.push(file.path);
  }
  if (conflicts.length > 0) {
    throw new UsageError(
      `refusing to overwrite existing files in ${dir}: ${conflicts.join(', ')}; nothing was written`,
      'run it in an empty directory, move those files away, or pass --force to replace them',
    );
  }

  for (const file of write) {
    const target = join(dir, file.path);
    await mkdir(dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.tmp`;
    await writeFile(tmp, file.text, 'utf8');
    await rename(tmp, target);
  }

  if (global.format === 'json') {
    io.stdout(`${JSON.stringify({ format_version: 1, dir, written: write.map((f) => f.path), kept }, null, 2)}\n`);
    return 0;
  }
  const lines = [
    `Initialized an orgshare config repository in ${dir}`,
    ...write.map((f) => `  wrote ${f.path}`),
    ...kept.map((k) => `  kept  ${k}`),
    '',
    'Next:',
    ...(kept.some((k) => k.startsWith('package.json')) ? [] : [`  npm install                      # installs ${PACKAGE_NAME} ${packageVersion()} (editor schemas, npx orgshare)`]),
    '  npx orgshare validate',
    ...(subdomain ? [] : ['  set subdomain in orgshare.config.yaml (or run init with --subdomain NAME)']),
    '  npx orgshare import --shared     # adopt what is shared today (needs Zendesk credentials)',
    '  then follow "Credentials, least privilege" and "GitHub" in the orgshare README / docs/getting-started.md',
    '',
  ];
  io.stdout(lines.join('\n'));
  return 0;
}
