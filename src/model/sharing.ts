/**
 * Sharing levels and their mapping to Zendesk's organization flags.
 * private = shared_tickets false; read_only = shared_tickets true, shared_comments false;
 * read_write = both true. Zendesk allows shared_comments only with shared_tickets, so a
 * live org with shared_comments true and shared_tickets false is read as private.
 */
export const SHARING_LEVELS = ['private', 'read_only', 'read_write'] as const;
export type Sharing = (typeof SHARING_LEVELS)[number];

const RANK: Record<Sharing, number> = { private: 0, read_only: 1, read_write: 2 };

export interface SharingFlags {
  shared_tickets: boolean;
  shared_comments: boolean;
}

export function sharingFromFlags(flags: SharingFlags): Sharing {
  if (!flags.shared_tickets) return 'private';
  return flags.shared_comments ? 'read_write' : 'read_only';
}

export function flagsFromSharing(sharing: Sharing): SharingFlags {
  switch (sharing) {
    case 'private':
      return { shared_tickets: false, shared_comments: false };
    case 'read_only':
      return { shared_tickets: true, shared_comments: false };
    case 'read_write':
      return { shared_tickets: true, shared_comments: true };
    default: {
      const never: never = sharing;
      throw new Error(`unknown sharing ${String(never)}`);
    }
  }
}

/** True when moving from `from` to `to` lets more people see or write more. */
export function isWidening(from: Sharing, to: Sharing): boolean {
  return RANK[to] > RANK[from];
}

/** The handbook's label for a type: "Read only" / "Read+write". */
export function sharingLabel(sharing: Exclude<Sharing, 'private'>): string {
  return sharing === 'read_only' ? 'Read only' : 'Read+write';
}

export function isSharing(value: unknown): value is Sharing {
  return typeof value === 'string' && (SHARING_LEVELS as readonly string[]).includes(value);
}
