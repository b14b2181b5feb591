import { ValidationError } from '@duet/core';
import { describe, expect, it } from 'vitest';
import {
  createSimulatedGateway,
  type SimulatedGatewayOptions,
} from './create-simulated-gateway.ts';

// A small seeded generator (mulberry32): the same seed gives the same run.
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Records each requested delay and returns at once: latency is asserted, never timed.
function recordingSleep() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

function gatewayWith(options: Partial<SimulatedGatewayOptions> = {}) {
  const { delays, sleep } = recordingSleep();
  const gateway = createSimulatedGateway({
    failureRate: 0,
    latencyMs: { min: 0, max: 0 },
    random: seeded(42),
    sleep,
    ...options,
  });
  return { gateway, delays };
}

const request = (orderId: string) => ({ orderId, amountCents: 2100, idempotencyKey: orderId });

describe('the simulated gateway', () => {
  it('given failure rate 0, when it authorizes, then every authorization is approved with a code', async () => {
    const { gateway } = gatewayWith({ failureRate: 0 });
    for (const orderId of ['o-1', 'o-2', 'o-3']) {
      const result = await gateway.authorize(request(orderId));
      expect(result).toEqual({
        status: 'approved',
        authorizationCode: expect.stringMatching(/^SIM-/),
      });
    }
  });

  it('given failure rate 1, when it authorizes, then every authorization is declined with a reason', async () => {
    const { gateway } = gatewayWith({ failureRate: 1 });
    for (const orderId of ['o-1', 'o-2', 'o-3']) {
      const result = await gateway.authorize(request(orderId));
      expect(result).toEqual({ status: 'declined', reason: expect.any(String) });
    }
  });

  it('given the same seed, when two gateways authorize the same orders, then they answer alike', async () => {
    const orders = Array.from({ length: 20 }, (_, i) => `o-${i}`);
    const run = async () => {
      const { gateway } = gatewayWith({ failureRate: 0.5, random: seeded(7) });
      const results = [];
      for (const orderId of orders) results.push(await gateway.authorize(request(orderId)));
      return results;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    // Half declined on average: with 20 draws both answers occur.
    expect(new Set(first.map((r) => r.status))).toEqual(new Set(['approved', 'declined']));
  });

  it('given an answered key, when the same key comes again, then the same result comes back', async () => {
    const { gateway } = gatewayWith({ failureRate: 0.5, random: seeded(3) });
    const first = await gateway.authorize(request('o-1'));
    for (let i = 0; i < 10; i++) expect(await gateway.authorize(request('o-1'))).toEqual(first);
  });

  it('given a declined key, when the same key comes again, then it is declined again (not retried at random)', async () => {
    // Draws: the latency, then 0 declines; every later draw would approve.
    const draws = [0, 0, 0];
    const { gateway } = gatewayWith({ failureRate: 0.5, random: () => draws.shift() ?? 0.99 });
    const first = await gateway.authorize(request('o-1'));
    expect(first.status).toBe('declined');
    expect(await gateway.authorize(request('o-1'))).toEqual(first);
  });

  it('given a latency range, when it is called, then it waits a delay drawn within the range', async () => {
    const draws = [0, 0.5, 0.999];
    const { gateway, delays } = gatewayWith({
      latencyMs: { min: 20, max: 80 },
      random: () => draws.shift() ?? 0,
    });
    await gateway.capture({
      orderId: 'o-1',
      authorizationCode: 'A',
      amountCents: 1,
      idempotencyKey: 'k1',
    });
    await gateway.void({ orderId: 'o-1', authorizationCode: 'A', idempotencyKey: 'k2' });
    await gateway.refund({
      orderId: 'o-1',
      authorizationCode: 'A',
      amountCents: 1,
      idempotencyKey: 'k3',
    });
    expect(delays).toEqual([20, 50, 80]);
  });

  it('given failure rate 1, when it captures, voids or refunds, then they are approved (only authorizations fail)', async () => {
    const { gateway } = gatewayWith({ failureRate: 1 });
    const settlement = { orderId: 'o-1', authorizationCode: 'A', idempotencyKey: 'o-1' };
    expect(await gateway.capture({ ...settlement, amountCents: 1 })).toEqual({
      status: 'approved',
    });
    expect(await gateway.void(settlement)).toEqual({ status: 'approved' });
    expect(await gateway.refund({ ...settlement, amountCents: 1 })).toEqual({ status: 'approved' });
  });

  it('given a key limit, when more keys are answered, then the oldest is forgotten', async () => {
    const { gateway } = gatewayWith({ rememberKeys: 1 });
    const first = await gateway.authorize(request('o-1'));
    await gateway.authorize(request('o-2'));
    // Answered afresh: a new authorization with a new code.
    expect(await gateway.authorize(request('o-1'))).not.toEqual(first);
  });

  it.each([
    [{ failureRate: 1.5 }, 'failureRate'],
    [{ failureRate: Number.NaN }, 'failureRate'],
    [{ latencyMs: { min: -1, max: 5 } }, 'latencyMs.min'],
    [{ latencyMs: { min: 10, max: 5 } }, 'latencyMs.max'],
    [{ rememberKeys: 0 }, 'rememberKeys'],
  ])('given the bad option %o, when it is created, then it fails naming %s', (bad, path) => {
    const create = () =>
      createSimulatedGateway({ failureRate: 0, latencyMs: { min: 0, max: 0 }, ...bad });
    expect(create).toThrow(ValidationError);
    expect(create).toThrow(path);
  });
});
