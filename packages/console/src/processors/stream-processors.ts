import type { FastifyReply } from 'fastify';
import type { Html } from '../html/html.ts';

/**
 * Sends `render()` as the SSE event `processors` now and every `intervalMs` (htmx's SSE
 * extension swaps it in), until the client leaves or `open`'s ends are called (the console
 * does on close: a live stream would keep the server open). One render at a time:
 * a slow database skips ticks instead of piling them up.
 */
export function streamProcessors(
  reply: FastifyReply,
  open: Set<() => void>,
  intervalMs: number,
  render: () => Promise<Html>,
): void {
  reply.hijack();
  const response = reply.raw;
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  let busy = false;
  const send = async () => {
    if (busy) return;
    busy = true;
    try {
      const body = String(await render());
      response.write(
        `event: processors\n${body
          .split('\n')
          .map((line) => `data: ${line}`)
          .join('\n')}\n\n`,
      );
    } catch (error) {
      response.write(`event: failed\ndata: ${JSON.stringify(String(error))}\n\n`);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void send(), intervalMs);
  const end = () => {
    clearInterval(timer);
    open.delete(end);
    response.end();
  };
  open.add(end);
  response.once('close', end);
  response.write('retry: 2000\n\n');
  void send();
}
