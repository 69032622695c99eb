/**
 * Comments of many tickets. Zendesk has no bulk comments endpoint: one read per ticket,
 * four in flight (the transport's rate budget still applies). A ticket that is gone
 * (404) has no comments: its evidence cannot be dated, which the caller reports.
 */
import { RemoteError } from '../errors.js';
import type { ObservedComment } from '../model/observed.js';
import { mapLimit } from './adapter.js';
import type { Adapter } from './types.js';

export async function readTicketComments(
  adapter: Adapter,
  ticketIds: number[],
  progress?: (done: number, total: number) => void,
): Promise<Map<number, ObservedComment[]>> {
  const ids = [...new Set(ticketIds)];
  let done = 0;
  const lists = await mapLimit(ids, 4, async (id) => {
    try {
      return await adapter.ticketComments(id);
    } catch (err) {
      if (err instanceof RemoteError && err.status === 404) return [] as ObservedComment[];
      throw err;
    } finally {
      progress?.(++done, ids.length);
    }
  });
  return new Map(ids.map((id, i) => [id, lists[i] ?? []]));
}
