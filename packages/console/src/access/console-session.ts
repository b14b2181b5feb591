import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from '@duet/http';

/** A login: who, until when, and a random id that the CSRF token is bound to. */
export interface ConsoleSession {
  readonly principal: Principal;
  readonly expiresAt: number;
  readonly sid: string;
}

export const SESSION_COOKIE = 'duet_console';

const mac = (secret: string, text: string) =>
  createHmac('sha256', secret).update(text).digest('base64url');

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The cookie value of a new session: its JSON in base64url, a dot, its HMAC. */
export function sealSession(secret: string, principal: Principal, expiresAt: number): string {
  const body = Buffer.from(
    JSON.stringify({ principal, expiresAt, sid: randomBytes(16).toString('base64url') }),
  ).toString('base64url');
  return `${body}.${mac(secret, `session:${body}`)}`;
}

/** The session in a cookie value, or null when it is forged, malformed or expired. */
export function openSession(secret: string, value: string, now: number): ConsoleSession | null {
  const [body, signature, extra] = value.split('.');
  if (!body || !signature || extra !== undefined) return null;
  if (!sameText(signature, mac(secret, `session:${body}`))) return null;
  try {
    const session = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as ConsoleSession;
    return session.expiresAt > now ? session : null;
  } catch {
    return null;
  }
}

/**
 * The CSRF token of a session (bound to its random id) or, for a request that authenticates
 * by header and has no session, of its principal. It is an HMAC under the console's
 * secret, so a page on another origin can neither read nor make it.
 */
export function csrfToken(secret: string, session: ConsoleSession | null, principal: Principal) {
  return mac(secret, session ? `csrf:session:${session.sid}` : `csrf:principal:${principal.id}`);
}

/** True when `sent` is the expected token (compared in constant time). */
export function csrfMatches(expected: string, sent: unknown): boolean {
  return typeof sent === 'string' && sameText(expected, sent);
}
