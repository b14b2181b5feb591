import type { RecordedEvent } from '../event-store/recorded-event.ts';
import type { ProcessorOptions } from '../processor/check-processor-options.ts';
import type { ProjectionTables, ProjectionTx } from '../processor/processor-definition.ts';

export type {
  FailurePolicy,
  ProjectionDefinition,
  ProjectionTables,
  ProjectionTx,
} from '../processor/processor-definition.ts';

/** What `defineProjection` takes. */
export interface ProjectionOptions<E extends RecordedEvent = RecordedEvent>
  extends ProcessorOptions {
  /** Creates this version's tables (runs once per version, in a transaction). Optional: leave it out when the projection writes to tables made elsewhere. */
  setup?(tx: ProjectionTx, tables: ProjectionTables): Promise<void>;
  /** Applies a batch of events in the transaction that also moves the checkpoint. */
  apply(tx: ProjectionTx, events: readonly E[], tables: ProjectionTables): Promise<void>;
}
