import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { LoadOutcome, LoadSession } from './load-workload.ts';
import { runLoad } from './run-load.ts';

// A session whose unit i takes `ms(i)` and settles as `outcome(i)`; it honours the abort.
function fakeSession(ms: (i: number) => number, outcome: (i: number) => string): LoadSession {
  return {
    async run(index, accepted, signal): Promise<LoadOutcome> {
      accepted();
      await sleep(ms(index), undefined, { signal }).catch(() => {});
      return { outcome: outcome(index), accepted: true, settledMs: ms(index) };
    },
    describe: () => ({}),
    close: async () => {},
  };
}

const quiet = { success: 'ok', signal: new AbortController().signal, onProgress: () => {} };

describe('runLoad', () => {
  it('given an open loop at 100/s for 0.5 s, when units are quick, then about 50 start and every outcome is counted once', async () => {
    const session = fakeSession(
      () => 5,
      (i) => (i % 5 === 0 ? 'cancelled: out of stock' : 'ok'),
    );
    const result = await runLoad(
      session,
      { shape: { mode: 'open', rate: 100 }, durationS: 0.5, warmupS: 0, drainS: 5 },
      quiet,
    );
    const { tally } = result;
    // Every slot of the window, however late the machine starts them.
    expect(tally.started).toBe(50);
    expect(tally.accepted).toBe(tally.started);
    expect(Object.values(tally.outcomes).reduce((a, b) => a + b, 0)).toBe(tally.started);
    expect(tally.succeeded).toBe(tally.outcomes.ok);
    expect(tally.settledMs.p50).toBeCloseTo(5, 1);
  });

  it('given a warm-up, when units start during it, then they are not counted', async () => {
    const result = await runLoad(
      fakeSession(
        () => 1,
        () => 'ok',
      ),
      { shape: { mode: 'open', rate: 100 }, durationS: 0.3, warmupS: 0.3, drainS: 5 },
      quiet,
    );
    // Slots 30-59 (due at 300-590 ms) are the window's; 0-29 the warm-up's.
    expect(result.tally.started).toBe(30);
  });

  it('given a closed loop of 4 clients, when each unit takes 20 ms, then no more than 4 are in flight and no more start than the time allows', async () => {
    let inFlight = 0;
    let most = 0;
    const session: LoadSession = {
      async run(_index, accepted) {
        inFlight += 1;
        most = Math.max(most, inFlight);
        accepted();
        await sleep(20);
        inFlight -= 1;
        return { outcome: 'ok', accepted: true, settledMs: 20 };
      },
      describe: () => ({}),
      close: async () => {},
    };
    const result = await runLoad(
      session,
      { shape: { mode: 'closed', clients: 4 }, durationS: 0.4, warmupS: 0, drainS: 5 },
      quiet,
    );
    expect(most).toBe(4);
    // 4 clients x 400 ms / 20 ms: at most 80 and a unit each in flight at the end (timers
    // run late, never early); a busy machine starts fewer, but every client starts one.
    expect(result.tally.started).toBeGreaterThanOrEqual(4);
    expect(result.tally.started).toBeLessThanOrEqual(84);
  });

  it('given units that never settle, when the drain time runs out, then they count as not settled', async () => {
    const result = await runLoad(
      fakeSession(
        () => 60_000,
        () => 'ok',
      ),
      { shape: { mode: 'open', rate: 50 }, durationS: 0.1, warmupS: 0, drainS: 0.2 },
      quiet,
    );
    expect(result.abandoned).toBe(result.tally.started);
    expect(result.tally.outcomes).toEqual({ 'not settled': result.tally.started });
    expect(result.tally.succeeded).toBe(0);
  });
});
