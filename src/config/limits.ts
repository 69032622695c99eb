/**
 * Limits on one YAML file and the shape of a parse, shared by the fast path
 * (./source.ts) and the full `yaml` parser (./yaml-path.ts) without either importing the
 * other.
 */
import type { Problem } from '../errors.js';
import type { ParsedTree } from './fast-yaml.js';

export const MAX_FILE_BYTES = 256 * 1024;
export const MAX_DEPTH = 32;
/** Aliases per file. Anchors can save repetition; more than a few is an expansion attack. */
export const MAX_ALIASES = 10;

export type ParseResult = ({ ok: true } & ParsedTree) | { ok: false; problems: Problem[] };
