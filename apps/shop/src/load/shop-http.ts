import { Pool } from 'undici';

/** The services the load workload talks to, by the names `--service` takes. */
export const loadServices = ['customers', 'catalog', 'orders', 'order-history'] as const;
export type LoadService = (typeof loadServices)[number];

/** A reply: its status and parsed JSON body (problem+json on errors). */
export interface ShopReply<T = unknown> {
  readonly status: number;
  readonly body: T;
}

/** The few calls the workload makes, over keep-alive connection pools (undici). */
export interface ShopHttp {
  command(
    service: LoadService,
    type: string,
    data: Record<string, unknown>,
    apiKey: string,
  ): Promise<ShopReply>;
  query<T>(
    service: LoadService,
    type: string,
    params: Record<string, string | number>,
    apiKey: string,
  ): Promise<ShopReply<T>>;
  close(): Promise<void>;
}

/**
 * One undici pool per origin (services that share a URL share a pool), each of up to
 * `connections` keep-alive connections.
 *
 * @example
 * const http = createShopHttp({ orders: 'http://127.0.0.1:3003', ... }, 64);
 * const reply = await http.command('orders', 'PlaceOrder', { orderId }, 'demo-ada');
 */
export function createShopHttp(
  urls: Readonly<Record<string, string>>,
  connections: number,
): ShopHttp {
  const pools = new Map<string, Pool>();
  const base = (service: LoadService) => {
    const url = new URL(urls[service] ?? '');
    let pool = pools.get(url.origin);
    if (!pool) {
      pool = new Pool(url.origin, { connections, pipelining: 1 });
      pools.set(url.origin, pool);
    }
    return { pool, prefix: url.pathname.replace(/\/+$/, '') };
  };
  const send = async <T>(
    service: LoadService,
    method: 'GET' | 'POST',
    path: string,
    apiKey: string,
    body?: string,
  ): Promise<ShopReply<T>> => {
    const { pool, prefix } = base(service);
    const response = await pool.request({
      method,
      path: `${prefix}${path}`,
      headers: {
        'x-api-key': apiKey,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.body.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page): keep the text for the outcome.
    }
    return { status: response.statusCode, body: parsed as T };
  };
  return {
    command: (service, type, data, apiKey) =>
      send(service, 'POST', `/commands/${type}`, apiKey, JSON.stringify(data)),
    query: (service, type, params, apiKey) => {
      const search = new URLSearchParams(
        Object.entries(params).map(([key, value]): [string, string] => [key, String(value)]),
      );
      return send(service, 'GET', `/queries/${type}${search.size > 0 ? `?${search}` : ''}`, apiKey);
    },
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
    },
  };
}

/** A short name for a failed reply, to count outcomes by: `HTTP 429 rate-limited`. */
export function replyProblem(reply: ShopReply): string {
  const body = reply.body as { type?: unknown; rule?: unknown } | null;
  const type =
    typeof body?.type === 'string' ? ` ${body.type.replace('urn:duet:problem:', '')}` : '';
  const rule = typeof body?.rule === 'string' ? ` ${body.rule}` : '';
  return `HTTP ${reply.status}${type}${rule}`;
}
