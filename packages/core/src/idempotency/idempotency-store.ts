/**
 * What `claim` found for a key:
 * - `claimed`: nobody holds it; run the operation, then `complete` or `release` with `token`;
 * - `completed`: it ran before with the same request; `result` is what `complete` stored;
 * - `in-progress`: another caller holds it right now (its lock has not expired);
 * - `mismatch`: the key was used for a different request (another `requestHash`).
 */
export type IdempotencyClaim =
  | { readonly status: 'claimed'; readonly token: string }
  | { readonly status: 'completed'; readonly result: unknown }
  | { readonly status: 'in-progress' }
  | { readonly status: 'mismatch' };

/** Options of one `claim`. */
export interface IdempotencyClaimOptions {
  /**
   * How long the claim holds before another caller may take it over (a crashed holder
   * must not block the key forever). Default: the store's `lockMs`.
   */
  readonly lockMs?: number;
}

/**
 * Remembers the result of an operation under a caller-chosen key, so a retried request
 * gets the first result instead of running twice. Keys live in a `scope` (at the HTTP edge:
 * the principal), so one caller's key never meets another's.
 *
 * The protocol: `claim` first; only the caller that got `claimed` runs the operation, then
 * stores its result with `complete` (kept for the store's `ttlMs`) or gives the key back
 * with `release` when the operation failed and changed nothing.
 *
 * @example
 * const claim = await store.claim('user-7', key, requestHash);
 * if (claim.status === 'claimed') {
 *   try { await store.complete('user-7', key, claim.token, await run()); }
 *   catch (error) { await store.release('user-7', key, claim.token); throw error; }
 * }
 */
export interface IdempotencyStore {
  claim(
    scope: string,
    key: string,
    requestHash: string,
    options?: IdempotencyClaimOptions,
  ): Promise<IdempotencyClaim>;
  /** Stores a claimed key's result (JSON-serializable). A stale `token` is ignored. */
  complete(scope: string, key: string, token: string, result: unknown): Promise<void>;
  /** Forgets a claimed key so it can be used again. A stale `token` is ignored. */
  release(scope: string, key: string, token: string): Promise<void>;
}

/** Options every idempotency store takes. */
export interface IdempotencyStoreOptions {
  /** How long a completed result is kept, in ms (default 24 hours). */
  readonly ttlMs?: number;
  /** How long a claim holds when `claim` gives no `lockMs` (default 60 seconds). */
  readonly lockMs?: number;
}

/** The defaults of `IdempotencyStoreOptions`. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_IDEMPOTENCY_LOCK_MS = 60_000;
