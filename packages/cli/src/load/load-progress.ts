import { SingleBar } from 'cli-progress';
import type { OutputStream } from '../cli-io.ts';
import type { LoadProgress } from './run-load.ts';

/** Shows a run's progress on stderr; `stop` leaves the last state on screen. */
export interface LoadProgressReporter {
  update(progress: LoadProgress): void;
  stop(): void;
}

/**
 * A cli-progress bar over the run's seconds on a terminal, with the live counts; elsewhere
 * (CI logs, pipes) one plain line every `intervalMs`.
 *
 * @example
 * const progress = createLoadProgress(io.stderr, 'load shop', { totalS: 11, unit: 'orders', acceptedAs: 'placed', success: 'confirmed' });
 */
export function createLoadProgress(
  stream: OutputStream,
  label: string,
  words: { totalS: number; unit: string; acceptedAs: string; success: string },
  intervalMs = 1_000,
): LoadProgressReporter {
  const payload = (p: LoadProgress) => ({
    phase: p.phase,
    accepted: p.tally.accepted,
    succeeded: p.tally.succeeded,
    inFlight: p.inFlight,
    p99: p.tally.settledMs.count === 0 ? '-' : p.tally.settledMs.p99.toFixed(0),
  });
  const counts = `${words.acceptedAs} {accepted} | ${words.success} {succeeded} | in flight {inFlight} | settled p99 {p99} ms`;
  if (stream.isTTY === true) {
    const bar = new SingleBar({
      stream: stream as NodeJS.WritableStream,
      format: `${label} [{bar}] {value}/{total} s {phase} | ${counts}`,
      hideCursor: true,
      barsize: 20,
    });
    let started = false;
    let stopped = false;
    return {
      update(p) {
        const seconds = Math.min(words.totalS, Math.floor(p.elapsedS));
        if (!started) {
          bar.start(words.totalS, seconds, payload(p));
          started = true;
        } else bar.update(seconds, payload(p));
      },
      stop() {
        if (started && !stopped) bar.stop();
        stopped = true;
      },
    };
  }
  let last = 0;
  let latest: LoadProgress | null = null;
  const line = (p: LoadProgress) => {
    const values = payload(p);
    stream.write(
      `${label}: ${p.elapsedS.toFixed(0)}/${words.totalS} s ${values.phase}, ${words.acceptedAs} ${values.accepted}, ${words.success} ${values.succeeded}, in flight ${values.inFlight}, settled p99 ${values.p99} ms\n`,
    );
  };
  return {
    update(p) {
      latest = p;
      if (performance.now() - last >= intervalMs) {
        last = performance.now();
        line(p);
      }
    },
    stop() {
      if (latest) line(latest);
      latest = null;
    },
  };
}
