import type { FastifyReply } from 'fastify';
import type { Html } from './html.ts';

/** Sends a page with its status. */
export function sendHtml(reply: FastifyReply, status: number, body: Html) {
  return reply.code(status).type('text/html; charset=utf-8').send(String(body));
}
