import { describe, expect, it } from 'vitest';
import { type HealthSample, judgeProcessorHealth } from './judge-processor-health.ts';

// Issue 12, stall detection: the rule that turns one status reading into healthy,
// stalled or stopped.

const STALL_AFTER_MS = 30_000;
const working: HealthSample = {
  running: true,
  failed: false,
  lagEvents: 0,
  lagMs: 0,
  unmovedMs: 0,
};
const judge = (sample: Partial<HealthSample>) =>
  judgeProcessorHealth({ ...working, ...sample }, STALL_AFTER_MS);

describe('the stall rule', () => {
  it('given nothing waits, then healthy however long the position has stood still', () => {
    expect(judge({ unmovedMs: 86_400_000 })).toEqual({ health: 'healthy', stuckMs: 0 });
  });

  it('given events waiting while the position stood still for less than stallAfterMs, then healthy, with the time stuck so far', () => {
    expect(judge({ lagEvents: 5, lagMs: 40_000, unmovedMs: 29_999 })).toEqual({
      health: 'healthy',
      stuckMs: 29_999,
    });
  });

  it('given a catch-up whose oldest waiting event is old but whose position moves, then healthy', () => {
    expect(judge({ lagEvents: 900_000, lagMs: 86_400_000, unmovedMs: 250 }).health).toBe('healthy');
  });

  it('given a position idle for a day when an event arrives, then it is stuck only since the event', () => {
    expect(judge({ lagEvents: 1, lagMs: 1_200, unmovedMs: 86_400_000 })).toEqual({
      health: 'healthy',
      stuckMs: 1_200,
    });
  });

  it('given events waiting and the position unmoved for stallAfterMs, then stalled, saying for how long and how many wait', () => {
    expect(judge({ lagEvents: 3, lagMs: 45_000, unmovedMs: 30_000 })).toEqual({
      health: 'stalled',
      stuckMs: 30_000,
      reason: 'its position has not moved for 30 s while 3 events wait',
    });
  });

  it('given a stall behind an open transaction, then the reason names its pid', () => {
    const verdict = judge({
      lagEvents: 1,
      lagMs: 31_000,
      unmovedMs: 31_000,
      heldBy: { pid: 4242, ageMs: 125_000 },
    });
    expect(verdict.reason).toBe(
      'its position has not moved for 31 s while 1 event waits; committed events wait behind the transaction of pid 4242, open 2 min',
    );
  });

  it('given a stall while the runner retries a failing dependency, then the reason carries its error', () => {
    expect(
      judge({ lagEvents: 2, lagMs: 60_000, unmovedMs: 60_000, lastError: 'nats: timeout' }).reason,
    ).toBe(
      'its position has not moved for 60 s while 2 events wait; its runner retries after: nats: timeout',
    );
  });

  it('given a partition that failed on a poisoned event, then stalled at once, naming the event', () => {
    expect(
      judge({
        failed: true,
        lagEvents: 1,
        lagMs: 20,
        unmovedMs: 10,
        error: {
          message: 'boom',
          eventId: 'e-1',
          eventPosition: 'p' as never,
          stream: 'acct-1',
          type: 'Deposited',
        },
      }),
    ).toEqual({
      health: 'stalled',
      stuckMs: 10,
      reason: 'failed on Deposited e-1 in acct-1: boom',
    });
  });

  it('given no fresh heartbeat, then stopped, never healthy, even with nothing to do', () => {
    expect(judge({ running: false })).toEqual({
      health: 'stopped',
      stuckMs: 0,
      reason: 'no runner works it',
    });
    expect(
      judge({ running: false, lastHeartbeat: { owner: 'host:7:abcd1234', ageMs: 6_400 } }).reason,
    ).toBe('no runner works it: the last heartbeat, from host:7:abcd1234, is 6.4 s old');
  });

  it('given a failed partition whose runner died, then stopped, with the failure in the reason', () => {
    expect(judge({ running: false, failed: true })).toEqual({
      health: 'stopped',
      stuckMs: 0,
      reason: 'no runner works it; failed on a poisoned event',
    });
  });
});
