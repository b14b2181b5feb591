// Test support: fetch helpers for the shop's API (API key, JSON, problem checks).
import { expect } from 'vitest';

export type Headers = Record<string, string>;

/** The reply to a command: `{ stream, streamVersion, position, commandId, readToken? }`. */
export interface CommandReply {
  readonly stream: string;
  readonly streamVersion: number;
  readonly position: string;
  readonly commandId: string;
  /** `<service>@<stream>:<streamVersion>`, for queries of other services (`readToken`). */
  readonly readToken?: string;
}

/** The `x-api-key` header for a key ('' for none). */
export const as = (key: string): Headers => (key === '' ? {} : { 'x-api-key': key });

/** POSTs a JSON body (a string is sent as it is, for malformed input). */
export function postJson(url: string, body: unknown, headers: Headers = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/**
 * Sends a command that must succeed and returns its reply, checking that the body's
 * position is also in the Duet-Position header.
 */
export async function sendCommand(
  baseUrl: string,
  type: string,
  data: Record<string, unknown>,
  headers: Headers,
): Promise<CommandReply> {
  const response = await postJson(`${baseUrl}/commands/${type}`, data, headers);
  const text = await response.text();
  expect(response.status, `${type} ${text}`).toBe(200);
  const reply = JSON.parse(text) as CommandReply;
  expect(response.headers.get('duet-position')).toBe(reply.position);
  expect(response.headers.get('etag')).toBe(`"${reply.streamVersion}"`);
  return reply;
}

/** GETs a query that must succeed; params go in the query string. */
export async function askQuery<T>(
  baseUrl: string,
  type: string,
  params: Record<string, string | number>,
  headers: Headers,
): Promise<T> {
  const search = new URLSearchParams(
    Object.entries(params).map(([key, value]): [string, string] => [key, String(value)]),
  );
  const query = search.size > 0 ? `?${search}` : '';
  const response = await fetch(`${baseUrl}/queries/${type}${query}`, { headers });
  const text = await response.text();
  expect(response.status, `${type} ${text}`).toBe(200);
  return JSON.parse(text) as T;
}

/** A problem+json response of this status and type, leaking nothing internal. */
export async function expectProblem(
  response: Response,
  status: number,
  type: string,
): Promise<Record<string, unknown>> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(body.type).toBe(`urn:duet:problem:${type}`);
  expect(text).not.toMatch(/at .*\.ts:|node_modules|SELECT|INSERT|stack|t_[0-9a-f]{12}/i);
  return body;
}

/**
 * Posts a command until it stops being refused with one of `rules` (422): for commands
 * that need another service's events first, such as AddItem of a product the orders
 * service has not heard of yet. Resolves to the last response.
 */
export async function postUntilAccepted(
  url: string,
  body: unknown,
  headers: Headers,
  rules: readonly string[],
  timeoutMs = 60_000,
): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await postJson(url, body, headers);
    if (response.status !== 422 || Date.now() > deadline) return response;
    const problem = (await response.clone().json()) as { rule?: string };
    if (!rules.includes(problem.rule ?? '')) return response;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
