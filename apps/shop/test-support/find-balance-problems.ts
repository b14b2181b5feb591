// Test support: the invariants that must hold across the shop's services once a set of
// orders settled, each broken one as a line a failing test prints.
import {
  type CreditHolds,
  isOpen,
  type OrderOutcome,
  type PaymentFacts,
  readCreditHolds,
  readHistoryStatuses,
  readOrderOutcomes,
  readPaymentFacts,
  readStockLedger,
  type SqlClient,
  type StockLedger,
  statusOf,
} from './shop-balances.ts';

/** What a check covers: these orders, the products they ask for and their customers. */
export interface BalanceScope {
  readonly orderIds: readonly string[];
  readonly skus: readonly string[];
  /** Customers who placed no order outside `orderIds`. */
  readonly customerIds: readonly string[];
}

/**
 * The orders of the scope that are not confirmed or cancelled yet (by id, with status).
 *
 * @example
 * await expect.poll(() => findUnsettledOrders(client, namespace, orderIds)).toEqual([]);
 */
export async function findUnsettledOrders(
  client: SqlClient,
  namespace: string,
  orderIds: readonly string[],
): Promise<string[]> {
  const outcomes = await readOrderOutcomes(client, namespace, orderIds);
  return orderIds
    .map((orderId) => {
      const outcome = outcomes.get(orderId);
      return `${orderId}: ${outcome ? statusOf(outcome) : 'not placed'}`;
    })
    .filter((line) => !/: (confirmed|cancelled)$/.test(line));
}

/**
 * Every broken invariant of the scope, read from each service's events (and the history's
 * table), as lines; none once the services agree:
 * - orders: one `OrderPlaced` each and exactly one `OrderConfirmed` or `OrderCancelled`;
 * - catalog: an open order holds its units, any other nothing; at most one reservation per
 *   order; on hand never below reserved at any version of the product's stream;
 * - customers: an open order holds its total, any other nothing; at most one hold each;
 * - payments: a confirmed order is authorized once and not voided; a cancelled order's
 *   authorization, if any, is voided;
 * - order history: every order with its final status.
 *
 * @example
 * await expect.poll(() => findBalanceProblems(client, namespace, scope), poll).toEqual([]);
 */
export async function findBalanceProblems(
  client: SqlClient,
  namespace: string,
  scope: BalanceScope,
): Promise<string[]> {
  const outcomes = await readOrderOutcomes(client, namespace, scope.orderIds);
  const settled = [...outcomes.values()];
  const problems = orderProblems(scope.orderIds, outcomes);
  for (const sku of scope.skus) {
    problems.push(...stockProblems(sku, await readStockLedger(client, namespace, sku), settled));
  }
  const holds = await readCreditHolds(client, namespace, scope.customerIds);
  for (const customerId of scope.customerIds) {
    problems.push(...creditProblems(customerId, holds[customerId] ?? {}, settled));
  }
  problems.push(
    ...paymentProblems(await readPaymentFacts(client, namespace, scope.orderIds), settled),
    ...historyProblems(await readHistoryStatuses(client, namespace, scope.orderIds), settled),
  );
  return problems;
}

function orderProblems(
  orderIds: readonly string[],
  outcomes: ReadonlyMap<string, OrderOutcome>,
): string[] {
  const problems: string[] = [];
  for (const orderId of orderIds) {
    const order = outcomes.get(orderId);
    if (!order) problems.push(`orders: ${orderId} was never placed`);
    else if (order.placed !== 1 || order.confirmed + order.cancelled !== 1) {
      problems.push(
        `orders: ${orderId} placed ${order.placed}, confirmed ${order.confirmed}, cancelled ${order.cancelled} times`,
      );
    }
  }
  return problems;
}

function stockProblems(
  sku: string,
  ledger: StockLedger,
  orders: readonly OrderOutcome[],
): string[] {
  const problems: string[] = [];
  if (ledger.leastAvailable < 0) {
    problems.push(`catalog: ${sku} had ${ledger.leastAvailable} available at one version`);
  }
  let openUnits = 0;
  for (const order of orders) {
    const units = order.units[sku] ?? 0;
    const expected = isOpen(order) ? units : 0;
    openUnits += expected;
    const held = ledger.orders[order.orderId] ?? { held: 0, reservations: 0 };
    if (held.held !== expected || held.reservations > 1) {
      problems.push(
        `catalog: ${sku} holds ${held.held} (reserved ${held.reservations} times) for ${statusOf(order)} ${order.orderId} of ${units}`,
      );
    }
  }
  if (ledger.reserved !== openUnits) {
    problems.push(`catalog: ${sku} reserved ${ledger.reserved}, open orders hold ${openUnits}`);
  }
  return problems;
}

function creditProblems(
  customerId: string,
  held: CreditHolds[string],
  orders: readonly OrderOutcome[],
): string[] {
  const problems: string[] = [];
  const own = orders.filter((order) => order.customerId === customerId);
  for (const [orderId, hold] of Object.entries(held)) {
    if (!own.some((order) => order.orderId === orderId) && hold.heldCents !== 0) {
      problems.push(`customers: ${customerId} holds credit for unknown order ${orderId}`);
    }
  }
  for (const order of own) {
    const expected = isOpen(order) ? order.totalCents : 0;
    const hold = held[order.orderId] ?? { heldCents: 0, reservations: 0 };
    if (hold.heldCents !== expected || hold.reservations > 1) {
      problems.push(
        `customers: ${customerId} holds ${hold.heldCents} (reserved ${hold.reservations} times) for ${statusOf(order)} ${order.orderId} of ${order.totalCents}`,
      );
    }
  }
  return problems;
}

const noPayment: PaymentFacts = { authorized: 0, declined: 0, voided: 0, captured: 0 };

function paymentProblems(
  payments: ReadonlyMap<string, PaymentFacts>,
  orders: readonly OrderOutcome[],
): string[] {
  const problems: string[] = [];
  for (const order of orders) {
    const facts = payments.get(order.orderId) ?? noPayment;
    const status = statusOf(order);
    const duplicated = facts.authorized > 1 || facts.voided > 1;
    const balanced =
      status === 'confirmed'
        ? facts.authorized === 1 && facts.voided === 0
        : status !== 'cancelled' || facts.voided === facts.authorized;
    if (duplicated || !balanced) {
      problems.push(`payments: ${status} ${order.orderId} has ${JSON.stringify(facts)}`);
    }
  }
  return problems;
}

function historyProblems(
  history: Readonly<Record<string, string | null>>,
  orders: readonly OrderOutcome[],
): string[] {
  return orders
    .filter((order) => history[order.orderId] !== statusOf(order))
    .map(
      (order) =>
        `order-history: ${order.orderId} is ${history[order.orderId] ?? 'missing'}, not ${statusOf(order)}`,
    );
}
