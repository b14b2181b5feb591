import { ValidationError } from '@duet/core';

/**
 * A read-your-writes token across services: "the history has consumed version `version`
 * of stream `stream` of service `service`", written `<service>@<stream>:<version>`, e.g.
 * `orders@order-o-1:3`. A command's reply has all three (its service, `stream`,
 * `streamVersion`).
 *
 * Why not `<service>@<position>`: a service's positions are a global order, but its
 * messages take effect in per-stream order only (lanes run side by side, an `early`
 * message is held back while later ones of other streams pass). "Highest position
 * consumed" can therefore be past a position whose event has not taken effect, and no
 * position tells which earlier events exist. A stream's version, though, is dense in its
 * stream and the inbox applies a stream strictly in order, recording the stream's version
 * in the same transaction as the effects: version >= N there means every message of that
 * stream up to N took effect (or was dead-lettered, see `createHistoryConsistency`).
 */
export interface ConsumedToken {
  readonly service: string;
  readonly stream: string;
  readonly version: number;
}

const pattern = /^([A-Za-z][A-Za-z0-9_-]*)@(.+):([1-9][0-9]{0,14})$/;

/**
 * Parses a token; throws `ValidationError` naming it when it is malformed.
 *
 * @example
 * parseConsumedToken('orders@order-o-1:3'); // { service: 'orders', stream: 'order-o-1', version: 3 }
 */
export function parseConsumedToken(token: string): ConsumedToken {
  const match = typeof token === 'string' && token.length <= 300 ? pattern.exec(token) : null;
  if (!match) {
    throw new ValidationError('read-your-writes token', [
      {
        path: [],
        message: `expected <service>@<stream>:<version>, got ${JSON.stringify(token)}`,
      },
    ]);
  }
  return { service: match[1]!, stream: match[2]!, version: Number(match[3]) };
}

/**
 * The token for a published event (an integration message, or a command reply plus its
 * service).
 *
 * @example
 * consumedToken({ service: 'orders', stream: reply.stream, streamVersion: reply.streamVersion });
 */
export function consumedToken(event: {
  readonly service: string;
  readonly stream: string;
  readonly streamVersion: number;
}): string {
  return `${event.service}@${event.stream}:${event.streamVersion}`;
}
