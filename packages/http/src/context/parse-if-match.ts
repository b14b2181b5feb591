import { type ExpectedVersion, ValidationError } from '@duet/core';

/**
 * Reads `If-Match` as the stream version the client last saw: `"7"` expects version 7,
 * `*` expects the stream to exist. Weak tags and lists are refused: a command must name
 * one exact version.
 *
 * @example
 * parseIfMatch('"3"') // 3
 */
export function parseIfMatch(header: string | string[] | undefined): ExpectedVersion | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(',') : header.trim();
  if (value === '*') return 'stream_exists';
  const match = /^"(0|[1-9]\d{0,14})"$/.exec(value);
  if (!match?.[1]) {
    throw new ValidationError('header If-Match', [
      { path: ['If-Match'], message: 'expected one strong entity tag with a version, like "3"' },
    ]);
  }
  return Number(match[1]);
}
