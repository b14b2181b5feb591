/** A request the console refuses: its status and a message shown on the error page. */
export class ConsoleHttpError extends Error {
  override readonly name = 'ConsoleHttpError';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
  /** A stable code per status, for callers that branch on it. */
  get code(): string {
    return {
      400: 'bad_request',
      401: 'unauthenticated',
      403: 'forbidden',
      404: 'not_found',
      409: 'conflict',
    }[this.status];
  }
}
