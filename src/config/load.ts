/**
 * The config loader: a config repository (`--dir`) → desired state, policy and every
 * problem found, all at once. No network. Never throws for bad input: each broken or
 * hostile file becomes Problems (see source.ts), and `desired.orgs` holds only the
 * organizations whose files have none. Callers that need a valid config use
 * `loadConfigOrThrow`.
 *
 * Layout read: `orgs/*.yaml` and `orgs/*.yml` (sorted, not recursive; Markdown and
 * dot-files ignored, any other entry reported), and the optional
 * `orgshare.config.yaml` at the root.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type Problem } from '../errors.js';
import type { DesiredOrg, DesiredState } from '../model/desired.js';
import type { Policy } from '../model/policy.js';
import { buildOrganization } from './organization.js';
import { CONFIG_FILE, policyFromConfig } from './policy.js';
import { FILE_START, valuePos, type PositionIndex } from './positions.js';
import { compareProblems, problem } from './problem.js';
import type { RawConfig, RawOrganization } from './raw.js';
import { schemaProblems } from './schema-errors.js';
import { CONFIG_SCHEMA_FILE, configValidate, organizationValidate, ORGANIZATION_SCHEMA_FILE, readSchema } from './schema.js';
import { MAX_FILE_BYTES } from './limits.js';
import { parseSource, tooLargeProblem } from './source.js';

export const ORGS_DIR = 'orgs';

export interface LoadOptions {
  /** Environment for ZENDESK_SUBDOMAIN (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface LoadedConfig {
  desired: DesiredState;
  policy: Policy;
  /** Sorted by file, line, column. Empty when the configuration is valid. */
  problems: Problem[];
  /** Organization files read, relative to the config dir ("orgs/acme.yaml"), sorted. */
  files: string[];
}

type ReadResult = { bytes: Buffer } | { problem: Problem } | { missing: true };

/** Reads a regular file, refusing anything above MAX_FILE_BYTES without reading it. */
function readBounded(path: string, file: string): ReadResult {
  let fd: number;
  try {
    // A link is refused before anything is read through it (nothing it points to is ever
    // echoed); O_NOFOLLOW closes the gap between this look and the open.
    if (lstatSync(path).isSymbolicLink()) return { problem: symlinkProblem(file) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { missing: true };
    return { problem: ioProblem(file, err) };
  }
  try {
    // Non-blocking, so a FIFO planted under a config name cannot hang the command.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { missing: true };
    if (code === 'ELOOP') return { problem: symlinkProblem(file) };
    return { problem: ioProblem(file, err) };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      return { problem: problem({ file, pos: FILE_START, check: 'schema', code: 'not_a_file', message: 'not a regular file' }) };
    }
    if (stat.size > MAX_FILE_BYTES) return { problem: tooLargeProblem(file, stat.size) };
    // Exactly the size fstat reported: one read, no second stat (10,000 files add up).
    const bytes = Buffer.allocUnsafe(stat.size);
    let filled = 0;
    while (filled < bytes.length) {
      const n = readSync(fd, bytes, filled, bytes.length - filled, filled);
      if (n === 0) break;
      filled += n;
    }
    return { bytes: filled === bytes.length ? bytes : bytes.subarray(0, filled) };
  } catch (err) {
    return { problem: ioProblem(file, err) };
  } finally {
    closeSync(fd);
  }
}

/**
 * Every symbolic link is refused where orgshare reads the repository (`orgs/`, its files,
 * `orgshare.config.yaml`): a pull request can add a link to a file outside the reviewed
 * tree (a `.env`, another checkout), and what is reviewed must be what is read. See
 * docs/security.md.
 */
function symlinkProblem(file: string): Problem {
  return problem({
    file,
    pos: FILE_START,
    check: 'schema',
    code: 'symlink',
    message: `${file === ORGS_DIR ? 'the orgs/ directory' : file === CONFIG_FILE ? CONFIG_FILE : 'organization files'} must not be a symbolic link`,
    hint: 'a link can point outside the reviewed repository; commit the file or directory itself',
  });
}

function ioProblem(file: string, err: unknown): Problem {
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  return problem({ file, pos: FILE_START, check: 'schema', code: 'unreadable', message: `cannot read the file (${code})` });
}

/** Loads the policy alone: `orgshare.config.yaml` (if any) over the defaults, plus env. */
export async function loadPolicy(
  dir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ policy: Policy; problems: Problem[] }> {
  const { policy, problems } = await readPolicy(dir, env);
  return { policy, problems };
}

async function readPolicy(dir: string, env: NodeJS.ProcessEnv): Promise<{ policy: Policy; problems: Problem[]; bytes: Buffer | null }> {
  const read = readBounded(join(dir, CONFIG_FILE), CONFIG_FILE);
  // Without a usable config file the defaults apply; its problems are still reported.
  const fallback = (fileProblems: Problem[], bytes: Buffer | null) => {
    const base = policyFromConfig(null, null, env);
    return { policy: base.policy, problems: [...fileProblems, ...base.problems], bytes };
  };
  if ('missing' in read) return fallback([], null);
  if ('problem' in read) return fallback([read.problem], null);
  const parsed = await parseSource(read.bytes, CONFIG_FILE);
  if (!parsed.ok) return fallback(parsed.problems, read.bytes);
  const validate = configValidate();
  if (!validate(parsed.value)) {
    const problems = schemaProblems(validate.errors ?? [], {
      file: CONFIG_FILE,
      data: parsed.value,
      positions: parsed.positions,
      schema: readSchema(CONFIG_SCHEMA_FILE),
    });
    return fallback(problems, read.bytes);
  }
  return { ...policyFromConfig(parsed.value as RawConfig, parsed.positions, env), bytes: read.bytes };
}

function listOrgFiles(dir: string, problems: Problem[]): string[] {
  let entries: Dirent<Buffer>[];
  try {
    if (lstatSync(join(dir, ORGS_DIR)).isSymbolicLink()) {
      problems.push(symlinkProblem(ORGS_DIR));
      return [];
    }
    // Names as bytes: a name that is not UTF-8 must be reported as such, not as missing.
    entries = readdirSync(join(dir, ORGS_DIR), { withFileTypes: true, encoding: 'buffer' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problems.push(
      problem({
        file: ORGS_DIR,
        pos: FILE_START,
        check: 'schema',
        code: 'no_orgs_dir',
        message: code === 'ENOENT' ? `no ${ORGS_DIR}/ directory in ${dir}` : `cannot read ${ORGS_DIR}/ (${code ?? 'error'})`,
        hint: 'run orgshare in the config repository, or pass --dir <path>',
      }),
    );
    return [];
  }
  const files: string[] = [];
  for (const e of entries) {
    const name = utf8Name(e.name);
    if (name === null) {
      problems.push(
        problem({
          file: `${ORGS_DIR}/${escapedName(e.name)}`,
          pos: FILE_START,
          check: 'schema',
          code: 'file_name_encoding',
          message: 'the file name is not valid UTF-8',
          hint: 'rename the file (e.g. to the organization name in plain ASCII, like acme-corp.yaml)',
        }),
      );
      continue;
    }
    if (name.startsWith('.') || name.endsWith('.md')) continue;
    const rel = `${ORGS_DIR}/${name}`;
    const yamlName = name.endsWith('.yaml') || name.endsWith('.yml');
    if (yamlName && e.isFile()) {
      files.push(rel);
    } else if (yamlName && e.isSymbolicLink()) {
      problems.push(
        problem({
          file: rel,
          pos: FILE_START,
          check: 'schema',
          code: 'symlink',
          message: 'organization files must be regular files, not symbolic links',
          hint: 'a link can point outside the reviewed repository; commit the file itself',
        }),
      );
    } else {
      problems.push(
        problem({
          file: rel,
          pos: FILE_START,
          check: 'schema',
          code: 'unexpected_file',
          message: `${e.isDirectory() ? 'directory' : 'file'} is not an organization file (*.yaml)`,
          hint: 'orgs/ holds only one .yaml file per organization (and README.md); rename or move it',
        }),
      );
    }
  }
  // Code-unit order: the same on every machine and locale.
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

function utf8Name(bytes: Buffer): string | null {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return null;
  }
}

/** A name that is not UTF-8, shown with its bad bytes as \xNN (bounded). */
function escapedName(bytes: Buffer): string {
  const out = [...bytes.subarray(0, 200)].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
  return bytes.length > 200 ? `${out}…` : out;
}

/**
 * Loads and checks the whole configuration. `desired.hash` is a sha256 over the sorted
 * (relative path, raw bytes) pairs of every organization file and the config file, so a
 * saved plan can tell whether any input changed.
 */
export async function loadConfig(dir: string, opts: LoadOptions = {}): Promise<LoadedConfig> {
  const env = opts.env ?? process.env;
  const problems: Problem[] = [];
  const inputs: { file: string; bytes: Buffer }[] = [];

  const policyRead = await readPolicy(dir, env);
  problems.push(...policyRead.problems);
  if (policyRead.bytes) inputs.push({ file: CONFIG_FILE, bytes: policyRead.bytes });
  const policy = policyRead.policy;

  const files = listOrgFiles(dir, problems);
  const validate = organizationValidate();
  const orgSchema = readSchema(ORGANIZATION_SCHEMA_FILE);
  const orgs: DesiredOrg[] = [];
  /** For cross-file rules: where each organization id and user grant is declared. */
  const ids = new Map<number, { file: string; line: number; col: number }[]>();
  const grants = new Map<string, { file: string; line: number; col: number }[]>();

  for (const file of files) {
    const read = readBounded(join(dir, file), file);
    if (!('bytes' in read)) {
      // Listed a moment ago: a missing file now is a race, reported like any unreadable file.
      problems.push('problem' in read ? read.problem : ioProblem(file, { code: 'ENOENT' }));
      continue;
    }
    inputs.push({ file, bytes: read.bytes });
    const parsed = await parseSource(read.bytes, file);
    if (!parsed.ok) {
      problems.push(...parsed.problems);
      continue;
    }
    const { value, positions } = parsed;
    collectCrossFileKeys(value, file, positions, ids, grants);
    if (!validate(value)) {
      problems.push(...schemaProblems(validate.errors ?? [], { file, data: value, positions, schema: orgSchema }));
      continue;
    }
    const built = buildOrganization(value as RawOrganization, file, positions, policy);
    problems.push(...built.problems);
    if (built.org) orgs.push(built.org);
  }

  crossFileProblems(ids, grants, problems);
  const withProblems = new Set(problems.map((p) => p.file));
  const desired: DesiredState = {
    orgs: orgs.filter((o) => !withProblems.has(o.file)),
    hash: hashInputs(inputs),
  };
  problems.sort(compareProblems);
  return { desired, policy, problems, files };
}

/** Like loadConfig, but throws ConfigError carrying every problem when there is any. */
export async function loadConfigOrThrow(dir: string, opts: LoadOptions = {}): Promise<LoadedConfig> {
  const loaded = await loadConfig(dir, opts);
  if (loaded.problems.length > 0) throw new ConfigError(loaded.problems);
  return loaded;
}

function collectCrossFileKeys(
  value: unknown,
  file: string,
  positions: PositionIndex,
  ids: Map<number, { file: string; line: number; col: number }[]>,
  grants: Map<string, { file: string; line: number; col: number }[]>,
): void {
  if (value === null || typeof value !== 'object') return;
  const v = value as { organization?: { id?: unknown }; user_access?: unknown };
  const id = v.organization?.id;
  if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) {
    const list = ids.get(id) ?? [];
    list.push({ file, ...valuePos(positions, '/organization/id') });
    ids.set(id, list);
  }
  if (Array.isArray(v.user_access)) {
    const inFile = new Set<string>();
    v.user_access.forEach((g: unknown, i) => {
      const email = (g as { email?: unknown } | null)?.email;
      if (typeof email !== 'string') return;
      const key = email.toLowerCase();
      if (inFile.has(key)) return; // same-file duplicates are reported by organization.ts
      inFile.add(key);
      const list = grants.get(key) ?? [];
      list.push({ file, ...valuePos(positions, `/user_access/${i}/email`) });
      grants.set(key, list);
    });
  }
}

function crossFileProblems(
  ids: Map<number, { file: string; line: number; col: number }[]>,
  grants: Map<string, { file: string; line: number; col: number }[]>,
  problems: Problem[],
): void {
  for (const [id, places] of ids) {
    if (places.length < 2) continue;
    for (const place of places) {
      const others = places.filter((p) => p !== place).map((p) => p.file);
      problems.push(
        problem({
          file: place.file,
          pos: place,
          check: 'schema',
          code: 'duplicate_id',
          message: `organization id ${id} is also declared in ${others.join(', ')}`,
          hint: 'each organization is managed by exactly one file; merge them or fix the id',
          value: id,
        }),
      );
    }
  }
  for (const [email, places] of grants) {
    if (places.length < 2) continue;
    for (const place of places) {
      const others = places.filter((p) => p !== place).map((p) => p.file);
      problems.push(
        problem({
          file: place.file,
          pos: place,
          check: 'schema',
          code: 'duplicate_user_grant',
          message: `${email} also has a user_access entry in ${others.join(', ')}`,
          hint: "a user's ticket access is one Zendesk setting for all their organizations; declare it in one file",
          value: email,
        }),
      );
    }
  }
}

function hashInputs(inputs: { file: string; bytes: Buffer }[]): string {
  const sorted = [...inputs].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const hash = createHash('sha256');
  for (const { file, bytes } of sorted) {
    // Length-prefixed so no two different inputs hash alike.
    hash.update(`${file}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}
