import type { Position } from '@duet/core';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { NotMigratedError } from '../not-migrated-error.ts';
import { eventsChannel } from '../schema-name.ts';
import type { AppendOutcome, AppendWake } from './append-batch.ts';
import { createCommitNotifier } from './commit-notifier.ts';
import { laterMigrationFunction } from './later-migration-function.ts';

/**
 * Chooses how a store's appends wake readers (see `AppendWake`). On PostgreSQL: after the
 * commit, through `append_events_quiet` and the commit notifier, so appends of several
 * processes do not commit one at a time on the server's notify lock. On a schema that has
 * no `append_events_quiet` yet (migration 009 not applied: a rolling upgrade, or writers
 * while a migration runs) it falls back to `append_events`, which NOTIFYs in the
 * transaction, and tries again after 30 s. On PGlite: in the transaction (one connection,
 * whose commits take turns anyway; a NOTIFY of its own would cost it a statement).
 */
export interface AppendWakeChoice {
  /**
   * Runs a batch of the store's own (outside any caller's transaction) with the wake it
   * chose, trying `append_events_quiet` first where it may be missing, and notifies after
   * the commit when that was the way.
   */
  runBatch(run: (wake: AppendWake) => Promise<AppendOutcome[]>): Promise<AppendOutcome[]>;
  /**
   * The wake for an append inside a caller's transaction: after the commit only once the
   * quiet function is known to exist (a failed attempt would abort the caller's transaction).
   */
  inCallerTransaction(): AppendWake;
  /** After a caller's transaction committed what `inCallerTransaction` said. */
  committed(wake: AppendWake, position: Position | undefined): void;
  /** Resolves when every NOTIFY due has been sent. */
  flush(): Promise<void>;
}

export function chooseAppendWake(executor: SqlExecutor, schema: string): AppendWakeChoice {
  const notifier = createCommitNotifier(executor, eventsChannel(schema));
  const quiet = laterMigrationFunction();
  const mayTryQuiet = () => executor.kind === 'postgres' && quiet.mayTry();
  const committed = (wake: AppendWake, position: Position | undefined) => {
    if (wake === 'after-commit' && position) notifier.committed(position);
  };
  return {
    async runBatch(run) {
      if (mayTryQuiet()) {
        try {
          const outcomes = await run('after-commit');
          quiet.found();
          committed(
            'after-commit',
            highestPosition(
              outcomes.map((outcome) => (outcome.ok ? outcome.result.position : undefined)),
            ),
          );
          return outcomes;
        } catch (error) {
          if (!(error instanceof NotMigratedError)) throw error;
          quiet.missing();
        }
      }
      // A schema with no append_events either fails here with the NotMigratedError it should.
      return run('in-transaction');
    },
    inCallerTransaction: () => (quiet.present ? 'after-commit' : 'in-transaction'),
    committed,
    flush: () => notifier.flush(),
  };
}

/** The highest of the positions (those of stored appends; an idempotent retry's is old, but harmless). */
export function highestPosition(
  positions: readonly (Position | undefined)[],
): Position | undefined {
  let highest: Position | undefined;
  for (const position of positions) {
    if (position && (highest === undefined || position > highest)) highest = position;
  }
  return highest;
}
