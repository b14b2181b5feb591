import type { FastifyInstance } from 'fastify';
import type { ResolvedDuetHttpOptions } from '../duet-http-options.ts';

const HEALTH_SCHEMA = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string' }, details: {} },
};

/**
 * `/health/live` answers 200 while the process serves requests; `/health/ready` asks the
 * `readiness` option and answers 503 when not ready (a readiness check that throws is
 * not ready, with the error logged and not shown). Neither needs credentials.
 *
 * @example
 * registerHealthRoutes(app, options);
 */
export function registerHealthRoutes(app: FastifyInstance, options: ResolvedDuetHttpOptions): void {
  app.get(
    '/health/live',
    {
      schema: {
        tags: ['health'],
        operationId: 'healthLive',
        security: [],
        response: { 200: { description: 'The process is running', ...HEALTH_SCHEMA } },
      },
    },
    async () => ({ status: 'live' }),
  );
  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['health'],
        operationId: 'healthReady',
        security: [],
        response: {
          200: { description: 'Ready to serve (details: e.g. projection lag)', ...HEALTH_SCHEMA },
          503: { description: 'Not ready yet', ...HEALTH_SCHEMA },
        },
      },
    },
    async (request, reply) => {
      let readiness: { ready: boolean; details?: unknown } = { ready: true };
      if (options.readiness) {
        try {
          readiness = await options.readiness();
        } catch (error) {
          request.log.error({ err: error }, 'readiness check failed');
          readiness = { ready: false, details: 'the readiness check failed; see the log' };
        }
      }
      reply.code(readiness.ready ? 200 : 503);
      return {
        status: readiness.ready ? 'ready' : 'not ready',
        ...(readiness.details === undefined ? {} : { details: readiness.details }),
      };
    },
  );
}
