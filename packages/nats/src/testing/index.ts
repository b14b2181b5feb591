// @duet/nats/testing: helpers for tests against a real NATS server.

export { deleteStreams, testDeadLetters, testStream, uniqueService } from './test-streams.ts';
