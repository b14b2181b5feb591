/** What `forget` reports: whether a key was deleted now, and when the subject was forgotten. */
export interface ForgetResult {
  readonly subject: string;
  /** True when this call deleted the key; false when the subject was already forgotten or never had one. */
  readonly deleted: boolean;
  /** When the subject was first forgotten (ISO 8601). */
  readonly forgottenAt: string;
}

/**
 * The keys that encrypt personal data, one AES-256 key per data subject, kept by the
 * service that owns the data. Deleting a subject's key (crypto-shredding) makes every
 * copy of its encrypted fields unreadable: events, snapshots, broker messages, backups.
 * Adapters: `createInMemoryPersonalDataKeys` here, `createPostgresPersonalDataKeys` in
 * @duet/postgres; both pass `runPersonalDataKeysConformance` from `@duet/core/testing`.
 *
 * @example
 * const key = await keys.keyFor('customer-7'); // 32 bytes, made on first use
 * await keys.forget('customer-7'); // later reads find no key: the fields read as forgotten
 */
export interface PersonalDataKeys {
  /**
   * The subject's key, created on first use (concurrent first uses agree on one key).
   * Throws `PersonalDataForgottenError` for a forgotten subject: it never gets a new key.
   */
  keyFor(subject: string): Promise<Uint8Array>;
  /** The keys of those subjects that have one; forgotten and unknown subjects are absent. */
  findKeys(subjects: readonly string[]): Promise<ReadonlyMap<string, Uint8Array>>;
  /** Deletes the subject's key and keeps a tombstone (no key). Idempotent. */
  forget(subject: string): Promise<ForgetResult>;
  /** When the subject was forgotten (ISO 8601), or null when it was not. */
  forgottenAt(subject: string): Promise<string | null>;
}
