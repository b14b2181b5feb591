import type { ProcessorHealth, ProjectionState, ProjectionStatus } from '../processor-types.ts';

/** One partition as a readiness check reports it. */
export interface ProcessorReadinessDetail {
  readonly name: string;
  readonly version: number;
  readonly partition: number;
  readonly active: boolean;
  readonly state: ProjectionState;
  readonly health: ProcessorHealth;
  readonly lagEvents: number;
  readonly lagMs: number;
  /** Why this partition keeps the process from being ready, naming it: 'accounts v1 is stalled: ...'. */
  readonly reason?: string;
}

/** The shape `@duet/http`'s `readiness` option returns (`ready: false` answers 503). */
export interface ProcessorReadiness {
  readonly ready: boolean;
  readonly details: ProcessorReadinessDetail[];
}

export interface ProcessorReadinessOptions {
  /**
   * Also require every active partition to be 'live' and at most this far behind (age of
   * the oldest waiting event), so queries are not sent to read models far behind [none].
   */
  readonly maxLagMs?: number;
}

/**
 * Readiness from `status()` rows: ready while every partition of an active version is
 * healthy or paused by an operator (neither stalled nor stopped: a dead runner is never
 * ready) and, with
 * `maxLagMs`, live and close to the head. Every partition is listed; each one that keeps
 * it from being ready says why. Versions being built beside the active one are listed
 * but do not count.
 *
 * @example
 * await app.register(duetHttp, {
 *   ...,
 *   readiness: async () => processorReadiness(await processors.status(), { maxLagMs: 5_000 }),
 * });
 */
export function processorReadiness(
  statuses: readonly ProjectionStatus[],
  options: ProcessorReadinessOptions = {},
): ProcessorReadiness {
  let ready = true;
  const details = statuses.map((s): ProcessorReadinessDetail => {
    const reason = notReadyBecause(s, options.maxLagMs);
    if (reason !== undefined && s.active) ready = false;
    return {
      name: s.name,
      version: s.version,
      partition: s.partition,
      active: s.active,
      state: s.state,
      health: s.health,
      lagEvents: s.lagEvents,
      lagMs: s.lagMs,
      ...(reason === undefined ? {} : { reason }),
    };
  });
  return { ready, details };
}

/** A sentence that names the partition and says why it is not ready, or undefined. */
function notReadyBecause(s: ProjectionStatus, maxLagMs: number | undefined): string | undefined {
  const label = `${s.name} v${s.version}${s.partitions > 1 ? ` partition ${s.partition}` : ''}`;
  // Paused on purpose: an operator's choice, not a fault to take the process out for.
  if (s.health !== 'healthy' && s.health !== 'paused') {
    return `${label} is ${s.health}: ${s.reason ?? 'no reason recorded'}`;
  }
  if (maxLagMs === undefined) return undefined;
  if (s.state !== 'live') return `${label} is ${s.state}, ${s.lagEvents} events behind`;
  if (s.lagMs > maxLagMs) return `${label} is ${s.lagMs} ms behind, more than ${maxLagMs}`;
  return undefined;
}
