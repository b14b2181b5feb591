import { afterAll, beforeAll } from 'vitest';

/** What a conformance suite's `create` gives: the store under test and how to close it. */
export interface CreatedStore<Store> {
  readonly store: Store;
  readonly dispose?: () => Promise<void>;
}

/**
 * Creates the suite's store once (in `beforeAll`) and disposes of it after the suite; call
 * inside the suite's `describe`. Returns the accessor the tests use.
 */
export function suiteStore<Store>(create: () => Promise<CreatedStore<Store>>): () => Store {
  let current: CreatedStore<Store> | undefined;
  beforeAll(async () => {
    current = await create();
  });
  afterAll(() => current?.dispose?.());
  return () => {
    if (!current) throw new Error('the store is not created yet (create() failed?)');
    return current.store;
  };
}
