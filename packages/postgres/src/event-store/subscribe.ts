import type { RecordedEvent, SubscribeOptions } from '@duet/core';
import type { NotifyWakeUp } from '../executor/notify-wake-up.ts';
import type { ResolvedEventStoreOptions } from './postgres-event-store-options.ts';
import { checkReadAllOptions, readAll } from './read-all.ts';

/**
 * Catches up with `readAll` from `after`, then follows: sleeps until a NOTIFY (or a
 * LISTEN reconnect, or `pollIntervalMs` without either) and reads on from the last
 * position it yielded. Returns when `signal` aborts.
 */
export async function* subscribe(
  config: Pick<
    ResolvedEventStoreOptions,
    'executor' | 'schema' | 'events' | 'pageSize' | 'pollIntervalMs'
  >,
  wake: NotifyWakeUp,
  options: SubscribeOptions = {},
): AsyncGenerator<RecordedEvent> {
  let { after } = checkReadAllOptions('subscribe', options);
  const { signal, ...filters } = options;
  await wake.start();
  while (!signal?.aborted) {
    const seen = wake.generation;
    for await (const event of readAll(config, { ...filters, after })) {
      after = event.position;
      yield event;
      if (signal?.aborted) return;
    }
    await wake.wait(seen, config.pollIntervalMs, signal);
  }
}
