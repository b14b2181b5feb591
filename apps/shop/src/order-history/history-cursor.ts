import { ValidationError } from '@duet/core';

/** Where a page ended: the last row's sort key, (placed_at, order_id), newest first. */
export interface HistoryCursor {
  readonly placedAt: string;
  readonly orderId: string;
}

/** Opaque to callers: base64url of the sort key. */
export function encodeHistoryCursor(cursor: HistoryCursor): string {
  return Buffer.from(JSON.stringify([cursor.placedAt, cursor.orderId])).toString('base64url');
}

/** Reads a cursor of `encodeHistoryCursor`; anything else is a `ValidationError` on `after`. */
export function decodeHistoryCursor(text: string, queryType: string): HistoryCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2) {
      const [placedAt, orderId] = value as unknown[];
      if (
        typeof placedAt === 'string' &&
        !Number.isNaN(Date.parse(placedAt)) &&
        typeof orderId === 'string'
      ) {
        return { placedAt, orderId };
      }
    }
  } catch {}
  throw new ValidationError(`query ${queryType}`, [
    { path: ['after'], message: 'not a cursor from a previous page' },
  ]);
}
