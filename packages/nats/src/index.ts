// @duet/nats: integration events between services over NATS JetStream. The contracts,
// relay, consumers and inbox are in @duet/core; this package is the Transport they run on.

export { streamConfig } from './ensure-streams.ts';
export type { NatsUser } from './nats-authorization-config.ts';
export { natsAuthorizationConfig } from './nats-authorization-config.ts';
export type {
  NatsPermissions,
  NatsServicePermissionsOptions,
} from './nats-service-permissions.ts';
export { natsServicePermissions } from './nats-service-permissions.ts';
export type { NatsTransportOptions } from './nats-transport-options.ts';
export type { NatsTransport } from './open-nats-transport.ts';
export { openNatsTransport } from './open-nats-transport.ts';
