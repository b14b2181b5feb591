import type { StreamCursor } from '@duet/postgres';
import { ConsoleHttpError } from '../console-http-error.ts';

/** A page cursor as it travels in a URL: the cursor's JSON in base64url. */
export function encodeStreamCursor(cursor: StreamCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAtMicros, cursor.stream])).toString('base64url');
}

/** The cursor in a URL, or a 400 when it is not one the console made. */
export function decodeStreamCursor(text: string): StreamCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      /^\d{1,19}$/.test(value[0]) &&
      typeof value[1] === 'string'
    ) {
      return { createdAtMicros: value[0], stream: value[1] };
    }
  } catch {
    // Falls through to the 400 below.
  }
  throw new ConsoleHttpError(400, 'the paging cursor is not one from an earlier page');
}
