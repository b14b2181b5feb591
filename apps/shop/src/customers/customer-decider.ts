import {
  AuthorizationError,
  type Decider,
  type DecisionContext,
  DomainError,
  NotFoundError,
} from '@duet/core';
import type { CustomerCommand, ShippingAddress } from './customer-commands.ts';
import type { CustomerEvent } from './customer-events.ts';
import { STAFF_ROLE, SYSTEM_ROLE } from './customer-roles.ts';
import { decideCreditRelease, decideCreditReservation } from './decide-credit.ts';

/** What a new customer may hold in open orders, in cents, until staff set another limit. */
export const DEFAULT_CREDIT_LIMIT_CENTS = 100_000;

/** One order's credit request, once answered: held, refused, or given back. */
export interface CreditHold {
  readonly status: 'reserved' | 'refused' | 'released';
  readonly amountCents: number;
}

export interface CustomerState {
  readonly status: 'none' | 'registered';
  readonly customerId: string | null;
  readonly name: string | null;
  readonly email: string | null;
  readonly shippingAddress: ShippingAddress | null;
  readonly creditLimitCents: number;
  /**
   * By orderId, every answer ever given (also refusals and releases, so a repeated request
   * gets no second, different answer). A plain object so snapshots store it as JSON.
   */
  readonly credit: Readonly<Record<string, CreditHold>>;
}

// A missing customer and someone else answer alike, so callers learn nothing of customers
// that are not themselves.
function requireAccess(state: CustomerState, customerId: string, context: DecisionContext): void {
  const staff = context.roles.includes(STAFF_ROLE);
  if (state.status === 'none' || (!staff && state.customerId !== context.actor)) {
    throw new NotFoundError('customer', customerId);
  }
}

// Checked before the state is looked at, so a refusal says nothing about the customer.
function requireRole(role: string, command: CustomerCommand, context: DecisionContext): void {
  if (!context.roles.includes(role)) {
    throw new AuthorizationError(command.type, `only ${role} may send it`, context.actor);
  }
}

function register(
  command: Extract<CustomerCommand, { type: 'RegisterCustomer' }>,
  state: CustomerState,
  context: DecisionContext,
): CustomerEvent {
  const { customerId } = command.data;
  if (!context.roles.includes(STAFF_ROLE) && context.actor !== customerId) {
    throw new AuthorizationError(command.type, 'customers register only themselves', context.actor);
  }
  if (state.status !== 'none') {
    throw new DomainError('CUSTOMER_EXISTS', `customer ${customerId} is already registered`);
  }
  return {
    type: 'CustomerRegistered',
    data: { ...command.data, creditLimitCents: DEFAULT_CREDIT_LIMIT_CENTS },
  };
}

function sameAddress(a: ShippingAddress | null, b: ShippingAddress): boolean {
  return (
    a !== null &&
    a.line1 === b.line1 &&
    a.line2 === b.line2 &&
    a.city === b.city &&
    a.postalCode === b.postalCode &&
    a.country === b.country
  );
}

function decide(
  command: CustomerCommand,
  state: CustomerState,
  context: DecisionContext,
): CustomerEvent | readonly CustomerEvent[] {
  const { customerId } = command.data;
  switch (command.type) {
    case 'RegisterCustomer':
      return register(command, state, context);
    case 'RenameCustomer':
      requireAccess(state, customerId, context);
      // Unchanged is no change: no event for read models to replay for nothing.
      if (state.name === command.data.name) return [];
      return { type: 'CustomerRenamed', data: command.data };
    case 'ChangeShippingAddress':
      requireAccess(state, customerId, context);
      if (sameAddress(state.shippingAddress, command.data.shippingAddress)) return [];
      return { type: 'ShippingAddressChanged', data: command.data };
    case 'SetCreditLimit':
      requireRole(STAFF_ROLE, command, context);
      requireAccess(state, customerId, context);
      if (state.creditLimitCents === command.data.creditLimitCents) return [];
      return { type: 'CreditLimitSet', data: command.data };
    case 'ReserveCredit':
      requireRole(SYSTEM_ROLE, command, context);
      return decideCreditReservation(command.data, state);
    case 'ReleaseCredit':
      requireRole(SYSTEM_ROLE, command, context);
      return decideCreditRelease(command.data, state);
  }
}

function withHold(state: CustomerState, orderId: string, hold: CreditHold): CustomerState {
  return { ...state, credit: { ...state.credit, [orderId]: hold } };
}

function evolve(state: CustomerState, event: CustomerEvent): CustomerState {
  switch (event.type) {
    case 'CustomerRegistered': {
      const { customerId, name, email, shippingAddress, creditLimitCents } = event.data;
      return {
        ...state,
        status: 'registered',
        customerId,
        name,
        email,
        shippingAddress,
        creditLimitCents,
      };
    }
    case 'CustomerRenamed':
      return { ...state, name: event.data.name };
    case 'ShippingAddressChanged':
      return { ...state, shippingAddress: event.data.shippingAddress };
    case 'CreditLimitSet':
      return { ...state, creditLimitCents: event.data.creditLimitCents };
    case 'CreditReserved':
      return withHold(state, event.data.orderId, {
        status: 'reserved',
        amountCents: event.data.amountCents,
      });
    case 'CreditReservationRefused':
      return withHold(state, event.data.orderId, {
        status: 'refused',
        amountCents: event.data.amountCents,
      });
    case 'CreditReleased':
      return withHold(state, event.data.orderId, {
        status: 'released',
        amountCents: event.data.amountCents,
      });
  }
}

/**
 * The customer's write model, on `customer-<customerId>`: who they are, where orders go,
 * and the credit their open orders hold. Customers see and change only themselves, staff
 * everyone; only the saga (`system`) reserves and releases credit, and it always gets an
 * answer (`CreditReserved` or `CreditReservationRefused`), never an error, for a request.
 *
 * @example
 * const state = foldEvents(customerDecider, history);
 * customerDecider.decide(RenameCustomer.create({ customerId: 'ada', name: 'Ada L.' }), state, { actor: 'ada', roles: ['customer'] });
 */
export const customerDecider: Decider<CustomerCommand, CustomerState, CustomerEvent> = {
  initialState: () => ({
    status: 'none',
    customerId: null,
    name: null,
    email: null,
    shippingAddress: null,
    creditLimitCents: 0,
    credit: {},
  }),
  evolve,
  decide,
};
