import { ValidationError } from '../errors/validation-error.ts';
import { MAX_READ_TOKEN_LENGTH } from '../query-bus/resolve-consistency.ts';

/**
 * What a read-your-writes token across services names: version `streamVersion` of stream
 * `stream` of service `service`. A command's reply has the stream and version; the service
 * is the one that ran it. Written `<service>@<stream>:<streamVersion>`.
 */
export interface ReadToken {
  readonly service: string;
  readonly stream: string;
  readonly streamVersion: number;
}

const servicePattern = /^[A-Za-z][A-Za-z0-9_-]*$/;
const tokenPattern = /^([A-Za-z][A-Za-z0-9_-]*)@(.+):([1-9][0-9]{0,14})$/;

/**
 * The token of a write: `<service>@<stream>:<streamVersion>`. Throws `ValidationError` for
 * a service name that is not a letter then letters, digits, `_` or `-`, or a version that
 * is not a whole number >= 1.
 *
 * @example
 * formatReadToken({ service: 'orders', stream: reply.stream, streamVersion: reply.streamVersion });
 * // 'orders@order-o-1:3'
 */
export function formatReadToken(write: ReadToken): string {
  const issues = [];
  if (typeof write?.service !== 'string' || !servicePattern.test(write.service)) {
    issues.push({ path: ['service'], message: 'expected a letter, then letters, digits, _ or -' });
  }
  if (typeof write?.stream !== 'string' || write.stream.length === 0) {
    issues.push({ path: ['stream'], message: 'expected a stream name' });
  }
  if (!Number.isSafeInteger(write?.streamVersion) || write.streamVersion < 1) {
    issues.push({ path: ['streamVersion'], message: 'expected a whole number >= 1' });
  }
  if (issues.length > 0) throw new ValidationError('read token', issues);
  return `${write.service}@${write.stream}:${write.streamVersion}`;
}

/**
 * Reads a token made by `formatReadToken`; throws `ValidationError` when it is malformed
 * or longer than `MAX_READ_TOKEN_LENGTH` (300) characters.
 *
 * @example
 * parseReadToken('orders@order-o-1:3'); // { service: 'orders', stream: 'order-o-1', streamVersion: 3 }
 */
export function parseReadToken(token: string): ReadToken {
  const match =
    typeof token === 'string' && token.length <= MAX_READ_TOKEN_LENGTH
      ? tokenPattern.exec(token)
      : null;
  if (!match) {
    throw new ValidationError('read token', [
      {
        path: [],
        message: `expected <service>@<stream>:<version>, got ${JSON.stringify(token)}`,
      },
    ]);
  }
  return { service: match[1]!, stream: match[2]!, streamVersion: Number(match[3]) };
}
