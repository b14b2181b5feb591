import { ValidationError, type ValidationIssue } from '@duet/core';
import type {
  AuthorizationRequest,
  AuthorizationResult,
  GatewayRequest,
  PaymentGateway,
  SettlementResult,
} from './payment-gateway.ts';

/** Options of `createSimulatedGateway`. */
export interface SimulatedGatewayOptions {
  /** Share of authorizations declined, from 0 (never) to 1 (always). */
  readonly failureRate: number;
  /** Each call waits a whole number of ms drawn evenly from `min` to `max` (inclusive). */
  readonly latencyMs: { readonly min: number; readonly max: number };
  /** Numbers in [0, 1); default `Math.random`. Pass a seeded one for repeatable runs. */
  readonly random?: () => number;
  /** Waits `ms`; default a timer. Tests pass one that records the delay and returns. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Answers kept for repeated keys, oldest forgotten first (default 100,000). */
  readonly rememberKeys?: number;
}

const declineReasons = ['insufficient funds', 'card expired', 'suspected fraud'];

/**
 * A gateway for tests and the demo: it declines `failureRate` of the authorizations and
 * takes `latencyMs` per call. Capture, void and refund are approved (they quote an
 * authorization this simulation cannot check after a restart). It honours idempotency
 * keys: a key it has answered gets the same answer, so a retried authorization is not
 * charged twice. Its memory is the process's: a restart forgets the keys.
 *
 * @example
 * const gateway = createSimulatedGateway({ failureRate: 0.1, latencyMs: { min: 20, max: 80 } });
 * await gateway.authorize({ orderId: 'o-1', amountCents: 2100, idempotencyKey: 'o-1' });
 */
export function createSimulatedGateway(options: SimulatedGatewayOptions): PaymentGateway {
  checkOptions(options);
  const { failureRate, latencyMs } = options;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const limit = options.rememberKeys ?? 100_000;
  const authorizations = new Map<string, AuthorizationResult>();
  // Keyed by operation too, so a key reused across operations never answers for another.
  const settlements = new Map<string, SettlementResult>();
  let issued = 0;

  // Same key, same answer: the first call's result is remembered before it is returned.
  async function once<R>(answers: Map<string, R>, key: string, answer: () => R): Promise<R> {
    await sleep(latencyMs.min + Math.floor(random() * (latencyMs.max - latencyMs.min + 1)));
    const known = answers.get(key);
    if (known !== undefined) return known;
    const result = answer();
    answers.set(key, result);
    const oldest = answers.keys().next();
    if (answers.size > limit && !oldest.done) answers.delete(oldest.value);
    return result;
  }

  function decideAuthorization(): AuthorizationResult {
    if (random() < failureRate) {
      const reason = declineReasons[Math.floor(random() * declineReasons.length)];
      return { status: 'declined', reason: reason ?? 'declined' };
    }
    issued += 1;
    const suffix = Math.floor(random() * 36 ** 4)
      .toString(36)
      .padStart(4, '0');
    return { status: 'approved', authorizationCode: `SIM-${issued}-${suffix.toUpperCase()}` };
  }

  const settle = (operation: string, request: GatewayRequest) =>
    once(
      settlements,
      `${operation} ${request.idempotencyKey}`,
      (): SettlementResult => ({
        status: 'approved',
      }),
    );
  return {
    authorize: (request: AuthorizationRequest) =>
      once(authorizations, request.idempotencyKey, decideAuthorization),
    capture: (request) => settle('capture', request),
    void: (request) => settle('void', request),
    refund: (request) => settle('refund', request),
  };
}

function checkOptions(options: SimulatedGatewayOptions): void {
  const issues: ValidationIssue[] = [];
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('simulated gateway options', [
      { path: [], message: 'expected an object' },
    ]);
  }
  const { failureRate, latencyMs, random, sleep, rememberKeys } = options;
  if (typeof failureRate !== 'number' || !(failureRate >= 0 && failureRate <= 1)) {
    issues.push({ path: ['failureRate'], message: `expected 0 to 1, got ${String(failureRate)}` });
  }
  const min = latencyMs?.min;
  const max = latencyMs?.max;
  if (!Number.isSafeInteger(min) || (min as number) < 0) {
    issues.push({
      path: ['latencyMs', 'min'],
      message: `expected whole ms >= 0, got ${String(min)}`,
    });
  }
  if (!Number.isSafeInteger(max) || (max as number) < (min as number)) {
    issues.push({
      path: ['latencyMs', 'max'],
      message: `expected whole ms >= min, got ${String(max)}`,
    });
  }
  if (random !== undefined && typeof random !== 'function') {
    issues.push({ path: ['random'], message: 'expected a function' });
  }
  if (sleep !== undefined && typeof sleep !== 'function') {
    issues.push({ path: ['sleep'], message: 'expected a function' });
  }
  if (rememberKeys !== undefined && !(Number.isSafeInteger(rememberKeys) && rememberKeys >= 1)) {
    issues.push({
      path: ['rememberKeys'],
      message: `expected a whole number >= 1, got ${String(rememberKeys)}`,
    });
  }
  if (issues.length > 0) throw new ValidationError('simulated gateway options', issues);
}
