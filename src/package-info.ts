/**
 * Where the installed orgshare package lives and what it is called: its root holds
 * package.json, schema/ and dist/. Works from the sources (src/ under vitest), from a build
 * (dist/src/) and from an installed tarball (node_modules/orgshare/dist/src/). See
 * docs/getting-started.md for the installed layout.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_NAME = 'orgshare';

interface PackageJson {
  name?: string;
  version?: string;
}

let cached: { root: string; manifest: PackageJson } | undefined;

function locate(): { root: string; manifest: PackageJson } {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
      if (manifest.name === PACKAGE_NAME) return (cached = { root: dir, manifest });
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${PACKAGE_NAME}: cannot find its package.json (broken installation)`);
    dir = parent;
  }
}

/** The package's root directory (holds package.json and schema/). */
export function packageRoot(): string {
  return locate().root;
}

/** The version in the package's own package.json: the one source of `--version`. */
export function packageVersion(): string {
  const v = locate().manifest.version;
  if (!v) throw new Error(`${PACKAGE_NAME}: package.json has no version (broken installation)`);
  return v;
}

/** Parsed JSON of a file under the package's schema/ directory (e.g. plan.schema.json). */
export function readPackageSchema(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(packageRoot(), 'schema', file), 'utf8')) as Record<string, unknown>;
}

/** Where a config repository's dependencies install this package (docs/getting-started.md). */
export const INSTALLED_SCHEMA_DIR = `node_modules/${PACKAGE_NAME}/schema`;

/**
 * The `$schema` path for a yaml-language-server modeline in `fileInRepo` (a path relative
 * to the config repository `configDir`, e.g. `orgs/acme.yaml`): the repository's own
 * schema/ when it has one (a clone of orgshare), else the installed package's, which a
 * repository made by `orgshare init` reaches after `npm install`.
 */
export function schemaModelinePath(configDir: string, fileInRepo: string, schemaFile: string): string {
  const depth = fileInRepo.split('/').length - 1;
  const up = depth === 0 ? './' : '../'.repeat(depth);
  const local = existsSync(join(configDir, 'schema', schemaFile));
  return `${up}${local ? 'schema' : INSTALLED_SCHEMA_DIR}/${schemaFile}`;
}
