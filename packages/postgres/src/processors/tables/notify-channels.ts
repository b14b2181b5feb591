/** The NOTIFY channel checkpoint moves wake read-your-writes waiters on. */
export function checkpointsChannel(schema: string): string {
  return `${schema}_checkpoints`;
}

/** The NOTIFY channel that tells runners a rebuild was requested (payload: the processor's name). */
export function controlChannel(schema: string): string {
  return `${schema}_control`;
}
