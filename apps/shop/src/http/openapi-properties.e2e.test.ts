import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportFigures } from '../../../../scripts/reliability/report-figures.ts';
import {
  brokenValue,
  type JsonSchemaSubset,
  type StringPools,
  validValue,
} from '../../test-support/json-schema-arbitrary.ts';
import {
  createResponseJudge,
  type OpenApiOperation,
  type ResponseVerdict,
} from '../../test-support/openapi-responses.ts';
import { as, type Headers, sendCommand } from '../../test-support/shop-client.ts';
import {
  type ShopTestServer,
  shopBackends,
  startShopTestServer,
} from '../../test-support/shop-test-server.ts';

type Mode = 'valid' | 'broken';
interface Sent {
  readonly method: string;
  readonly path: string;
  readonly principal: string;
  readonly headers: Headers;
  readonly search: string;
  readonly body: string | undefined;
}

const FULL = process.env.DUET_FULL === '1';
/** Requests per operation and mode: about 20 s for the file on a quiet machine. */
const RUNS = FULL ? 1_000 : 60;
const principals: Record<string, Headers> = {
  ada: as('demo-ada'),
  staff: as('demo-staff'),
  nobody: {},
  stranger: as('no-such-key'),
};
// Orders that exist (ada's cart, a placed order) and products with a price: generated
// commands meet real aggregates and real rules, not only unknown orders.
const pools: StringPools = {
  orderId: ['s11-cart', 's11-placed'],
  sku: ['tea', 'pen'],
  'if-match': ['"1"', '"2"', '"3"', '*'],
  'idempotency-key': ['s11-key-1', 's11-key-2'],
};
// Waiting parameters take a position already reached (the seeding's, added before the
// runs) or junk. Left out, by design and covered by the read-token tests: a position far
// ahead (a 503 after the wait) and well-formed read tokens, which a server of one service
// cannot honour (a 501, docs/http.md).
const positions = ['', 'abc', '-1', '1.5', '0x10', 'orders@order-x:1'];
const tokens = ['nonsense', 'orders@', '@order-s11-cart:1', 'orders@a:b:c', 'orders@o:0'];
const waiting: Record<string, string[]> = {
  minPosition: positions,
  'duet-min-position': positions,
  readToken: tokens,
  'duet-read-tokens': tokens,
};
const WAITING = new Set(Object.keys(waiting));
/** Bodies no schema can describe. */
const MALFORMED = ['', 'null', '{"orderId":', '[]', 'orderId=1', '{"__proto__":{"x":1}}'];

/** The query or header parameters of an operation as one object schema. */
function paramsSchema(operation: OpenApiOperation, where: 'query' | 'header') {
  const params = (operation.parameters ?? []).filter(
    (param) => param.in === where && !WAITING.has(param.name),
  );
  if (params.length === 0) return undefined;
  return {
    type: 'object',
    properties: Object.fromEntries(params.map((param) => [param.name, param.schema ?? {}])),
    required: params.filter((param) => param.required).map((param) => param.name),
    additionalProperties: false,
  } satisfies JsonSchemaSubset;
}

function toSearch(values: unknown): string {
  const search = new URLSearchParams();
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    search.append('value', JSON.stringify(values));
  } else {
    for (const [name, value] of Object.entries(values)) {
      for (const one of Array.isArray(value) ? value : [value]) {
        search.append(name, typeof one === 'string' ? one : JSON.stringify(one));
      }
    }
  }
  return search.size > 0 ? `?${search}` : '';
}

/** The requests of one operation: a principal, headers, a query string and a body. */
function requests(method: string, path: string, operation: OpenApiOperation, mode: Mode) {
  const generate = (schema: JsonSchemaSubset | undefined, huge: boolean) =>
    schema === undefined
      ? fc.constant(undefined)
      : mode === 'valid'
        ? validValue(schema, pools)
        : brokenValue(schema, { pools, huge });
  const bodySchema = operation.requestBody?.content['application/json']?.schema;
  const body = generate(bodySchema, true).map((value) => JSON.stringify(value));
  // Headers stay printable ASCII (fetch refuses the rest) and small (Node answers 431 by
  // itself, before any route): random text is as hostile as they can be here.
  const headerSchema = paramsSchema(operation, 'header');
  const waits = (where: string) =>
    fc.record(
      Object.fromEntries(
        (operation.parameters ?? [])
          .filter((param) => param.in === where && WAITING.has(param.name))
          .map((param) => [param.name, fc.constantFrom(...(waiting[param.name] ?? []))]),
      ),
      { requiredKeys: [] },
    );
  return fc
    .record({
      principal: fc.constantFrom(...Object.keys(principals)),
      headers: headerSchema ? validValue(headerSchema, pools) : fc.constant({}),
      headerWaits: waits('header'),
      query: generate(paramsSchema(operation, 'query'), false),
      queryWaits: waits('query'),
      body: mode === 'broken' ? fc.oneof(body, fc.constantFrom(...MALFORMED)) : body,
    })
    .map(
      ({ principal, headers, headerWaits, query, queryWaits, body }): Sent => ({
        method,
        path,
        principal,
        headers: { ...(headers as Headers), ...(headerWaits as Headers) },
        search:
          query === undefined && Object.keys(queryWaits).length === 0
            ? ''
            : toSearch({ ...(query as object), ...queryWaits }),
        body: bodySchema ? body : undefined,
      }),
    );
}

/** Sends a request and reads its body: a live query's first event only. */
async function send(url: string, sent: Sent): Promise<[number, string, string]> {
  const abort = new AbortController();
  const response = await fetch(`${url}${sent.path}${sent.search}`, {
    method: sent.method,
    headers: {
      ...sent.headers,
      ...principals[sent.principal],
      ...(sent.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(sent.body === undefined ? {} : { body: sent.body }),
    signal: abort.signal,
  });
  const media = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  if (media !== 'text/event-stream' || !response.body) {
    return [response.status, media, await response.text()];
  }
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body) {
    text += decoder.decode(chunk as Uint8Array, { stream: true });
    if (text.includes('\n\n')) break;
  }
  abort.abort();
  return [response.status, media, text];
}

// Issue 13, S11: requests generated from the shop's own OpenAPI document, inside and
// outside its schemas, by a customer and by staff. Every answer keeps to the document: no
// 5xx, only declared statuses and content types, bodies its schemas accept, problems for
// every 4xx.
// PostgreSQL too under DUET_FULL: the HTTP edge is the same, and CI's time is short.
const backends = shopBackends().filter(({ kind }) => FULL || kind === 'pglite');

describe.each(backends)(
  'requests generated from the OpenAPI document, on $kind',
  ({ kind, available }) => {
    let shop: ShopTestServer;
    let operations: [string, string, OpenApiOperation][];
    let judge: ReturnType<typeof createResponseJudge>;
    const figures = { requests: 0, responsesValidated: 0, undeclaredStatuses: 0 };
    const more = { serverErrors: 0, schemaViolations: 0 };

    beforeAll(async () => {
      if (!available) return;
      shop = await startShopTestServer(kind);
      const document = (await (await fetch(`${shop.url}/openapi.json`)).json()) as {
        paths: Record<string, Record<string, OpenApiOperation>>;
      };
      judge = createResponseJudge(document.paths);
      operations = Object.entries(document.paths).flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, operation]): [string, string, OpenApiOperation] => [
          method,
          path,
          operation,
        ]),
      );
      const ada = principals.ada ?? {};
      for (const orderId of pools.orderId ?? []) {
        const item = { orderId, sku: 'tea', quantity: 2, unitPriceCents: 450 };
        await sendCommand(shop.url, 'AddItem', item, ada);
      }
      const placed = await sendCommand(shop.url, 'PlaceOrder', { orderId: 's11-placed' }, ada);
      positions.push(placed.position);
    });
    afterAll(async () => {
      if (!available) return;
      reportFigures('S11', { operations: operations?.length ?? 0, ...figures, ...more });
      await shop?.close();
    });

    it.skipIf(!available)(
      'given answers the document does not declare, when judged, then each is named',
      () => {
        const problem =
          '{"type":"urn:duet:problem:internal","title":"x","status":500,"detail":"x"}';
        expect(judge('get', '/health/live', 418, 'application/json', '{}').violations).toEqual([
          'status 418 is not in the document',
        ]);
        expect(
          judge('post', '/commands/AddItem', 500, 'application/problem+json', problem),
        ).toMatchObject({ serverError: true, validated: true });
        expect(
          judge('post', '/commands/AddItem', 200, 'application/json', '{"stream":1}').violations,
        ).toEqual([expect.stringContaining('breaks the schema')]);
        expect(
          judge('post', '/commands/AddItem', 400, 'application/json', '{}').violations,
        ).toEqual([
          'a 400 as application/json, not application/problem+json',
          'application/json is not declared for 400',
        ]);
      },
    );

    // Found by the generated requests: values the schemas accept that the shop refuses (both
    // version and at; a made-up cursor) or lowers (a limit over the maximum). The schemas
    // cannot say it, so the descriptions must.
    it.skipIf(!available).each([
      ['/queries/OrderAsOf', 'version', 'give version or at, not both'],
      ['/queries/OrderAsOf', 'at', 'give version or at, not both'],
      ['/queries/MyOrders', 'after', "the previous page's next"],
      ['/queries/MyOrders', 'limit', 'lowered to the maximum'],
    ])('given %s in the document, then %s says %j', (path, name, words) => {
      const ask = operations.find(([method, at]) => method === 'get' && at === path)?.[2];
      const post = operations.find(([method, at]) => method === 'post' && at === path)?.[2];
      const param = ask?.parameters?.find((one) => one.name === name) as
        | { description?: string; schema?: { description?: string } }
        | undefined;
      const property = post?.requestBody?.content['application/json']?.schema.properties?.[name] as
        | { description?: string }
        | undefined;
      expect(param?.description ?? param?.schema?.description).toContain(words);
      expect(property?.description).toContain(words);
    });

    it.skipIf(!available).each<Mode>(['valid', 'broken'])(
      'given %s requests for every operation, when sent, then every answer keeps to the document',
      async (mode) => {
        const failures: string[] = [];
        for (const [method, path, operation] of operations) {
          const takesInput = operation.requestBody !== undefined || operation.parameters?.length;
          await fc.assert(
            fc.asyncProperty(
              requests(method.toUpperCase(), path, operation, mode),
              async (sent) => {
                const [status, media, body] = await send(shop.url, sent);
                const verdict: ResponseVerdict = judge(method, path, status, media, body);
                figures.requests++;
                if (verdict.validated) figures.responsesValidated++;
                if (verdict.undeclaredStatus) figures.undeclaredStatuses++;
                if (verdict.serverError) more.serverErrors++;
                if (verdict.violations.length > 0 && !verdict.undeclaredStatus) {
                  more.schemaViolations++;
                }
                for (const violation of verdict.violations) {
                  const input = `${JSON.stringify(sent.headers)} ${sent.search} ${sent.body?.slice(0, 200) ?? ''}`;
                  failures.push(
                    `${sent.method} ${path} as ${sent.principal} ${input}: ${violation}`,
                  );
                }
              },
            ),
            { numRuns: takesInput ? RUNS : 2 },
          );
        }
        expect(operations.length).toBeGreaterThan(10);
        expect([...new Set(failures)].slice(0, 20)).toEqual([]);
      },
      FULL ? 1_800_000 : 120_000,
    );
  },
);
