/**
 * `orgshare.config.yaml` (schema/config.schema.json) → `Policy`, merged over
 * DEFAULT_POLICY. Rules beyond the schema: deny patterns must compile and must not be
 * prone to catastrophic backtracking (they run over text read from Zendesk; see
 * regex-safety.ts), comment
 * templates use known placeholders only, and the configured subdomain agrees with
 * ZENDESK_SUBDOMAIN when both are set.
 */
import { echoEnvValue, type Problem } from '../errors.js';
import { DEFAULT_POLICY, type Policy } from '../model/policy.js';
import { valuePos, type PositionIndex } from './positions.js';
import { problem } from './problem.js';
import type { RawConfig } from './raw.js';
import { regexRisk } from './regex-safety.js';
import { normalizeText } from '../records/normalize.js';
import { SHARED_TYPES, typeWordClash } from '../policy/type-words.js';

export const CONFIG_FILE = 'orgshare.config.yaml';
export const COMMENT_PLACEHOLDERS = ['type', 'org', 'date', 'ticket', 'scope'] as const;
const ENV_SUBDOMAIN_SOURCE = '$ZENDESK_SUBDOMAIN';
const SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * "acme", "ACME", "acme.zendesk.com" and "https://acme.zendesk.com/" all mean acme.
 * Returns null for an empty value, undefined for one that is not a subdomain.
 */
export function normalizeSubdomain(value: string | undefined): string | null | undefined {
  if (value === undefined || value.trim() === '') return null;
  const s = value
    .trim()
    .toLowerCase()
    .replace(/^https:\/\//, '')
    .replace(/\/+$/, '')
    .replace(/\.zendesk\.com$/, '');
  return SUBDOMAIN.test(s) ? s : undefined;
}

/** A copy of the defaults (nested objects included), safe to modify. */
export function defaultPolicy(): Policy {
  return structuredClone(DEFAULT_POLICY);
}

/**
 * Builds the policy from a schema-valid config (or none) and the environment.
 * `positions` locate problems inside the config file.
 */
export function policyFromConfig(
  raw: RawConfig | null,
  positions: PositionIndex | null,
  env: NodeJS.ProcessEnv,
): { policy: Policy; problems: Problem[] } {
  const problems: Problem[] = [];
  const at = (path: string) => (positions ? valuePos(positions, path) : { line: 1, col: 1 });
  const policy = defaultPolicy();

  const envSubdomain = normalizeSubdomain(env.ZENDESK_SUBDOMAIN);
  if (envSubdomain === undefined) {
    problems.push(
      problem({
        file: ENV_SUBDOMAIN_SOURCE,
        pos: { line: 1, col: 1 },
        check: 'ticket_url',
        code: 'bad_env_subdomain',
        message: `ZENDESK_SUBDOMAIN is not a Zendesk subdomain: ${echoEnvValue(env.ZENDESK_SUBDOMAIN)}`,
        hint: 'set it to the part before .zendesk.com, e.g. ZENDESK_SUBDOMAIN=acme',
      }),
    );
  }

  if (raw) {
    if (raw.subdomain !== undefined) {
      policy.subdomain = raw.subdomain;
      if (envSubdomain && envSubdomain !== raw.subdomain) {
        problems.push(
          problem({
            file: CONFIG_FILE,
            pos: at('/subdomain'),
            check: 'ticket_url',
            code: 'subdomain_mismatch',
            message: `subdomain is ${raw.subdomain} but ZENDESK_SUBDOMAIN is ${echoEnvValue(env.ZENDESK_SUBDOMAIN)}`,
            hint: 'the credentials and the config must be for the same Zendesk account',
            value: raw.subdomain,
          }),
        );
      }
    }
    raw.ticket_hosts?.forEach((host, i) => {
      // A zendesk.com host here would let tickets of another Zendesk account through.
      if (host === 'zendesk.com' || host.endsWith('.zendesk.com')) {
        problems.push(
          problem({
            file: CONFIG_FILE,
            pos: at(`/ticket_hosts/${i}`),
            check: 'ticket_url',
            code: 'zendesk_ticket_host',
            message: `ticket_hosts lists ${host}; Zendesk hosts are accepted through subdomain only`,
            hint: 'set subdomain instead, and keep ticket_hosts for the account’s own mapped host names',
            value: host,
          }),
        );
      } else {
        policy.ticketHosts.push(host);
      }
    });
    if (raw.max_changes !== undefined) policy.maxChanges = raw.max_changes;
    if (raw.risk_message !== undefined) policy.riskMessage = raw.risk_message;
    if (raw.rpm !== undefined) policy.rpm = raw.rpm;
    if (raw.reattest_after !== undefined) policy.reattestAfter = raw.reattest_after;
    raw.deny_patterns?.forEach((pattern, i) => {
      const reason = unsafePatternReason(pattern);
      if (reason) {
        problems.push(
          problem({
            file: CONFIG_FILE,
            pos: at(`/deny_patterns/${i}`),
            check: 'deny_note',
            code: reason.code,
            message: `deny pattern ${JSON.stringify(pattern)} ${reason.message}`,
            hint: reason.hint,
            value: pattern,
          }),
        );
      } else {
        policy.denyPatterns.push(pattern);
      }
    });
    if (raw.type_words) problems.push(...applyTypeWords(policy, raw.type_words, at));
    const fields = raw.ticket_fields;
    if (fields?.problem_type) {
      const { id, title, value } = fields.problem_type;
      if (id !== undefined) policy.ticketFields.problemType.id = id;
      if (title !== undefined) policy.ticketFields.problemType.title = title;
      if (value !== undefined) policy.ticketFields.problemType.value = value;
    }
    if (fields?.shared_org_type) {
      const { id, title, values } = fields.shared_org_type;
      if (id !== undefined) policy.ticketFields.sharedOrgType.id = id;
      if (title !== undefined) policy.ticketFields.sharedOrgType.title = title;
      if (values?.read_only !== undefined) policy.ticketFields.sharedOrgType.values.read_only = values.read_only;
      if (values?.read_write !== undefined) policy.ticketFields.sharedOrgType.values.read_write = values.read_write;
    }
    if (fields?.confirm_risk) {
      const { id, title } = fields.confirm_risk;
      if (id !== undefined) policy.ticketFields.confirmRisk.id = id;
      if (title !== undefined) policy.ticketFields.confirmRisk.title = title;
    }
    for (const kind of ['enabled', 'disabled'] as const) {
      const template = raw.comments?.[kind];
      if (template === undefined) continue;
      const unknown = [...template.matchAll(/\{([^{}\s]*)\}/g)]
        .map((m) => m[1]!)
        .filter((name) => !(COMMENT_PLACEHOLDERS as readonly string[]).includes(name));
      if (unknown.length > 0) {
        problems.push(
          problem({
            file: CONFIG_FILE,
            pos: at(`/comments/${kind}`),
            check: 'schema',
            code: 'unknown_placeholder',
            message: `comments.${kind} uses unknown placeholder${unknown.length === 1 ? '' : 's'} ${unknown.map((u) => `{${u}}`).join(', ')}`,
            hint: `available: ${COMMENT_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`,
          }),
        );
      } else {
        policy.comments[kind] = template;
      }
    }
  }
  if (policy.subdomain === null && envSubdomain) policy.subdomain = envSubdomain;
  return { policy, problems };
}

/**
 * `type_words`: a list given for a type replaces that type's defaults (an account may
 * word its confirmations in another language). Refused: a word that is empty once
 * normalized, and a word of one type inside a word of the other (every quote naming the
 * second would name both, see policy/type-words.ts).
 */
function applyTypeWords(
  policy: Policy,
  raw: NonNullable<RawConfig['type_words']>,
  at: (path: string) => { line: number; col: number },
): Problem[] {
  const problems: Problem[] = [];
  const next = { ...policy.typeWords };
  for (const type of SHARED_TYPES) {
    const list = raw[type];
    if (list === undefined) continue;
    const empty = list.findIndex((w) => normalizeText(w) === '');
    if (empty >= 0) {
      problems.push(
        problem({
          file: CONFIG_FILE,
          pos: at(`/type_words/${type}/${empty}`),
          check: 'confirmed_type',
          code: 'empty_type_word',
          message: `type_words.${type}[${empty}] is blank`,
          hint: 'list the words a requester writes to name the type, e.g. "read only"',
        }),
      );
      continue;
    }
    next[type] = [...list];
  }
  const clash = typeWordClash(next);
  if (clash) {
    const i = raw[clash.type]?.indexOf(clash.word) ?? -1;
    problems.push(
      problem({
        file: CONFIG_FILE,
        pos: at(i >= 0 ? `/type_words/${clash.type}/${i}` : '/type_words'),
        check: 'confirmed_type',
        code: 'type_word_clash',
        message: `type_words: "${clash.word}" (${clash.type}) is part of "${clash.inside}" (${clash.insideType}), so every quote naming ${clash.insideType} would name both types`,
        hint: 'make each word name one type only, e.g. "read only" rather than "read"',
      }),
    );
    return problems;
  }
  if (problems.length === 0) policy.typeWords = next;
  return problems;
}

/**
 * Why a deny pattern is refused, or null. Patterns are compiled case-insensitively as the
 * policy check does, and must be safe to run over text read from Zendesk: no nested or
 * ambiguous adjacent repetitions, no huge counted repetitions, no backreferences or
 * lookbehind (regex-safety.ts has the rules and the cost estimate behind them).
 */
export function unsafePatternReason(pattern: string): { code: string; message: string; hint: string } | null {
  try {
    new RegExp(pattern, 'i');
  } catch (err) {
    return {
      code: 'bad_regex',
      message: `is not a valid regular expression (${err instanceof Error ? err.message : String(err)})`,
      hint: 'use JavaScript regular expression syntax; in YAML, single-quote the pattern so backslashes stay literal',
    };
  }
  let risk: ReturnType<typeof regexRisk>;
  try {
    risk = regexRisk(pattern);
  } catch {
    // Fail closed: a pattern the analysis cannot follow is not run over Zendesk text.
    risk = { message: 'could not be analysed for catastrophic backtracking', hint: 'write a simpler pattern (plain words, \\s+ between them)' };
  }
  return risk ? { code: 'unsafe_regex', ...risk } : null;
}
