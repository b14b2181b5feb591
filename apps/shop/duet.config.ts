// What the `duet` command needs to know about the shop (`--config apps/shop/duet.config.ts`):
// the orders service (schema `orders`, as `npm start` and `start:services` name it without
// SHOP_NAMESPACE): its events, its decider (for `streams show --at`) and projections (for
// `projections status` / `rebuild`), and the `shop` load workload (`duet load shop`). The
// orders service keeps its runner's tables in `orders_projections`, read models in
// `orders_read`. Stop `npm start` before pointing `--pglite` at its folder.
// docs/cli.md and packages/cli/README.md show the region below.
// #region shop-config
import { defineCliConfig } from '@duet/cli';
import { shopLoadWorkload } from './src/load/shop-load-workload.ts';
import { orderDecider } from './src/orders/order-decider.ts';
import { orderEvents } from './src/orders/order-events.ts';
import { placementEvents } from './src/orders/placement/placement-decider.ts';
import { myOrdersProjection } from './src/orders/read-models/my-orders-projection.ts';
import { orderDetailProjection } from './src/orders/read-models/order-detail-projection.ts';

export default defineCliConfig({
  // The store's schema when neither --schema nor DUET_SCHEMA names one.
  schema: 'orders',
  // EventDefinition[]: events are upcast to their current schema version on read.
  events: [...orderEvents, ...placementEvents],
  // Deciders (initialState + evolve is enough) by stream category, for `streams show --at`.
  deciders: { order: orderDecider },
  // ProjectionDefinition[]: for `projections` and `dead-letters`.
  projections: [myOrdersProjection, orderDetailProjection],
  // Only when the app's runner uses other schemas (or stallAfterMs) than openProcessors' defaults.
  projectionRunner: { schema: 'orders_projections', readModelSchema: 'orders_read' },
  // LoadWorkload by name (defineLoadWorkload), for `duet load <name>`.
  workloads: { shop: shopLoadWorkload },
});
// #endregion shop-config
