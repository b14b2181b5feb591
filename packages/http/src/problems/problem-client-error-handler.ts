import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { PROBLEM_TYPES, type ProblemName, problemTypeUri } from './problem-types.ts';

/** The part of Node's `clientError` error the handler reads. */
interface ClientError {
  readonly code?: string;
}

const answers: Readonly<Record<string, { name: ProblemName; detail: string }>> = {
  HPE_HEADER_OVERFLOW: {
    name: 'headers-too-large',
    detail: "the request's headers are larger than this server accepts (Node's maxHeaderSize)",
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    name: 'request-timeout',
    detail: 'the request did not arrive within the server’s requestTimeout',
  },
};
const unreadable = { name: 'bad-request', detail: 'the request is not valid HTTP' } as const;

/**
 * Answers the requests Node's HTTP parser refuses before Fastify routes them (headers over
 * `maxHeaderSize`, a request that took too long, malformed HTTP) with a problem+json body
 * like every other Duet error, instead of Fastify's plain JSON. It is a server option, set
 * where the server is made (a plugin such as `duetHttp` comes too late to set it), and it
 * applies to the whole server, since no route is known yet.
 *
 * @example
 * const app = Fastify({ clientErrorHandler: problemClientErrorHandler });
 * await app.register(duetHttp, options);
 */
export function problemClientErrorHandler(error: ClientError, socket: Socket): void {
  // A reset connection has nobody to answer (Node's own handler does the same).
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { name, detail } = (error.code ? answers[error.code] : undefined) ?? unreadable;
  const { status, title } = PROBLEM_TYPES[name];
  const body = JSON.stringify({ type: problemTypeUri(name), title, status, detail });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/problem+json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(error instanceof Error ? error : undefined);
}
