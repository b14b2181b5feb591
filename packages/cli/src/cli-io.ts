/** Where a stream of output goes: the few things the CLI asks of process.stdout / stderr. */
export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
}

/**
 * The process as the commands see it: data goes to `stdout`, progress, logs and errors to
 * `stderr`, so `duet ... --json | jq` always gets clean JSON.
 */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The real process's streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}
