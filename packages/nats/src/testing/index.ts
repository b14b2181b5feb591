// @duet/nats/testing: helpers for tests against a real NATS server.

export type {
  NatsServerOptions,
  NatsServerProcess,
} from '../../test-support/nats-server-process.ts';
export {
  natsServerBinaryFound,
  startNatsServer,
} from '../../test-support/nats-server-process.ts';
export { deleteStreams, testDeadLetters, testStream, uniqueService } from './test-streams.ts';
