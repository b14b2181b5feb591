// Type tests for the types users lean on (issue 15): what a definition infers, what a
// decider, a command handler, a query handler and a projection receive. `tsc --noEmit`
// (npm run typecheck) checks every `expectTypeOf` here; a `@ts-expect-error` that stops
// failing fails the type-check too. At run time they are no-ops beside the few `expect`s.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  type CommandContext,
  type CommandOf,
  type CommandResult,
  createCommandBus,
  createInMemoryEventStore,
  createQueryBus,
  type Decider,
  type DecisionContext,
  defineCommand,
  defineCommandHandler,
  defineEvent,
  defineProjection,
  defineQuery,
  defineQueryHandler,
  type EventOf,
  foldEvents,
  type ProjectionTables,
  type ProjectionTx,
  type QueryContext,
  type QueryParamsOf,
  type QueryResultOf,
  type RecordedEvent,
} from './index.ts';

const OpenCart = defineCommand('OpenCart', z.object({ cartId: z.string() }));
const AddItem = defineCommand(
  'AddItem',
  z.object({ cartId: z.string(), sku: z.string(), quantity: z.number().int().default(1) }),
);
const CartOpened = defineEvent('CartOpened', z.object({ cartId: z.string() }));
const ItemAdded = defineEvent('ItemAdded', z.object({ sku: z.string(), quantity: z.number() }));
const CartTotal = defineQuery('CartTotal', {
  params: z.object({ cartId: z.string() }),
  result: z.object({ items: z.number(), skus: z.array(z.string()) }),
});

type CartCommand = CommandOf<typeof OpenCart> | CommandOf<typeof AddItem>;
type CartEvent = EventOf<typeof CartOpened> | EventOf<typeof ItemAdded>;
type Cart = { readonly open: boolean; readonly items: number };

const cart: Decider<CartCommand, Cart, CartEvent> = {
  initialState: () => ({ open: false, items: 0 }),
  evolve: (state, event) =>
    event.type === 'CartOpened'
      ? { ...state, open: true }
      : { ...state, items: state.items + event.data.quantity },
  decide: (command) =>
    command.type === 'OpenCart'
      ? CartOpened.create({ cartId: command.data.cartId })
      : [ItemAdded.create({ sku: command.data.sku, quantity: command.data.quantity })],
};

describe('message definitions', () => {
  it('CommandOf gives the command type and the schema output as data', () => {
    expectTypeOf<CommandOf<typeof OpenCart>>().toEqualTypeOf<{
      readonly type: 'OpenCart';
      readonly data: { cartId: string };
    }>();
    // A field with a default is present after parsing: the output side of the schema.
    expectTypeOf<CommandOf<typeof AddItem>['data']['quantity']>().toEqualTypeOf<number>();
    expectTypeOf(OpenCart.create).parameter(0).toEqualTypeOf<{ cartId: string }>();
    expectTypeOf<CommandOf<typeof CartOpened>>().toBeNever();
  });

  it('EventOf gives the event type and data; a union of them narrows on type', () => {
    expectTypeOf<EventOf<typeof ItemAdded>>().toEqualTypeOf<{
      readonly type: 'ItemAdded';
      readonly data: { sku: string; quantity: number };
    }>();
    expectTypeOf<CartEvent['type']>().toEqualTypeOf<'CartOpened' | 'ItemAdded'>();
    expectTypeOf<Extract<CartEvent, { type: 'ItemAdded' }>['data']>().toHaveProperty('sku');
    expectTypeOf<EventOf<typeof OpenCart>>().toBeNever();
  });

  it('QueryParamsOf and QueryResultOf give the two sides of a query', () => {
    expectTypeOf<QueryParamsOf<typeof CartTotal>>().toEqualTypeOf<{ cartId: string }>();
    expectTypeOf<QueryResultOf<typeof CartTotal>>().toEqualTypeOf<{
      items: number;
      skus: string[];
    }>();
  });
});

describe('a decider', () => {
  it('takes its commands and state, and returns one event or a list of its events', () => {
    expectTypeOf(cart.initialState).returns.toEqualTypeOf<Cart>();
    expectTypeOf(cart.evolve).parameters.toEqualTypeOf<[Cart, CartEvent]>();
    expectTypeOf(cart.decide).parameters.toEqualTypeOf<[CartCommand, Cart, DecisionContext]>();
    expectTypeOf(cart.decide).returns.toEqualTypeOf<CartEvent | readonly CartEvent[]>();
    expectTypeOf(foldEvents(cart, [])).toEqualTypeOf<Cart>();
  });

  it('refuses an event of another decider', () => {
    const wrong: Decider<CartCommand, Cart, CartEvent> = {
      ...cart,
      // @ts-expect-error OrderPlaced is not one of the cart's events
      decide: () => [{ type: 'OrderPlaced', data: {} }],
    };
    expect(wrong.initialState()).toEqual({ open: false, items: 0 });
  });
});

describe('handlers', () => {
  it('a command handler sees the decider command type in stream() and authorize()', async () => {
    const handler = defineCommandHandler({
      decider: cart,
      commands: [OpenCart, AddItem],
      stream: (command) => {
        expectTypeOf(command).toEqualTypeOf<CartCommand>();
        return `cart-${command.data.cartId}`;
      },
      authorize: (command, context) => {
        expectTypeOf(command).toEqualTypeOf<CartCommand>();
        expectTypeOf(context).toEqualTypeOf<CommandContext>();
        return true;
      },
    });
    const bus = createCommandBus({ store: createInMemoryEventStore(), handlers: [handler] });
    const result = await bus.send(OpenCart.create({ cartId: 'c-1' }));
    expectTypeOf(result).toEqualTypeOf<CommandResult>();
    expect(result.streamVersion).toBe(1);
  });

  it('a query handler takes the params and must resolve to the result of its query', async () => {
    const handler = defineQueryHandler(CartTotal, async (params, context) => {
      expectTypeOf(params).toEqualTypeOf<{ cartId: string }>();
      expectTypeOf(context).toEqualTypeOf<QueryContext>();
      return { items: 2, skus: ['apple'] };
    });
    // @ts-expect-error a number is not CartTotal's result
    defineQueryHandler(CartTotal, async () => 2);
    const bus = createQueryBus({ handlers: [handler] });
    const answer = bus.ask(CartTotal, { cartId: 'c-1' });
    expectTypeOf(answer).resolves.toEqualTypeOf<QueryResultOf<typeof CartTotal>>();
    expect(await answer).toEqual({ items: 2, skus: ['apple'] });
  });
});

describe('a projection', () => {
  it("applies batches of recorded events of its type, in the runner's transaction", () => {
    const projection = defineProjection<RecordedEvent<CartEvent>>({
      name: 'cart_totals',
      version: 1,
      events: [CartOpened, ItemAdded],
      apply: async (tx, events, tables) => {
        expectTypeOf(tx).toEqualTypeOf<ProjectionTx>();
        expectTypeOf(tables).toEqualTypeOf<ProjectionTables>();
        expectTypeOf(events).toEqualTypeOf<readonly RecordedEvent<CartEvent>[]>();
        for (const event of events) {
          expectTypeOf(event.stream).toBeString();
          if (event.type === 'ItemAdded') expectTypeOf(event.data.quantity).toBeNumber();
        }
      },
    });
    expectTypeOf(projection.apply)
      .parameter(1)
      .toEqualTypeOf<readonly RecordedEvent<CartEvent>[]>();
    expect(projection.name).toBe('cart_totals');
  });
});
