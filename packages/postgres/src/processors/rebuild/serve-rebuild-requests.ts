import { isPosition, type Position } from '@duet/core';
import type { SqlExecutor } from '../../executor/sql-executor.ts';
import { messageOf } from '../runner/poisoned-event-error.ts';
import { controlChannel } from '../tables/notify-channels.ts';
import { failRebuildRequest, readNextRebuildRequest } from '../tables/rebuild-requests-table.ts';

/** A request a runner found for one of the projections it works. */
export interface PendingRebuild {
  readonly id: string;
  readonly name: string;
  readonly from: Position | Date | undefined;
}

export interface RebuildRequestServer {
  /** LISTENs on the control channel (a failure leaves the periodic `check`). */
  start(): Promise<void>;
  /** Looks for pending requests now; one check at a time. */
  check(): Promise<void>;
  stop(): Promise<void>;
}

export interface RebuildRequestServerOptions {
  readonly readModels: SqlExecutor;
  readonly schema: string;
  readonly owner: string;
  /** Names of the projections whose active version this runner works now. */
  names(): readonly string[];
  /**
   * Rebuilds, taking the request with `takeRebuildRequest` in the reset's transaction;
   * resolves to false when another runner (or a withdrawal) had it.
   */
  perform(request: PendingRebuild): Promise<boolean>;
}

/**
 * The owning runner's side of rebuild requests: woken by NOTIFY on the control channel
 * (and by `check` on every status heartbeat, in case a notification was missed), it takes
 * the oldest pending request for a projection it works and performs it. A request it
 * cannot perform is marked failed with the reason, for the requester to show.
 */
export function serveRebuildRequests(options: RebuildRequestServerOptions): RebuildRequestServer {
  let checking: Promise<void> | null = null;
  let again = false;
  let unlisten: (() => Promise<void>) | null = null;
  let stopped = false;

  const next = async (): Promise<PendingRebuild | null> => {
    const names = options.names();
    if (names.length === 0) return null;
    const row = await readNextRebuildRequest(options.readModels, options.schema, names);
    if (!row) return null;
    const from =
      row.from_position !== null && isPosition(row.from_position)
        ? row.from_position
        : row.from_time !== null
          ? new Date(row.from_time)
          : undefined;
    return { id: row.id, name: row.name, from };
  };

  const fail = (id: string, error: unknown) =>
    failRebuildRequest(options.readModels, options.schema, id, options.owner, messageOf(error));

  const serve = async () => {
    do {
      again = false;
      for (let request = await next(); request && !stopped; request = await next()) {
        try {
          // Someone else holds it: look again on the next wake-up, not in a tight loop.
          if (!(await options.perform(request))) break;
        } catch (error) {
          await fail(request.id, error);
        }
      }
    } while (again && !stopped);
  };

  const check = () => {
    if (stopped) return Promise.resolve();
    if (checking) {
      again = true; // a request may have come after this check's read
      return checking;
    }
    checking = serve()
      .catch(() => {}) // the database is unreachable: the next heartbeat checks again
      .finally(() => {
        checking = null;
      });
    return checking;
  };

  return {
    async start() {
      stopped = false;
      unlisten = await options.readModels
        .listen(controlChannel(options.schema), () => void check())
        .catch(() => null);
      void check();
    },
    check,
    async stop() {
      stopped = true;
      await unlisten?.().catch(() => {});
      unlisten = null;
      await checking;
    },
  };
}
