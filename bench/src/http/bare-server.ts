// `bench http`'s ceiling: a bare Fastify route doing one INSERT per request on a pool of
// 10, no store, no auth, no validation. A child process of the bench (its own CPU);
// DATABASE_URL says where, PORT (0: any) where to listen; prints `ready at <url>`.
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
await pool.query(
  'CREATE TABLE IF NOT EXISTS placed (id bigserial PRIMARY KEY, body jsonb NOT NULL)',
);
const app = Fastify({ logger: false });
app.post('/commands/PlaceOrder', async (request) => {
  await pool.query('INSERT INTO placed (body) VALUES ($1)', [JSON.stringify(request.body)]);
  return { ok: true };
});
const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
console.log(`bare ready at ${address}`);
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => pool.end())
    .finally(() => process.exit(0));
});
