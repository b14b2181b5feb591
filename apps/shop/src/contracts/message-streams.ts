import { defineMessageStream, type MessageStreamDefinition } from '@duet/core';

/**
 * The shop's broker streams, one per publishing service (subjects `<service>.>`).
 * `replicas` comes from the deployment: 1 on one NATS server or in-process, 3 in a
 * three-node cluster (deploy/nats/cluster-node.conf).
 *
 * @example
 * const { orders, catalog } = shopStreams({ replicas: 3 });
 */
export function shopStreams(
  options: { readonly replicas?: number; readonly prefix?: string } = {},
) {
  const stream = (service: string): MessageStreamDefinition =>
    defineMessageStream({
      service,
      replicas: options.replicas ?? 1,
      ...(options.prefix ? { name: `${options.prefix}_${service.toUpperCase()}` } : {}),
    });
  return {
    orders: stream('orders'),
    customers: stream('customers'),
    catalog: stream('catalog'),
    payments: stream('payments'),
  } as const;
}

export type ShopStreams = ReturnType<typeof shopStreams>;
