import type { RecordedEvent } from '../event-store/recorded-event.ts';
import {
  checkHandler,
  checkProcessorOptions,
  type ProcessorOptions,
} from './check-processor-options.ts';
import type { ReactorContext, ReactorDefinition } from './processor-definition.ts';

/** What `defineReactor` takes. */
export interface ReactorOptions<E extends RecordedEvent = RecordedEvent> extends ProcessorOptions {
  /** Handles one event; its effects go through `context.tx` to commit with the inbox row. */
  handle(event: E, context: ReactorContext): Promise<void>;
}

/**
 * Declares a reactor: a policy that reacts to events (sends commands, records effects).
 * The processor runner runs it like a projection, with an inbox row per event in the
 * same transaction as its effects and checkpoint.
 *
 * @example
 * const welcome = defineReactor({ name: 'welcome_mail', events: [CustomerRegistered],
 *   handle: async (event, { tx }) => { await tx.query('INSERT INTO outbox_mail ...', [event.data.email]) } });
 */
export function defineReactor<E extends RecordedEvent = RecordedEvent>(
  options: ReactorOptions<E>,
): ReactorDefinition<E> {
  const base = checkProcessorOptions('reactor', options);
  const { handle } = options;
  checkHandler('reactor', base.name, 'handle', handle);
  return { kind: 'reactor', ...base, handle: (event, context) => handle(event, context) };
}
