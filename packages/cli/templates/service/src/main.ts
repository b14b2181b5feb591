// Starts the service: on PostgreSQL when DATABASE_URL is set, else on an embedded PGlite
// in DATA_DIR (.data/pglite), created on the first run. Ctrl-C stops it cleanly.
import { createPgExecutor, openPGlite } from '@duet/postgres';
import { openService } from './open-service.ts';
import { SERVICE_NAME } from './service-name.ts';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const apiKey = process.env.API_KEY ?? 'dev-key';

const database = process.env.DATABASE_URL
  ? (() => {
      const executor = createPgExecutor({ connectionString: process.env.DATABASE_URL });
      return { executor, close: () => executor.close() };
    })()
  : await openPGlite(process.env.DATA_DIR ?? '.data/pglite');
const service = await openService(database.executor, {
  apiKeys: { [apiKey]: { id: 'dev', roles: ['user'] } },
  logger: process.env.LOG_REQUESTS === '1',
});
await service.start();
const address = await service.app.listen({ host, port });
console.log(`${SERVICE_NAME} listening on ${address}`);
console.log(`  API docs: ${address}/docs (send the header x-api-key: ${apiKey})`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await service.close();
  await database.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
