import type { DeadLetteredMessage, Delivery } from '@duet/core';
import {
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { isNotFound } from './nats-errors.ts';
import type { NatsTransportConfig } from './nats-transport-options.ts';

const decoder = new TextDecoder();
const encoder = new TextEncoder();
// What the dead-letter record adds to the message's own headers.
const letterHeaders = [
  'Duet-Dead-Consumer',
  'Duet-Dead-Error',
  'Duet-Dead-Attempts',
  'Duet-Dead-Subject',
  'Duet-Dead-Message-Id',
  'Duet-Dead-At',
];

/** Dead letters in a JetStream stream of their own: one subject per consumer. */
export function deadLetterStore(
  js: JetStreamClient,
  jsm: JetStreamManager,
  config: NatsTransportConfig,
) {
  const { deadLetterStream: stream, deadLetterPrefix: prefix } = config;
  return {
    async ensure() {
      try {
        await jsm.streams.info(stream);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        await jsm.streams.add({
          name: stream,
          subjects: [`${prefix}.>`],
          retention: RetentionPolicy.Limits,
          storage: StorageType.File,
          discard: DiscardPolicy.Old,
          num_replicas: config.deadLetterReplicas,
        });
      }
    },
    async add(consumer: string, delivery: Delivery, error: string) {
      const h = natsHeaders();
      for (const [key, value] of Object.entries(delivery.message.headers)) h.set(key, value);
      h.set('Duet-Dead-Consumer', consumer);
      // Header values are one line.
      h.set('Duet-Dead-Error', error.replace(/[\r\n]+/g, ' ').slice(0, 4_000));
      h.set('Duet-Dead-Attempts', String(delivery.attempt));
      h.set('Duet-Dead-Subject', delivery.message.subject);
      h.set('Duet-Dead-Message-Id', delivery.message.id);
      h.set('Duet-Dead-At', new Date().toISOString());
      // The same delivery dead-lettered twice (a crash before its ack) is stored once.
      await js.publish(`${prefix}.${consumer}`, encoder.encode(delivery.message.payload), {
        headers: h,
        msgID: `${consumer}:${delivery.stream}:${delivery.sequence}`,
      });
    },
    async list(consumer?: string): Promise<DeadLetteredMessage[]> {
      let info: Awaited<ReturnType<JetStreamManager['streams']['info']>>;
      try {
        info = await jsm.streams.info(stream);
      } catch (error) {
        if (isNotFound(error)) return [];
        throw error;
      }
      const letters: DeadLetteredMessage[] = [];
      const wanted = consumer === undefined ? null : `${prefix}.${consumer}`;
      for (
        let seq = info.state.first_seq;
        seq <= info.state.last_seq && info.state.messages > 0;
        seq++
      ) {
        const stored = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
        if (!stored || (wanted !== null && stored.subject !== wanted)) continue;
        const h = stored.header;
        const own: Record<string, string> = {};
        for (const key of h.keys()) {
          if (!letterHeaders.includes(key) && key !== 'Nats-Msg-Id') own[key] = h.get(key);
        }
        letters.push({
          id: String(seq),
          consumer: h.get('Duet-Dead-Consumer'),
          error: h.get('Duet-Dead-Error'),
          attempts: Number(h.get('Duet-Dead-Attempts')),
          at: h.get('Duet-Dead-At'),
          message: {
            id: h.get('Duet-Dead-Message-Id'),
            subject: h.get('Duet-Dead-Subject'),
            headers: own,
            payload: decoder.decode(stored.data),
          },
        });
      }
      return letters;
    },
    async remove(id: string) {
      const seq = Number(id);
      if (!Number.isSafeInteger(seq) || seq < 1) return;
      await jsm.streams.deleteMessage(stream, seq).catch((error) => {
        if (!/no message found|not found/i.test(String(error))) throw error;
      });
    },
  };
}
