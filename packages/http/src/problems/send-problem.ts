import type { FastifyReply, FastifyRequest } from 'fastify';
import { problemForError } from './problem-for-error.ts';

/**
 * Answers a request with the problem for `error`. Unexpected errors are logged with the
 * request id; their body says only that the server failed, so no stack, SQL or path leaks.
 */
export function sendProblem(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  retryAfterSeconds: number,
): FastifyReply {
  const problem = problemForError(error, {
    hadIfMatch: request.headers['if-match'] !== undefined,
    retryAfterSeconds,
  });
  if (problem.unexpected) {
    request.log.error({ err: error }, 'request failed unexpectedly');
  } else if (problem.status >= 500) {
    request.log.warn({ problem: problem.body.type }, problem.body.detail);
  }
  return reply
    .code(problem.status)
    .headers(problem.headers)
    .type('application/problem+json; charset=utf-8')
    .send(JSON.stringify({ ...problem.body, instance: `urn:duet:request:${request.id}` }));
}
