/**
 * The JSON Schemas orgshare ships (schema/*.json) and their compiled validators.
 *
 * Contract: files are always validated with the schemas next to this package, never with
 * one found in the config repository (`--dir`). One Ajv instance per process compiles
 * each schema once; validators are reused for every file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { RawConfig, RawOrganization } from './raw.js';

// ajv-formats is CommonJS: under NodeNext the default import is `module.exports`, whose
// `.default` is the plugin (it is also the plugin itself at run time).
const addFormats = addFormatsModule.default;

export const ORGANIZATION_SCHEMA_FILE = 'organization.schema.json';
export const CONFIG_SCHEMA_FILE = 'config.schema.json';

let schemaDir: string | undefined;

/**
 * The package's schema/ directory: the first ancestor of this module holding
 * schema/organization.schema.json (src/config/ under vitest, dist/src/config/ when built).
 */
export function shippedSchemaDir(): string {
  if (schemaDir) return schemaDir;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'schema');
    if (existsSync(join(candidate, ORGANIZATION_SCHEMA_FILE))) return (schemaDir = candidate);
    const parent = dirname(dir);
    if (parent === dir) throw new Error('orgshare: cannot find its schema/ directory (broken installation)');
    dir = parent;
  }
}

const schemaCache = new Map<string, Record<string, unknown>>();

/** Parsed JSON of a shipped schema file. */
export function readSchema(file: string): Record<string, unknown> {
  let schema = schemaCache.get(file);
  if (!schema) {
    schema = JSON.parse(readFileSync(join(shippedSchemaDir(), file), 'utf8')) as Record<string, unknown>;
    schemaCache.set(file, schema);
  }
  return schema;
}

let ajv: Ajv2020 | undefined;
let organizationValidator: ValidateFunction<RawOrganization> | undefined;
let configValidator: ValidateFunction<RawConfig> | undefined;

function getAjv(): Ajv2020 {
  if (!ajv) {
    ajv = new Ajv2020({
      allErrors: true,
      strictSchema: true,
      strictNumbers: true,
      strictTypes: true,
      strictTuples: true,
      // `then` requires risk_approval under `request` without restating its properties.
      strictRequired: false,
      // Schemas are trusted package files, checked against the meta-schema by the test
      // suite; skipping that here halves start-up.
      validateSchema: false,
      code: { optimize: true },
    });
    addFormats(ajv, { formats: ['email', 'uri'], mode: 'full' });
  }
  return ajv;
}

/** Compiled validator for one organization file (compiled on first use, then reused). */
export function organizationValidate(): ValidateFunction<RawOrganization> {
  organizationValidator ??= getAjv().compile<RawOrganization>(readSchema(ORGANIZATION_SCHEMA_FILE));
  return organizationValidator;
}

/** Compiled validator for orgshare.config.yaml. */
export function configValidate(): ValidateFunction<RawConfig> {
  configValidator ??= getAjv().compile<RawConfig>(readSchema(CONFIG_SCHEMA_FILE));
  return configValidator;
}

export type { ErrorObject };
