import { describe, expect, it } from 'vitest';
import { lfwImageId, parsePairs } from './lfw-dataset.js';

describe('parsePairs', () => {
  it('reads View-2 pairs with any number of folds', () => {
    const text = ['2\t1', 'Ann\t1\t2', 'Ann\t1\tBob\t3', 'Cy\t2\t4', 'Dee\t1\tEd\t1', ''].join('\n');
    const { folds, perFold, pairs } = parsePairs(text);
    expect([folds, perFold]).toEqual([2, 1]);
    expect(pairs).toEqual([
      { fold: 0, same: true, a: 'Ann/Ann_0001.jpg', b: 'Ann/Ann_0002.jpg' },
      { fold: 0, same: false, a: 'Ann/Ann_0001.jpg', b: 'Bob/Bob_0003.jpg' },
      { fold: 1, same: true, a: 'Cy/Cy_0002.jpg', b: 'Cy/Cy_0004.jpg' },
      { fold: 1, same: false, a: 'Dee/Dee_0001.jpg', b: 'Ed/Ed_0001.jpg' },
    ]);
  });

  it('accepts a one-number header as a single fold and space separators', () => {
    expect(parsePairs('1\nAnn 1 2\nAnn 1 Bob 3\n').folds).toBe(1);
  });

  it('rejects a count mismatch or a malformed line', () => {
    expect(() => parsePairs('1\t2\nAnn\t1\t2\nAnn\t1\tBob\t3\n')).toThrow(/expected 4/);
    expect(() => parsePairs('1\t1\nAnn\t1\tBob\t2\nAnn\t1\t2\n')).toThrow(/line 2/);
  });

  it('names images the LFW way', () => {
    expect(lfwImageId('George_W_Bush', 12)).toBe('George_W_Bush/George_W_Bush_0012.jpg');
  });
});
