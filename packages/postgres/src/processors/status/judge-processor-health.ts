import type { ProcessorHealth, ProjectionFailure } from '../processor-types.ts';

/** What one status reading says of a partition: the stall rule's input. */
export interface HealthSample {
  /** A runner's heartbeat for the partition is fresh. */
  readonly running: boolean;
  /** It stopped on a poisoned event (policy 'stop'), with the event when known. */
  readonly failed: boolean;
  readonly error?: ProjectionFailure | undefined;
  /** An operator paused it (since when, by whom) and its runner waits. */
  readonly paused?: { readonly at: string; readonly by?: string } | undefined;
  /** Events of its types (and partition) after its position, and the oldest one's age. */
  readonly lagEvents: number;
  readonly lagMs: number;
  /** Time since its checkpoint row last changed (a move, a state change). */
  readonly unmovedMs: number;
  /** The transaction that keeps committed events from readers, if any. */
  readonly heldBy?: { readonly pid: number; readonly ageMs: number } | undefined;
  /** Why its runner waits and retries (a database or broker error), if it does. */
  readonly lastError?: string | undefined;
  /** The last heartbeat recorded for the partition, fresh or not. */
  readonly lastHeartbeat?: { readonly owner: string; readonly ageMs: number } | undefined;
}

/** The rule's answer: health, how long it has been stuck, and why when not healthy. */
export interface HealthVerdict {
  readonly health: ProcessorHealth;
  readonly stuckMs: number;
  readonly reason?: string;
}

/**
 * The stall rule. Stuck time is how long events have waited while the position stood
 * still: the shorter of "since the checkpoint last moved" and "age of the oldest waiting
 * event" (a projection idle for a day is not stuck the moment an event arrives). Then:
 * no fresh heartbeat is 'stopped'; a failed partition is 'stalled' at once (it will not
 * move until restarted); a paused one is 'paused' (stuck on purpose); stuck for `stallAfterMs` or more is 'stalled'; else 'healthy'.
 * A busy catch-up moves its checkpoint every batch, so it never counts as stuck.
 *
 * @example
 * judgeProcessorHealth({ running: true, failed: false, lagEvents: 3, lagMs: 40_000, unmovedMs: 35_000 }, 30_000)
 * // { health: 'stalled', stuckMs: 35000, reason: 'its position has not moved for 35 s while 3 events wait' }
 */
export function judgeProcessorHealth(sample: HealthSample, stallAfterMs: number): HealthVerdict {
  const stuckMs =
    sample.lagEvents > 0 ? Math.max(0, Math.round(Math.min(sample.unmovedMs, sample.lagMs))) : 0;
  if (!sample.running) return { health: 'stopped', stuckMs, reason: stoppedReason(sample) };
  if (sample.failed) return { health: 'stalled', stuckMs, reason: failedReason(sample) };
  if (sample.paused) return { health: 'paused', stuckMs, reason: pausedReason(sample) };
  if (sample.lagEvents > 0 && stuckMs >= stallAfterMs) {
    return { health: 'stalled', stuckMs, reason: stuckReason(sample, stuckMs) };
  }
  return { health: 'healthy', stuckMs };
}

function stoppedReason(sample: HealthSample): string {
  const beat = sample.lastHeartbeat;
  const runner = beat
    ? `no runner works it: the last heartbeat, from ${beat.owner}, is ${formatMs(beat.ageMs)} old`
    : 'no runner works it';
  return sample.failed ? `${runner}; ${failedReason(sample)}` : runner;
}

function pausedReason(sample: HealthSample): string {
  const waiting = sample.lagEvents === 1 ? '1 event waits' : `${sample.lagEvents} events wait`;
  const who = sample.paused?.by ?? 'an operator';
  return `paused by ${who} since ${sample.paused?.at ?? 'now'}; ${waiting}`;
}

function failedReason({ error }: HealthSample): string {
  return error
    ? `failed on ${error.type} ${error.eventId} in ${error.stream}: ${error.message}`
    : 'failed on a poisoned event';
}

function stuckReason(sample: HealthSample, stuckMs: number): string {
  const events = sample.lagEvents === 1 ? '1 event waits' : `${sample.lagEvents} events wait`;
  const why = sample.heldBy
    ? `; committed events wait behind the transaction of pid ${sample.heldBy.pid}, open ${formatMs(sample.heldBy.ageMs)}`
    : sample.lastError
      ? `; its runner retries after: ${sample.lastError}`
      : '';
  return `its position has not moved for ${formatMs(stuckMs)} while ${events}${why}`;
}

/** '850 ms', '4.2 s', '35 s', '12 min'. */
function formatMs(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (ms < 120_000) return `${Math.round(ms / 1_000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}
