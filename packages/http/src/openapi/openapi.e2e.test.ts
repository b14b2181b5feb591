import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CartServer, startCartServer } from '../../test-support/cart-server.ts';
import { apiKeyAuthentication } from '../auth/api-key-authentication.ts';

interface Operation {
  readonly responses: Record<string, unknown>;
  readonly requestBody?: unknown;
}
type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
};

describe('OpenAPI document and docs page', () => {
  let server: CartServer;
  let doc: OpenApiDocument;
  const apiKey = { 'x-api-key': 'shopper-key' };

  beforeAll(async () => {
    server = await startCartServer((store) => ({
      authenticate: apiKeyAuthentication({
        keys: { 'shopper-key': { id: 'u1', roles: ['shopper'] } },
      }),
      rateLimit: { max: 1000, timeWindow: 60_000 },
      openapi: { title: 'Carts', version: '1.2.3' },
      streams: { stores: { carts: store }, roles: ['shopper'] },
    }));
    doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as OpenApiDocument;
  });
  afterAll(() => server.close());

  it('given the generated document, when validated as OpenAPI 3.1, then it is valid', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('given API-key authentication, when the document is read, then it declares the key as its security scheme for every operation and none for health', async () => {
    const full = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      components: { securitySchemes: Record<string, unknown> };
      security: unknown[];
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    expect(full.components.securitySchemes).toEqual({
      duet: { type: 'apiKey', in: 'header', name: 'x-api-key' },
    });
    expect(full.security).toEqual([{ duet: [] }]);
    expect(full.paths['/health/live']?.get?.security).toEqual([]);
    expect(full.paths['/health/ready']?.get?.security).toEqual([]);
    expect(full.paths['/commands/OpenCart']?.post?.security).toBeUndefined();
  });

  it('given the document, when listing paths, then every command, query, live query, stream and health route is there and nothing internal', () => {
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/commands/AddItem',
      '/commands/OpenCart',
      '/health/live',
      '/health/ready',
      '/queries/CartItems',
      '/queries/CartItems/live',
      '/queries/ListCarts',
      '/queries/ListCarts/live',
      '/streams/carts/{stream}',
      '/streams/carts/{stream}/events',
    ]);
  });

  it('given each documented operation, when called, then it answers with one of its documented statuses', async () => {
    // Seed a cart so queries have something to read.
    await fetch(`${server.url}/commands/OpenCart`, {
      method: 'POST',
      headers: { ...apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ cartId: 'doc-1' }),
    });
    await server.readModel.catchUp();
    const bodies: Record<string, unknown> = {
      '/commands/OpenCart': { cartId: 'doc-2' },
      '/commands/AddItem': { cartId: 'doc-1', sku: 'a', quantity: 1 },
      '/queries/CartItems': { cartId: 'doc-1' },
      '/queries/ListCarts': { limit: 5 },
    };
    const queries: Record<string, string> = {
      '/queries/CartItems': '?cartId=doc-1',
      '/queries/CartItems/live': '?cartId=doc-1',
      '/queries/ListCarts': '?limit=5',
      '/queries/ListCarts/live': '?limit=5',
    };
    const called: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const controller = new AbortController();
        const url = `${server.url}${path.replace('{stream}', 'cart-doc-1')}${queries[path] ?? ''}`;
        const response = await fetch(url, {
          method: method.toUpperCase(),
          headers: {
            ...apiKey,
            ...(method === 'post' ? { 'content-type': 'application/json' } : {}),
          },
          ...(method === 'post' ? { body: JSON.stringify(bodies[path]) } : {}),
          signal: controller.signal,
        });
        expect(Object.keys(operation.responses), `${method} ${path}`).toContain(
          String(response.status),
        );
        expect(response.status, `${method} ${path}`).toBeLessThan(300);
        controller.abort();
        called.push(`${method} ${path}`);
      }
    }
    expect(called).toHaveLength(12);
  });

  it('given /docs, when fetched, then an HTML page comes back whose assets are served locally', async () => {
    const page = await fetch(`${server.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    const assets = [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(assets.length).toBeGreaterThan(2);
    for (const asset of assets) {
      expect(asset.startsWith('/') || asset.startsWith('./'), asset).toBe(true);
      const response = await fetch(new URL(asset, `${server.url}/docs/`));
      expect(response.status, asset).toBe(200);
    }
    const initializer = await fetch(`${server.url}/docs/static/swagger-initializer.js`);
    expect(initializer.status).toBe(200);
    // The page must not call swagger.io's online validator either.
    expect(await initializer.text()).toContain('validatorUrl: null');
  });
});

describe('OpenAPI tags', () => {
  type TaggedDocument = {
    tags: { name: string; description?: string }[];
    paths: Record<string, Record<string, { tags: string[] }>>;
  };

  it('given openapi.tags, when the document is read, then each tagged command and query (with its live route) is under its tag only and untagged ones stay under commands or queries', async () => {
    const server = await startCartServer({
      openapi: {
        title: 'Carts',
        version: '1.0.0',
        tags: [
          { name: 'carts', description: 'The carts service', types: ['OpenCart', 'CartItems'] },
        ],
      },
      live: { subscribe: () => () => {} },
    });
    try {
      const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as TaggedDocument;
      expect(doc.tags.map((tag) => tag.name)).toEqual(['carts', 'commands', 'queries', 'health']);
      expect(doc.tags[0]).toEqual({ name: 'carts', description: 'The carts service' });
      expect(doc.paths['/commands/OpenCart']?.post?.tags).toEqual(['carts']);
      expect(doc.paths['/queries/CartItems']?.get?.tags).toEqual(['carts']);
      expect(doc.paths['/queries/CartItems']?.post?.tags).toEqual(['carts']);
      expect(doc.paths['/queries/CartItems/live']?.get?.tags).toEqual(['carts']);
      expect(doc.paths['/commands/AddItem']?.post?.tags).toEqual(['commands']);
      expect(doc.paths['/queries/ListCarts']?.get?.tags).toEqual(['queries']);
      expect((await new Validator().validate(doc)).valid).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('given every type tagged, when the document is read, then no empty commands or queries tag is listed', async () => {
    const server = await startCartServer({
      openapi: {
        title: 'Carts',
        version: '1.0.0',
        tags: [{ name: 'carts', types: ['OpenCart', 'AddItem', 'CartItems', 'ListCarts'] }],
      },
    });
    try {
      const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as TaggedDocument;
      expect(doc.tags.map((tag) => tag.name)).toEqual(['carts', 'health']);
    } finally {
      await server.close();
    }
  });

  it('given a tag named like a built-in one, when registered, then it is refused naming the option', async () => {
    await expect(
      startCartServer({
        openapi: { title: 'x', version: '1', tags: [{ name: 'health', types: [] }] },
      }),
    ).rejects.toThrow(/openapi\.tags/);
  });
});
