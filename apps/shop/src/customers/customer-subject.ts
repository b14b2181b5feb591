import { FORGOTTEN } from '@duet/core';

/**
 * The data subject a customer's personal data belongs to: `customer-<customerId>`. Its key
 * seals the customer's name, email and addresses; forgetting it erases them everywhere.
 *
 * @example
 * customerSubject('ada'); // 'customer-ada'
 */
export function customerSubject(customerId: string): string {
  return `customer-${customerId}`;
}

/** The customer id of a `customer-<id>` subject, or null for any other subject. */
export function customerIdOfSubject(subject: string): string | null {
  return subject.startsWith('customer-') ? subject.slice('customer-'.length) : null;
}

/**
 * What a forgotten address reads as. `ZZ` is the ISO 3166 code for "unknown or
 * unspecified": a two-letter country, so published contracts still accept it.
 */
export const FORGOTTEN_ADDRESS = {
  line1: FORGOTTEN,
  city: FORGOTTEN,
  postalCode: FORGOTTEN,
  country: 'ZZ',
} as const;
