/**
 * What `duet` exits with. Scripts may branch on these; they never change meaning.
 *
 * @example
 * duet streams show order-1 --json || [ $? -eq 3 ] && echo "no such stream"
 */
export const ExitCode = {
  /** Done. Also: `events tail` stopped with Ctrl-C (SIGINT) or SIGTERM. */
  ok: 0,
  /** Something failed that none of the codes below describes. */
  error: 1,
  /** Bad usage: unknown command or option, a malformed value, an unusable --config file. */
  usage: 2,
  /** What was asked for does not exist: a stream, a projection, a dead letter. */
  notFound: 3,
  /** The database cannot be reached or opened (connection refused, bad credentials, no PGlite directory, a PGlite directory another process holds). */
  unavailable: 4,
  /** The schema has no Duet tables, or is behind: run `duet migrate`. */
  notMigrated: 5,
  /** Ran, but did not finish its work: a rebuild failed (or reset a paused projection), a retried dead letter failed again. */
  incomplete: 6,
  /** A long operation (`projections rebuild`) was interrupted by Ctrl-C before it finished. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
