import { foldEvents } from '@duet/core';
import type { EventStoreTransaction } from '@duet/postgres';
import { skusToLoad } from './plan-stock-request.ts';
import { productDecider, productStream } from './product-decider.ts';
import type { ProductEvent } from './product-events.ts';
import type { StockStates, Versioned } from './stock-plan.ts';
import type { StockRequest } from './stock-request.ts';
import type { StockReservationEvent } from './stock-reservation-events.ts';
import { stockReservationEvolver, stockReservationStream } from './stock-reservation-state.ts';

type Stored = { readonly type: string; readonly data: unknown };

// Reads through the inbox's transaction (`tx.readStream`), not `store.readStream`: on
// PGlite (one connection) a read outside the open transaction would wait for it to end,
// and a retry after a lost race must see what this transaction already appended.
async function readStreams(
  tx: Pick<EventStoreTransaction, 'readStream'>,
  streams: readonly string[],
): Promise<Map<string, { events: Stored[]; version: number }>> {
  const found = new Map<string, { events: Stored[]; version: number }>();
  for (const stream of streams) {
    const read = { events: [] as Stored[], version: 0 };
    for await (const event of tx.readStream(stream)) {
      read.events.push({ type: event.type, data: event.data });
      read.version = event.streamVersion;
    }
    found.set(stream, read);
  }
  return found;
}

/**
 * Reads what a stock request is planned on, inside the caller's transaction: the order's
 * reservation stream, then the product streams `skusToLoad` names, each folded and with
 * the version it was read at (the expected version of the plan's appends).
 *
 * @example
 * const states = await readStockStates(tx, request);
 * const plan = planStockRequest(request, states, SYSTEM_CONTEXT);
 */
export async function readStockStates(
  tx: Pick<EventStoreTransaction, 'readStream'>,
  request: StockRequest,
): Promise<StockStates> {
  const reservationStream = stockReservationStream(request.orderId);
  const read = (await readStreams(tx, [reservationStream])).get(reservationStream)!;
  const reservation: Versioned<ReturnType<typeof stockReservationEvolver.initialState>> = {
    state: foldEvents(stockReservationEvolver, read.events as StockReservationEvent[]),
    version: read.version,
  };
  const skus = skusToLoad(request, reservation.state);
  const products = await readStreams(tx, skus.map(productStream));
  return {
    reservation,
    products: Object.fromEntries(
      skus.map((sku) => {
        const { events, version } = products.get(productStream(sku))!;
        return [sku, { state: foldEvents(productDecider, events as ProductEvent[]), version }];
      }),
    ),
  };
}
