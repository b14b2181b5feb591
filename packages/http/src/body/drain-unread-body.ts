import type { IncomingMessage } from 'node:http';

/** How much of an unread body is read and thrown away, and for how long at most. */
export interface DrainLimit {
  readonly bytes: number;
  readonly ms: number;
}

/**
 * Reads and throws away the rest of a request's body that was answered before it was read
 * (413 over `bodyLimit`, 415, 401...). A server that closes the connection instead cuts a
 * client that is still sending: it gets a broken pipe, never the answer (Node's fetch sees
 * EPIPE). Past `bytes` read or `ms` elapsed the connection is closed after all: a client
 * may not make the server read forever.
 *
 * @example
 * app.setErrorHandler((error, request, reply) => {
 *   drainUnreadBody(request.raw, { bytes: 64 * 1024 * 1024, ms: 30_000 });
 *   return sendProblem(error, request, reply, 1);
 * });
 */
export function drainUnreadBody(request: IncomingMessage, limit: DrainLimit): void {
  if (request.complete || request.destroyed) return;
  let read = 0;
  const cut = () => {
    stop();
    request.socket.destroy();
  };
  const onData = (chunk: Buffer) => {
    read += chunk.length;
    if (read > limit.bytes) cut();
  };
  const timer = setTimeout(cut, limit.ms);
  // A drain must not keep a closing server's process alive.
  timer.unref();
  const stop = () => {
    clearTimeout(timer);
    request.off('data', onData);
    request.socket.off('close', stop);
  };
  request.on('data', onData);
  request.once('end', stop);
  // The socket's, not the request's: once answered, a request is detached from its socket.
  request.socket.once('close', stop);
  request.resume();
}
