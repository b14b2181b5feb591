/**
 * Starts `op(i)` for i = 0, 1, 2, ... at `startMs + i * 1000 / rate` (performance.now()
 * time) until `count` have started, without waiting for earlier ones to finish: an open
 * loop, so a slow answer delays no later command and latency counts from the planned start
 * (no coordinated omission). Resolves when every op has settled, with the most that were
 * in flight at once.
 */
export async function runOpenLoop(
  count: number,
  rate: number,
  startMs: number,
  op: (index: number, plannedMs: number) => Promise<void>,
): Promise<{ maxInFlight: number; lateStartsMs: number }> {
  const interval = 1000 / rate;
  let inFlight = 0;
  let maxInFlight = 0;
  let lateStartsMs = 0;
  const running: Promise<void>[] = [];
  let next = 0;
  while (next < count) {
    const due = startMs + next * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 1)));
    const now = performance.now();
    // Everything due by now starts now (a timer tick is about 1 ms, so several per tick).
    while (next < count && startMs + next * interval <= now) {
      const planned = startMs + next * interval;
      lateStartsMs = Math.max(lateStartsMs, now - planned);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      running.push(
        op(next, planned).finally(() => {
          inFlight -= 1;
        }),
      );
      next += 1;
    }
  }
  await Promise.allSettled(running);
  return { maxInFlight, lateStartsMs };
}
