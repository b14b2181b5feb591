/**
 * The adaptive batch size of one partition: starts at `min`, doubles while full batches
 * commit within the target time (catch-up wants big transactions), halves when a batch is
 * slow or fails (a poisoned or heavy batch should not hold locks for long).
 */
export interface BatchSizer {
  readonly size: number;
  /** A batch committed: `scanned` events covered in `ms`. */
  committed(scanned: number, ms: number): void;
  /** A batch failed. */
  failed(): void;
}

export function createBatchSizer(
  limits: { readonly min: number; readonly max: number },
  targetMs: number,
): BatchSizer {
  let size = limits.min;
  return {
    get size() {
      return size;
    },
    committed(scanned, ms) {
      if (ms > targetMs * 2) size = Math.max(limits.min, Math.floor(size / 2));
      else if (scanned >= size && ms < targetMs) size = Math.min(limits.max, size * 2);
    },
    failed() {
      size = Math.max(limits.min, Math.floor(size / 2));
    },
  };
}
