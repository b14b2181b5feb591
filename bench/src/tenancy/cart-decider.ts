// The command shape's decider, the same pure functions for Duet and Emmett: load the
// cart's events, fold them, decide one `ItemAdded`.

/** Carts the commands go to, round robin: 64 in flight never share one. */
export const CARTS = 10_000;
/** Concurrent commands: closed loops, each sends its next command when one returns. */
export const COMMAND_LOOPS = 64;
/** Events each cart has before the measured commands (seeded, then ANALYZE). */
export const SEEDED_EVENTS_PER_CART = 3;

export interface CartState {
  readonly items: number;
}

export interface AddItemCommand {
  readonly cart: number;
}

export type ItemAdded = {
  readonly type: 'ItemAdded';
  readonly data: { readonly cart: number; readonly n: number; readonly note: string };
};

const NOTE = 'a customer put one more item in the cart; about a hundred bytes of JSON';

export const cartStream = (cart: number) => `cart-${cart}`;

export const initialCart = (): CartState => ({ items: 0 });

export const evolveCart = (state: CartState, event: { readonly type: string }): CartState =>
  event.type === 'ItemAdded' ? { items: state.items + 1 } : state;

export const decideAddItem = (command: AddItemCommand, state: CartState): ItemAdded[] => [
  { type: 'ItemAdded', data: { cart: command.cart, n: state.items + 1, note: NOTE } },
];

/** The events a cart is seeded with. */
export const seedCart = (cart: number): ItemAdded[] =>
  Array.from({ length: SEEDED_EVENTS_PER_CART }, (_, index) => ({
    type: 'ItemAdded',
    data: { cart, n: index + 1, note: NOTE },
  }));

/**
 * Runs `fn` for every cart, `loops` at a time (each loop takes every `loops`-th cart).
 *
 * @example
 * await forEachCart(64, (cart) => store.append(cartStream(cart), seedCart(cart)));
 */
export async function forEachCart(
  loops: number,
  fn: (cart: number) => Promise<unknown>,
): Promise<void> {
  await Promise.all(
    Array.from({ length: loops }, async (_, loop) => {
      for (let cart = loop; cart < CARTS; cart += loops) await fn(cart);
    }),
  );
}
