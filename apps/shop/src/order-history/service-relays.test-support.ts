import { randomUUID } from 'node:crypto';
import {
  type IntegrationDataOf,
  type IntegrationEventDefinition,
  type IntegrationMessage,
  type Transport,
  toTransportMessage,
} from '@duet/core';
import type { ShopStreams } from '../contracts/message-streams.ts';

/**
 * Plays the four services' relays for tests: each service numbers its positions, each
 * stream its versions (`previousVersion` the stream's last published one). `build` makes a
 * message without publishing it, so a test can hold one back and publish it later.
 *
 * @example
 * const relays = createServiceRelays(transport, streams);
 * const placed = await relays.publish(OrderPlacedV1, 'order-o-1', { orderId: 'o-1', ... });
 */
export function createServiceRelays(transport: Transport, streams: ShopStreams) {
  const versions = new Map<string, number>();
  const positions = new Map<string, number>();
  let clock = Date.parse('2025-01-01T00:00:00.000Z');

  const build = <D extends IntegrationEventDefinition>(
    contract: D,
    stream: string,
    data: IntegrationDataOf<D>,
  ): IntegrationMessage => {
    const key = `${contract.service}/${stream}`;
    const previousVersion = versions.get(key) ?? 0;
    versions.set(key, previousVersion + 1);
    const position = (positions.get(contract.service) ?? 0) + 1;
    positions.set(contract.service, position);
    // A second apart, so "newest first" is well defined whatever the machine's speed.
    clock += 1_000;
    return {
      id: randomUUID(),
      service: contract.service,
      type: contract.name,
      subject: contract.subject,
      version: contract.version,
      stream,
      streamVersion: previousVersion + 1,
      previousVersion,
      // The store's position format: (transaction id, sequence), 16 hex digits each.
      position: `${position.toString(16).padStart(16, '0')}-${'0'.repeat(16)}`,
      occurredAt: new Date(clock).toISOString(),
      data,
      metadata: {},
    };
  };

  const send = async (messages: readonly IntegrationMessage[]) => {
    await transport.ensureStreams(Object.values(streams));
    await transport.publish(messages.map(toTransportMessage));
  };

  return {
    build,
    send,
    async publish<D extends IntegrationEventDefinition>(
      contract: D,
      stream: string,
      data: IntegrationDataOf<D>,
    ): Promise<IntegrationMessage> {
      const message = build(contract, stream, data);
      await send([message]);
      return message;
    },
  };
}

/**
 * Resolves once `check` returns true (looked at every 20 ms), or fails after `timeoutMs`
 * with the last value seen: tests wait on conditions, never on fixed sleeps.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (performance.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
