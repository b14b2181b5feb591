import type { MessageStreamDefinition } from '@duet/core';
import { streamConfig } from '@duet/nats';
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

/** The bench's own NATS connection: raw publish, stream resets and counts, clean-up. */
export interface BenchNats {
  readonly connection: NatsConnection;
  readonly serverVersion: string;
  /** Deletes the stream if it exists and creates it empty (so no de-duplication carries over). */
  resetStream(definition: MessageStreamDefinition): Promise<void>;
  /** Messages the stream holds. */
  storedCount(name: string): Promise<number>;
  /** Deletes streams; ignores ones already gone. */
  deleteStreams(names: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export async function openBenchNats(url: string): Promise<BenchNats> {
  const connection = await connect({ servers: url, name: 'duet-bench' });
  const jsm: JetStreamManager = await jetstreamManager(connection);
  const deleteStreams = async (names: readonly string[]) => {
    for (const name of names) await jsm.streams.delete(name).catch(() => false);
  };
  return {
    connection,
    serverVersion: connection.info?.version ?? 'unknown',
    async resetStream(definition) {
      await deleteStreams([definition.name]);
      await jsm.streams.add(streamConfig(definition));
    },
    async storedCount(name) {
      return (await jsm.streams.info(name)).state.messages;
    },
    deleteStreams,
    async close() {
      await connection.close();
    },
  };
}
