import type { RecordedEvent } from '../event-store/recorded-event.ts';
import { checkHandler, checkProcessorOptions } from '../processor/check-processor-options.ts';
import type { ProjectionDefinition, ProjectionOptions } from './projection-definition.ts';

/**
 * Declares a read model: the events it reads and how a batch of them changes its tables.
 * A runner (`openProcessors` in @duet/postgres) applies each batch and moves the
 * checkpoint in one transaction.
 *
 * @example
 * const orderHistory = defineProjection({
 *   name: 'order_history', version: 1, events: [OrderPlaced],
 *   setup: (tx, t) => tx.query(`CREATE TABLE ${t.name('orders')} (id text PRIMARY KEY)`).then(() => {}),
 *   apply: async (tx, events, t) => { for (const e of events)
 *     await tx.query(`INSERT INTO ${t.name('orders')} VALUES ($1)`, [e.stream]) },
 * });
 */
export function defineProjection<E extends RecordedEvent = RecordedEvent>(
  options: ProjectionOptions<E>,
): ProjectionDefinition<E> {
  const base = checkProcessorOptions('projection', options);
  const { setup, apply } = options;
  if (setup !== undefined) checkHandler('projection', base.name, 'setup', setup);
  checkHandler('projection', base.name, 'apply', apply);
  return {
    kind: 'projection',
    ...base,
    setup: (tx, tables) => (setup ? setup(tx, tables) : Promise.resolve()),
    apply: (tx, events, tables) => apply(tx, events, tables),
  };
}
