// A read-your-writes token across services: "the history has consumed version `version`
// of stream `stream` of service `service`", written `<service>@<stream>:<version>`, e.g.
// `orders@order-o-1:3`. A command's reply has all three (its service, `stream`,
// `streamVersion`), and over HTTP it carries the token itself as `readToken`. The format
// is core's (`formatReadToken`, `parseReadToken`); what follows is why the history reads
// it as a stream version.
//
// Why not `<service>@<position>`: a service's positions are a global order, but its
// messages take effect in per-stream order only (lanes run side by side, an `early`
// message is held back while later ones of other streams pass). "Highest position
// consumed" can therefore be past a position whose event has not taken effect, and no
// position tells which earlier events exist. A stream's version, though, is dense in its
// stream and the inbox applies a stream strictly in order, recording the stream's version
// in the same transaction as the effects: version >= N there means every message of that
// stream up to N took effect (or was dead-lettered, see `createHistoryConsistency`).

/**
 * The token for a published event (an integration message, or a command reply plus its
 * service): core's `formatReadToken` under the history's name for it.
 *
 * @example
 * consumedToken({ service: 'orders', stream: reply.stream, streamVersion: reply.streamVersion });
 */
export { formatReadToken as consumedToken, parseReadToken } from '@duet/core';
