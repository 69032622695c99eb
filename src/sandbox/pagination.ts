/**
 * Zendesk's two pagination styles over an already sorted list.
 *  - Cursor (any `page[...]` parameter): `page[size]` ≤ 100 (default 100), `page[after]` /
 *    `page[before]`; answers `meta {has_more, after_cursor, before_cursor}` and
 *    `links {next, prev}` as absolute URLs on the request's own host. On the last page
 *    `has_more` is false and `after_cursor`/`links.next` are null, so a client that follows
 *    `links.next` makes exactly ceil(n / size) requests.
 *  - Offset (default): `page`, `per_page` (≤ 100, larger values are clamped), answering
 *    `next_page`, `previous_page` (absolute URLs or null) and `count`. Like Zendesk,
 *    offset pagination past the first 10,000 records answers 400.
 * Cursors are opaque: base64 of the last (or first) record's id.
 */
import { errors, ZendeskError } from './store.js';

export interface PageRequest {
  /** Request URL: origin + pathname as sent (with .json) and its query. */
  url: URL;
}

export const MAX_PAGE_SIZE = 100;

export function isCursorRequest(q: URLSearchParams): boolean {
  for (const key of q.keys()) if (key.startsWith('page[')) return true;
  return false;
}

export function encodeCursor(id: number): string {
  return Buffer.from(JSON.stringify({ o: 'id', v: id })).toString('base64');
}

export function decodeCursor(cursor: string): number {
  try {
    const v = (JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { v?: unknown }).v;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  } catch {
    // fall through
  }
  throw errors.badRequest('InvalidPaginationParameter', 'page[after] or page[before] is not a valid cursor');
}

function pageLink(url: URL, set: Record<string, string>, dropPrefix: string[]): string {
  const out = new URL(url.pathname, url.origin);
  for (const [k, v] of url.searchParams) if (!dropPrefix.some((p) => k.startsWith(p))) out.searchParams.append(k, v);
  for (const [k, v] of Object.entries(set)) out.searchParams.set(k, v);
  return out.toString();
}

/**
 * One page of `items` (already sorted in the listing's order) as Zendesk answers it.
 * `order` tells which way ids run, to place a cursor whose record has gone.
 */
export function paginate<T>(
  req: PageRequest,
  key: string,
  items: T[],
  idOf: (t: T) => number,
  serialize: (t: T) => unknown,
  opts: { order?: 'asc' | 'desc'; mode?: 'cursor' | 'offset' } = {},
): Record<string, unknown> {
  const q = req.url.searchParams;
  const mode = opts.mode ?? (isCursorRequest(q) ? 'cursor' : 'offset');
  return mode === 'cursor' ? cursorPage(req, key, items, idOf, serialize, opts.order ?? 'asc') : offsetPage(req, key, items, serialize);
}

function parseSize(raw: string | null, name: string): number {
  if (raw === null || raw === '') return MAX_PAGE_SIZE;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw errors.badRequest('InvalidPaginationParameter', `${name} must be a positive integer`);
  if (n > MAX_PAGE_SIZE) throw errors.badRequest('InvalidPaginationParameter', `${name} must be less than or equal to ${MAX_PAGE_SIZE}`);
  return n;
}

function indexAfter<T>(items: T[], idOf: (t: T) => number, id: number, order: 'asc' | 'desc'): number {
  // Large listings are sorted by id: binary search first, linear scan as the fallback.
  let lo = 0;
  let hi = items.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = idOf(items[mid]!);
    if (v === id) return mid;
    if (order === 'asc' ? v < id : v > id) lo = mid + 1;
    else hi = mid - 1;
  }
  const i = items.findIndex((t) => idOf(t) === id);
  if (i >= 0) return i;
  // The record is gone: position where it would have been.
  const j = items.findIndex((t) => (order === 'asc' ? idOf(t) > id : idOf(t) < id));
  return (j < 0 ? items.length : j) - 0.5;
}

function cursorPage<T>(req: PageRequest, key: string, items: T[], idOf: (t: T) => number, serialize: (t: T) => unknown, order: 'asc' | 'desc') {
  const q = req.url.searchParams;
  const size = parseSize(q.get('page[size]'), 'page[size]');
  const after = q.get('page[after]');
  const before = q.get('page[before]');
  let start = 0;
  let end: number;
  if (after) {
    start = Math.floor(indexAfter(items, idOf, decodeCursor(after), order)) + 1;
    end = Math.min(items.length, start + size);
  } else if (before) {
    end = Math.ceil(indexAfter(items, idOf, decodeCursor(before), order));
    start = Math.max(0, end - size);
  } else {
    end = Math.min(items.length, size);
  }
  const page = items.slice(start, end);
  const hasMore = end < items.length;
  const hasPrev = start > 0 && page.length > 0;
  const afterCursor = hasMore && page.length ? encodeCursor(idOf(page[page.length - 1]!)) : null;
  const beforeCursor = hasPrev ? encodeCursor(idOf(page[0]!)) : null;
  const drop = ['page['];
  return {
    [key]: page.map(serialize),
    meta: { has_more: hasMore, after_cursor: afterCursor, before_cursor: beforeCursor },
    links: {
      prev: beforeCursor ? pageLink(req.url, { 'page[before]': beforeCursor, 'page[size]': String(size) }, drop) : null,
      next: afterCursor ? pageLink(req.url, { 'page[after]': afterCursor, 'page[size]': String(size) }, drop) : null,
    },
  };
}

function offsetPage<T>(req: PageRequest, key: string, items: T[], serialize: (t: T) => unknown) {
  const q = req.url.searchParams;
  const pageRaw = q.get('page');
  const page = pageRaw === null || pageRaw === '' ? 1 : Number(pageRaw);
  if (!Number.isInteger(page) || page < 1) throw errors.badRequest('InvalidPaginationParameter', 'page must be a positive integer');
  const perRaw = q.get('per_page');
  let per = perRaw === null || perRaw === '' ? MAX_PAGE_SIZE : Number(perRaw);
  if (!Number.isInteger(per) || per < 1) throw errors.badRequest('InvalidPaginationParameter', 'per_page must be a positive integer');
  per = Math.min(per, MAX_PAGE_SIZE);
  const start = (page - 1) * per;
  if (start >= 10_000) {
    throw new ZendeskError(400, {
      error: 'InvalidPaginationParameter',
      description: 'Offset pagination is limited to the first 10,000 records. Use cursor pagination instead.',
    });
  }
  const slice = items.slice(start, start + per);
  const drop = ['page', 'per_page'];
  const link = (p: number) => pageLink(req.url, { page: String(p), per_page: String(per) }, drop);
  return {
    [key]: slice.map(serialize),
    next_page: start + per < items.length ? link(page + 1) : null,
    previous_page: page > 1 ? link(page - 1) : null,
    count: items.length,
  };
}
