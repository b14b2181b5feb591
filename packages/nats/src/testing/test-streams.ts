import { randomBytes } from 'node:crypto';
import {
  defineMessageStream,
  type MessageStreamDefinition,
  type MessageStreamOptions,
} from '@duet/core';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/** A service name no other test run uses, e.g. `orders_3f9a1c2b7d`: its subjects and streams are its own. */
export function uniqueService(base: string): string {
  return `${base}_${randomBytes(5).toString('hex')}`;
}

/** A stream definition named after a unique service, for one test. */
export function testStream(
  base: string,
  options: Omit<MessageStreamOptions, 'service'> = {},
): MessageStreamDefinition {
  const service = uniqueService(base);
  return defineMessageStream({ service, name: `T_${service}`, ...options });
}

/** Dead-letter settings of their own, so runs never read each other's dead letters. */
export function testDeadLetters(): { stream: string; subjectPrefix: string } {
  const id = randomBytes(5).toString('hex');
  return { stream: `T_DEAD_${id}`, subjectPrefix: `t_dead_${id}` };
}

/** Deletes the test's streams (names starting `T_` that it made). Ignores ones already gone. */
export async function deleteStreams(servers: string, names: readonly string[]): Promise<void> {
  const nc = await connect({ servers });
  try {
    const jsm = await jetstreamManager(nc);
    for (const name of names) await jsm.streams.delete(name).catch(() => false);
  } finally {
    await nc.close();
  }
}
