import {
  type CommandBus,
  createCommandBus,
  createEventRegistry,
  createQueryBus,
  type QueryBus,
} from '@duet/core';
import { apiKeyAuthentication, duetHttp, type Principal } from '@duet/http';
import {
  createPostgresEventStore,
  createPostgresIdempotencyStore,
  migrate,
  openProcessors,
  type Processors,
  type SqlExecutor,
} from '@duet/postgres';
import Fastify, { type FastifyInstance } from 'fastify';
import { SERVICE_NAME, SERVICE_SCHEMA } from './service-name.ts';
import { openTasks } from './tasks/open-tasks-projection.ts';
import { openTasksHandler } from './tasks/open-tasks-query.ts';
import { taskHandler } from './tasks/task-decider.ts';
import { AddTask, CompleteTask, OpenTasks, taskEvents } from './tasks/task-messages.ts';

export interface ServiceOptions {
  /** API keys and who each one is: `{ 'dev-key': { id: 'dev', roles: ['user'] } }`. */
  readonly apiKeys: Record<string, Principal>;
  /** Where its tables go [the service's name]. */
  readonly schema?: string;
  /** Fastify's request log [off]. */
  readonly logger?: boolean;
}

export interface Service {
  readonly app: FastifyInstance;
  readonly commands: CommandBus;
  readonly queries: QueryBus;
  readonly processors: Processors;
  /** Starts the projection runner (HTTP is served once `app.listen` is called). */
  start(): Promise<void>;
  /** Stops HTTP and the runner; the executor stays open (whoever opened it closes it). */
  close(): Promise<void>;
}

/**
 * The service on one database (PostgreSQL or PGlite): its event store, command bus,
 * projection runner, query bus and HTTP API, with tables migrated on the way.
 *
 * @example
 * const service = await openService(executor, { apiKeys: { 'dev-key': { id: 'dev', roles: [] } } });
 * await service.start();
 * await service.app.listen({ port: 3000 });
 */
export async function openService(
  executor: SqlExecutor,
  options: ServiceOptions,
): Promise<Service> {
  const schema = options.schema ?? SERVICE_SCHEMA;
  await migrate(executor, { schema });
  await migrate(executor, { schema: `${schema}_processors`, set: 'processors' });
  const events = createEventRegistry(taskEvents);
  const store = createPostgresEventStore({ executor, schema, events });
  const processors = openProcessors({
    store: { executor, schema, events },
    schema: `${schema}_processors`,
    readModelSchema: `${schema}_read`,
    processors: [openTasks],
  });
  const commands = createCommandBus({ store, handlers: [taskHandler] });
  // A query can wait for the projection to reach a command's position (read your writes).
  const queries = createQueryBus({
    handlers: [openTasksHandler(processors)],
    consistency: processors.waitForPosition,
  });
  const app = Fastify({ logger: options.logger ?? false });
  await app.register(duetHttp, {
    commandBus: commands,
    queryBus: queries,
    commands: [AddTask, CompleteTask],
    queries: [OpenTasks],
    authenticate: apiKeyAuthentication({ keys: options.apiKeys }),
    idempotency: createPostgresIdempotencyStore({ executor, schema }),
    live: processors.changes,
    openapi: { title: SERVICE_NAME, version: '0.1.0' },
    notFound: true,
  });
  return {
    app,
    commands,
    queries,
    processors,
    start: () => processors.start(),
    async close() {
      await app.close();
      await processors.close();
      await store.close();
    },
  };
}
