/**
 * The in-memory store's partition of a stream: 32-bit FNV-1a of the name's UTF-8 bytes,
 * modulo the count. Stable across processes and runs, so a stream never changes partition.
 *
 * @example
 * streamPartition('order-1', 4); // always the same number from 0 to 3
 */
export function streamPartition(stream: string, count: number): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(stream)) {
    hash = Math.imul(hash ^ byte, 0x01000193);
  }
  return (hash >>> 0) % count;
}
