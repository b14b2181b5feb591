import { createHash } from 'node:crypto';
import { type StreamName, streamName } from '@duet/core';

/**
 * The form two emails are compared in: trimmed and lower-cased, so `Ada@Example.com ` and
 * `ada@example.com` are one address. (Strictly the local part is case-sensitive; no mail
 * provider a shop meets treats it so, and two accounts differing only in case help no one.)
 *
 * @example
 * normalizeEmail(' Ada@Example.com'); // 'ada@example.com'
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The stream that reserves an email for one customer: `customer_email-<sha256 hex>` of the
 * normalized email. Hashed so the address itself is not in stream names, which logs,
 * metrics and the CLI show freely; and a hash has one length whatever the email's.
 *
 * @example
 * emailReservationStream('ada@example.com'); // 'customer_email-2f0c…' (64 hex digits)
 */
export function emailReservationStream(email: string): StreamName {
  const digest = createHash('sha256').update(normalizeEmail(email), 'utf8').digest('hex');
  return streamName('customer_email', digest);
}
