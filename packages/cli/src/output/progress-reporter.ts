import { SingleBar } from 'cli-progress';
import type { OutputStream } from '../cli-io.ts';
import { formatDuration } from './format-duration.ts';

/** How far a long operation has got. */
export interface Progress {
  readonly done: number;
  readonly total: number;
  readonly perSecond: number;
  /** Null while the rate is unknown. */
  readonly etaSeconds: number | null;
}

/** Shows progress on stderr; `stop` leaves the last state on screen. */
export interface ProgressReporter {
  update(progress: Progress): void;
  stop(): void;
}

/**
 * A cli-progress bar on a terminal; elsewhere (CI logs, pipes, --json runs) one plain line
 * every `intervalMs`, so logs stay readable.
 *
 * @example
 * const progress = createProgressReporter(io.stderr, 'rebuild order_history');
 * progress.update({ done: 500, total: 2000, perSecond: 250, etaSeconds: 6 });
 */
export function createProgressReporter(
  stream: OutputStream,
  label: string,
  intervalMs = 2_000,
): ProgressReporter {
  const eta = (p: Progress) => (p.etaSeconds === null ? '?' : formatDuration(p.etaSeconds * 1000));
  if (stream.isTTY === true) {
    const bar = new SingleBar({
      stream: stream as NodeJS.WritableStream,
      format: `${label} [{bar}] {percentage}% | {value}/{total} events | {rate} events/s | ETA {etaText}`,
      hideCursor: true,
    });
    let started = false;
    let stopped = false;
    return {
      update(p) {
        const payload = { rate: Math.round(p.perSecond), etaText: eta(p) };
        if (!started) {
          bar.start(Math.max(p.total, 1), p.done, payload);
          started = true;
        } else {
          bar.setTotal(Math.max(p.total, 1));
          bar.update(p.done, payload);
        }
      },
      stop() {
        if (started && !stopped) bar.stop();
        stopped = true;
      },
    };
  }
  let last = 0;
  let latest: Progress | null = null;
  const line = (p: Progress) => {
    const percent = p.total > 0 ? Math.floor((p.done / p.total) * 100) : 100;
    stream.write(
      `${label}: ${p.done}/${p.total} events (${percent}%), ${Math.round(p.perSecond)} events/s, ETA ${eta(p)}\n`,
    );
  };
  return {
    update(p) {
      latest = p;
      if (Date.now() - last >= intervalMs) {
        last = Date.now();
        line(p);
      }
    },
    stop() {
      if (latest) line(latest);
      latest = null;
    },
  };
}
