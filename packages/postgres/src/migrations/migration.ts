/** Where a migration's SQL goes: the schema as a quoted identifier and its NOTIFY channel. */
export interface MigrationTarget {
  /** Checked and quoted: splice it into SQL as `${schema}.events`. */
  readonly schema: string;
  /** The schema's plain name (a checked identifier), for literals such as lock keys. */
  readonly name: string;
  /** The channel appends notify on (a lower-case identifier). */
  readonly channel: string;
}

/**
 * One versioned schema change: each string `statements` returns is one statement, run in
 * order inside one transaction. Never edit a released migration; add the next one.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  statements(target: MigrationTarget): readonly string[];
}
