// What the `duet` command needs to know about the shop (`--config apps/shop/duet.config.ts`):
// the orders service (schema `orders`, as `npm start` and `start:services` name it without
// SHOP_NAMESPACE): its events, its decider (for `streams show --at`) and projections (for
// `projections status` / `rebuild`), and the `shop` load workload (`duet load shop`). The
// orders service keeps its runner's tables in `orders_projections`, read models in
// `orders_read`. Stop `npm start` before pointing `--pglite` at its folder.
import { defineCliConfig } from '@duet/cli';
import { shopLoadWorkload } from './src/load/shop-load-workload.ts';
import { orderDecider } from './src/orders/order-decider.ts';
import { orderEvents } from './src/orders/order-events.ts';
import { placementEvents } from './src/orders/placement/placement-decider.ts';
import { myOrdersProjection } from './src/orders/read-models/my-orders-projection.ts';
import { orderDetailProjection } from './src/orders/read-models/order-detail-projection.ts';

export default defineCliConfig({
  schema: 'orders',
  events: [...orderEvents, ...placementEvents],
  deciders: { order: orderDecider },
  projections: [myOrdersProjection, orderDetailProjection],
  projectionRunner: { schema: 'orders_projections', readModelSchema: 'orders_read' },
  workloads: { shop: shopLoadWorkload },
});
