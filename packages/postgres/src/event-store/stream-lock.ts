/**
 * The advisory lock that lets one transaction at a time append to a stream.
 *
 * Positions order events by (transaction id, sequence), and a transaction's id is handed
 * out at its first write, not at commit. Without this lock, a transaction could take its
 * id, then wait for another's row lock on the stream and write the stream's NEXT version
 * with the SMALLER id: readers would see version 5 before version 4. `append_events`
 * takes this lock for every stream of its batch before it writes anything (advisory locks
 * assign no transaction id), so a transaction that waited gets its id after the holder
 * committed, and ids grow with versions in every stream.
 *
 * The key is 64 bits of the schema and stream name, in the single-key advisory space
 * (the schema's append lock in read-horizon.ts uses the two-key space, so they never
 * meet). Two streams that hash alike merely take turns.
 */
export function streamLockKey(schemaName: string, streamSql: string): string {
  return `hashtextextended('duet.stream.${schemaName}.' || ${streamSql}, 0)`;
}
