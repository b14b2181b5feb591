import { describe, expect, it } from 'vitest';
import {
  authorizing,
  compensation,
  paymentAuthorized,
  t,
} from './placement-fixtures.test-support.ts';
import { sagaTimeline } from './saga-timeline.ts';

describe('sagaTimeline', () => {
  it('given a placement that timed out and was paid late, then its timeline tells the story in order', () => {
    const events = [
      ...authorizing(),
      { type: 'PlacementTimerFired', data: { orderId: 'o-1', kind: 'payment-timeout', at: t(32) } },
      ...compensation('PAYMENT_TIMED_OUT', 'payment timed out', ['stock', 'credit'], t(32)),
      paymentAuthorized(t(33)),
    ] as const;
    expect(sagaTimeline(events)).toEqual([
      { at: t(0), step: 'placement started', detail: '3 units of 2 products for ada, total 9.00' },
      { at: t(0), step: 'stock requested', detail: '2 × tea, 1 × mug' },
      { at: t(0), step: 'credit requested', detail: '9.00' },
      { at: t(1), step: 'stock reserved', detail: '' },
      { at: t(2), step: 'credit reserved', detail: '9.00' },
      { at: t(2), step: 'payment requested', detail: '9.00' },
      { at: t(2), step: 'timer scheduled', detail: `payment-timeout due ${t(32)}` },
      { at: t(32), step: 'timer fired', detail: 'payment-timeout' },
      {
        at: t(32),
        step: 'compensation started',
        detail: 'PAYMENT_TIMED_OUT: payment timed out',
      },
      { at: t(32), step: 'stock release requested', detail: 'payment timed out' },
      { at: t(32), step: 'credit release requested', detail: 'payment timed out' },
      { at: t(32), step: 'cancelled', detail: 'PAYMENT_TIMED_OUT: payment timed out' },
      { at: t(33), step: 'payment authorized', detail: '9.00 (payment-o-1)' },
    ]);
  });
});
