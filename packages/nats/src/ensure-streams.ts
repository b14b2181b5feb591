import { type MessageStreamDefinition, TransportConfigError } from '@duet/core';
import {
  DiscardPolicy,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { isNotFound } from './nats-errors.ts';

/** The JetStream config a stream definition asks for. */
export function streamConfig(
  definition: MessageStreamDefinition,
): Partial<StreamConfig> & { name: string } {
  return {
    name: definition.name,
    subjects: [...definition.subjects],
    retention:
      definition.retention === 'interest' ? RetentionPolicy.Interest : RetentionPolicy.Limits,
    num_replicas: definition.replicas,
    duplicate_window: nanos(definition.duplicateWindowMs),
    max_age: nanos(definition.maxAgeMs),
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
  };
}

/**
 * Creates a missing stream; checks an existing one against its definition (subjects,
 * retention and duplicate window must match: they decide what the relay's guarantees
 * mean), and warns when a stream meant to be durable runs with one replica in a cluster.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  definition: MessageStreamDefinition,
  warn: (message: string) => void,
): Promise<void> {
  const wanted = streamConfig(definition);
  let info: Awaited<ReturnType<JetStreamManager['streams']['info']>>;
  try {
    info = await jsm.streams.info(definition.name);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    try {
      info = await jsm.streams.add(wanted);
    } catch (added) {
      throw new TransportConfigError(
        definition.name,
        `cannot be created: ${(added as Error).message}`,
      );
    }
  }
  const { config } = info;
  const problems: string[] = [];
  const sameSubjects =
    [...config.subjects].sort().join() === [...definition.subjects].sort().join();
  if (!sameSubjects)
    problems.push(
      `subjects are ${config.subjects.join(', ')}, not ${definition.subjects.join(', ')}`,
    );
  if (config.retention !== wanted.retention)
    problems.push(`retention is ${config.retention}, not ${wanted.retention}`);
  if (config.duplicate_window !== wanted.duplicate_window) {
    problems.push(
      `duplicate window is ${config.duplicate_window / 1e6} ms, not ${definition.duplicateWindowMs} ms`,
    );
  }
  if (problems.length > 0) throw new TransportConfigError(definition.name, problems.join('; '));
  if (info.cluster !== undefined && config.num_replicas < 2) {
    warn(
      `duet: WARNING stream ${definition.name} runs with 1 replica in cluster ${info.cluster.name ?? '(unnamed)'}: a node loss loses its messages; define it with replicas: 3`,
    );
  }
}
