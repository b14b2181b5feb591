/**
 * Every problem the HTTP edge answers with: its status and title. The `type` URI is
 * `urn:duet:problem:<name>`; names and URIs are stable (clients branch on them), titles
 * may be reworded.
 */
export const PROBLEM_TYPES = {
  validation: { status: 400, title: 'The request does not match its schema' },
  'malformed-json': { status: 400, title: 'The body is not valid JSON' },
  'bad-request': { status: 400, title: 'The request cannot be read' },
  unauthenticated: { status: 401, title: 'Credentials are missing or invalid' },
  forbidden: { status: 403, title: 'Not allowed' },
  'tenant-required': { status: 403, title: 'The principal belongs to no tenant' },
  'unknown-command': { status: 404, title: 'No such command' },
  'unknown-query': { status: 404, title: 'No such query' },
  'not-found': { status: 404, title: 'Not found' },
  'unknown-route': { status: 404, title: 'No such route' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'request-timeout': { status: 408, title: 'The request took too long to arrive' },
  concurrency: { status: 412, title: 'The stream is not at the expected version' },
  'concurrency-retries-exhausted': { status: 409, title: 'Too many concurrent writers' },
  'duplicate-event': { status: 409, title: 'An event id is already stored' },
  'idempotency-key-in-use': { status: 409, title: 'A request with this key is in progress' },
  'personal-data-forgotten': { status: 410, title: 'The data subject has been forgotten' },
  'body-too-large': { status: 413, title: 'The body is too large' },
  'limit-exceeded': { status: 413, title: 'A size limit was exceeded' },
  'unsupported-media-type': { status: 415, title: 'Send application/json' },
  'headers-too-large': { status: 431, title: 'The request headers are too large' },
  'domain-rule': { status: 422, title: 'A business rule refused the command' },
  'idempotency-key-reused': {
    status: 422,
    title: 'This idempotency key was used for another request',
  },
  'rate-limited': { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal server error' },
  'consistency-unsupported': { status: 501, title: 'This server cannot wait for read models' },
  'stale-read': { status: 503, title: 'The read model has not caught up yet' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemName = keyof typeof PROBLEM_TYPES;

/** The stable `type` URI of a problem. */
export function problemTypeUri(name: ProblemName): string {
  return `urn:duet:problem:${name}`;
}
