import type { MessageStreamDefinition } from '@duet/core';
import { openNatsTransport } from '@duet/nats';
import { createPgExecutor, createPostgresIdempotencyStore, isolateTenants } from '@duet/postgres';
import { pino } from 'pino';
import { shopStreams } from '../contracts/message-streams.ts';
import { createShopServer } from '../http/create-shop-server.ts';
import { shopPrincipals } from '../http/shop-principals.ts';
import { createSimulatedGateway } from '../payments/create-simulated-gateway.ts';
import { openShopService } from './open-shop-service.ts';
import type { ServiceSettings } from './service-settings.ts';
import { shopDeadLetters } from './shop-dead-letters.ts';

/** A running service process: where it listens, and how to stop it. */
export interface RunningShopService {
  readonly address: string;
  stop(): Promise<void>;
}

/**
 * Runs one service of the shop as its own process would: on PostgreSQL, talking over NATS,
 * with the roles it was given. `command` and `query` serve those routes; `processors`
 * starts the projections, relay, consumers and (orders) the saga. Every process serves
 * `/health/live` and `/health/ready` (the service's processor lag, wherever they run).
 *
 * @example
 * const running = await runShopService(readServiceSettings(process.env));
 */
export async function runShopService(settings: ServiceSettings): Promise<RunningShopService> {
  const ns = settings.namespace;
  // JSON lines on stdout, each with `service` (and `trace_id` when about a traced event).
  const logger = pino({ level: settings.logLevel ?? 'info' });
  const executor = createPgExecutor({
    connectionString: settings.databaseUrl,
    max: settings.databasePoolMax,
  });
  const transport = await openNatsTransport({
    servers: settings.natsUrls,
    logger: logger.child({ service: settings.service }),
    // Replies on an inbox of the service's own, which its NATS user may subscribe to (shop-nats-users.ts).
    inboxPrefix: `_INBOX_${settings.service}`,
    tenantSubjects: settings.tenantSubjects,
    ...(settings.natsLogin ?? {}),
    ...(ns ? { subjectPrefix: ns } : {}),
    deadLetters: {
      ...shopDeadLetters({
        service: settings.service,
        namespace: ns,
        layout: settings.deadLetterLayout,
      }),
      replicas: settings.replicas,
    },
  });
  const streams = shopStreams({
    replicas: settings.replicas,
    ...(ns ? { prefix: ns.toUpperCase() } : {}),
  });
  const roles = new Set(settings.roles);
  const service = await openShopService(settings.service, {
    executor,
    transport,
    streams,
    databaseUrl: settings.databaseUrl,
    ...(ns ? { schemaPrefix: `${ns}_` } : {}),
    ...(settings.paymentTimeoutMs === undefined
      ? {}
      : { paymentTimeoutMs: settings.paymentTimeoutMs }),
    gateway: createSimulatedGateway(settings.payments),
    logger,
  });
  if (roles.has('processors')) {
    // Its own stream, for its relay; each consumer ensures its source stream when it starts
    // (whichever process comes up first). Its NATS user may create no other (docs/nats.md).
    const own = (streams as Partial<Record<string, MessageStreamDefinition>>)[settings.service];
    await transport.ensureStreams(own ? [own] : []);
    await service.start();
  }
  const { definitions, live, ...served } = service.served;
  const server = await createShopServer({
    services: [
      {
        ...served,
        definitions: {
          commands: roles.has('command') ? definitions.commands : [],
          queries: roles.has('query') ? definitions.queries : [],
        },
        ...(live && roles.has('query') ? { live } : {}),
      },
    ],
    ...(roles.has('command') ? { contracts: service.contracts } : {}),
    principals: shopPrincipals(),
    idempotency: createPostgresIdempotencyStore({
      executor: isolateTenants(executor),
      schema: service.schema,
    }),
    rateLimitPerMinute: settings.rateLimitPerMinute,
    logger: logger.child({ service: settings.service }),
    ...(settings.logLevel ? { logLevel: settings.logLevel } : {}),
  });
  let address: string;
  try {
    address = await server.listen({ host: settings.host, port: settings.port });
  } catch (error) {
    await service.close();
    await transport.close();
    await executor.close();
    throw error;
  }
  return {
    address,
    async stop() {
      // Stop taking requests, then the processors, then the connections.
      await server.close();
      await service.close();
      await transport.close();
      await executor.close();
    },
  };
}
