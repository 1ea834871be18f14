import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds } from './raw-body.js';

function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (value && typeof value === 'object') return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

describe('jsonDepthExceeds', () => {
  it('counts nesting, not brackets inside strings or escaped quotes', () => {
    const exceeds = (text: string, max: number) => jsonDepthExceeds(Buffer.from(text), max);
    expect(exceeds('[[[]]]', 3)).toBe(false);
    expect(exceeds('[[[[]]]]', 3)).toBe(true);
    expect(exceeds('{"a":"[[[[[[{{{{"}', 1)).toBe(false);
    expect(exceeds('["\\"[[[[", "\\\\", [[1]]]', 3)).toBe(false);
    expect(exceeds('["\\\\"  ,[[[1]]]]', 3)).toBe(true);
    expect(exceeds('"unterminated [[[[', 1)).toBe(false);
    expect(exceeds('[]'.repeat(10_000), 1)).toBe(false);
  });

  it('agrees with the real depth of any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), fc.integer({ min: 0, max: 14 }), (value, max) => {
        expect(jsonDepthExceeds(Buffer.from(JSON.stringify(value)), max)).toBe(depthOf(value) > max);
      }),
      { numRuns: 2000 },
    );
  });

  it('scans 14 MB of brackets without recursion', () => {
    expect(jsonDepthExceeds(Buffer.from('['.repeat(14 << 20)), 32)).toBe(true);
    expect(jsonDepthExceeds(Buffer.from(`{"data":"${'A'.repeat(14 << 20)}"}`), 32)).toBe(false);
  });
});
