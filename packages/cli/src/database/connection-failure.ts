// Node socket errors and SQLSTATEs that mean "could not get a working connection":
// class 08 (connection exception), 28 (bad credentials), 3D000 (no such database),
// 57P03 (server starting up or shutting down).
const socketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** True when `error` says the database could not be reached or logged into. */
export function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (socketCodes.has(code) || code.startsWith('08') || code.startsWith('28')) return true;
    if (code === '3D000' || code === '57P03') return true;
  }
  const message = error instanceof Error ? error.message : '';
  return /timeout exceeded when trying to connect|Connection terminated/i.test(message);
}
