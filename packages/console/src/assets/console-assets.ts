import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);

// Read once at registration: htmx, its SSE extension and idiomorph's morph swap from their npm packages, the
// stylesheet from beside this file. Nothing comes from a CDN, so the console works offline.
const assets = {
  'console.css': {
    type: 'text/css; charset=utf-8',
    body: readFileSync(new URL('./console.css', import.meta.url)),
  },
  'htmx.min.js': {
    type: 'text/javascript; charset=utf-8',
    body: readFileSync(require.resolve('htmx.org/dist/htmx.min.js')),
  },
  'sse.js': {
    type: 'text/javascript; charset=utf-8',
    body: readFileSync(require.resolve('htmx-ext-sse/dist/sse.min.js')),
  },
  'morph.js': {
    type: 'text/javascript; charset=utf-8',
    body: readFileSync(require.resolve('idiomorph/dist/idiomorph-ext.min.js')),
  },
} as const;

/** Serves the console's stylesheet and scripts under `<base>/assets/`, without login. */
export function registerConsoleAssets(app: FastifyInstance): void {
  for (const [name, asset] of Object.entries(assets)) {
    app.get(`/assets/${name}`, async (_request, reply) =>
      reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(asset.body),
    );
  }
}
