import { Parser } from '@asyncapi/parser';
import { defineContracts, defineIntegrationEvent } from '@duet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type CartServer, startCartServer } from '../../test-support/cart-server.ts';

// The published contracts as an AsyncAPI 3.0 document at /asyncapi.json, beside /openapi.json.

const cartContracts = defineContracts('carts', [
  defineIntegrationEvent({
    service: 'carts',
    name: 'CartOpened',
    version: 2,
    description: 'A cart was opened.',
    schema: z.object({ cartId: z.string(), openedBy: z.string().optional() }),
    from: 'CartOpened',
  }),
  defineIntegrationEvent({
    service: 'carts',
    name: 'ItemAdded',
    schema: z.object({ cartId: z.string(), sku: z.string(), quantity: z.number().int().min(1) }),
    from: 'ItemAdded',
  }),
]);

describe('AsyncAPI document', () => {
  let server: CartServer;
  let doc: Record<string, unknown> & {
    channels: Record<string, { address: string }>;
    components: { messages: Record<string, { payload: { schema: { properties: object } } }> };
  };

  beforeAll(async () => {
    server = await startCartServer({
      openapi: { title: 'Carts', version: '1.2.3' },
      asyncapi: { contracts: [cartContracts], server: 'nats.example.com:4222' },
    });
    const response = await fetch(`${server.url}/asyncapi.json`);
    expect(response.status).toBe(200);
    doc = (await response.json()) as typeof doc;
  });
  afterAll(() => server.close());

  it('given the served document, when parsed by the AsyncAPI parser, then it is a valid 3.0 document without errors', async () => {
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(doc));
    expect(diagnostics.filter((d) => d.severity === 0)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(document?.info().title()).toBe('Carts');
  });

  it('has one channel per contract on its subject, with the contract’s schema as payload', () => {
    expect(
      Object.values(doc.channels)
        .map((c) => c.address)
        .sort(),
    ).toEqual(['carts.CartOpened', 'carts.ItemAdded']);
    expect(
      Object.keys(doc.components.messages['carts.ItemAdded']!.payload.schema.properties),
    ).toEqual(['cartId', 'sku', 'quantity']);
    expect(doc.components.messages['carts.CartOpened']).toMatchObject({
      'x-duet-contract-version': 2,
    });
  });

  it('is not listed in the OpenAPI document', async () => {
    const openapi = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: object };
    expect(Object.keys(openapi.paths)).not.toContain('/asyncapi.json');
  });
});
