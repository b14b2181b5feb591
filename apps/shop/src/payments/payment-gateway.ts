import type { AuthorizationResult } from './payment-commands.ts';

export type { AuthorizationResult } from './payment-commands.ts';

/**
 * Every call carries an idempotency key: a gateway that has answered a key answers the
 * same again without charging, releasing or refunding twice.
 */
export interface GatewayRequest {
  readonly orderId: string;
  readonly idempotencyKey: string;
}

export interface AuthorizationRequest extends GatewayRequest {
  readonly amountCents: number;
}

export interface CaptureRequest extends GatewayRequest {
  readonly authorizationCode: string;
  readonly amountCents: number;
}

export interface VoidRequest extends GatewayRequest {
  readonly authorizationCode: string;
}

export interface RefundRequest extends GatewayRequest {
  readonly authorizationCode: string;
  readonly amountCents: number;
}

/** What the gateway answered to a capture, void or refund. */
export type SettlementResult =
  | { readonly status: 'approved' }
  | { readonly status: 'declined'; readonly reason: string };

/**
 * The payment gateway as the payments service needs it: the port a real provider's
 * adapter and `createSimulatedGateway` implement. A decline is an answer; an outage is a
 * thrown error (the caller retries with the same key).
 *
 * @example
 * const result = await gateway.authorize({ orderId: 'o-1', amountCents: 2100, idempotencyKey: 'o-1' });
 * if (result.status === 'approved') console.log(result.authorizationCode);
 */
export interface PaymentGateway {
  authorize(request: AuthorizationRequest): Promise<AuthorizationResult>;
  capture(request: CaptureRequest): Promise<SettlementResult>;
  void(request: VoidRequest): Promise<SettlementResult>;
  refund(request: RefundRequest): Promise<SettlementResult>;
}
