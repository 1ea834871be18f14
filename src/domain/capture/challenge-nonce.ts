import { timingSafeEqual } from 'node:crypto';

/**
 * Whether the client echoed the challenge's secret nonce, compared in constant time (a challenge issued before
 * migration 0009 has none, and matches nothing).
 */
export function nonceMatches(expected: string | null | undefined, given: string): boolean {
  const a = Buffer.from(expected ?? '');
  const b = Buffer.from(given);
  return a.length > 0 && a.length === b.length && timingSafeEqual(a, b);
}
