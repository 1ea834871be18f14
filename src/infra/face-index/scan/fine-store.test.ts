import { describe, expect, it } from 'vitest';
import { cosine, randomVector, seededRandom, unit } from '../face-index.test-helpers.js';
import { FineStore } from './fine-store.js';

describe('FineStore', () => {
  it('keeps rows across several memories and re-ranks lists that cross them', () => {
    const dim = 20; // width 24: 48-byte rows, so rows straddle cache lines
    const store = new FineStore(dim, 48 * 1024); // 1,024 rows a memory
    const random = seededRandom(11);
    const rows = Array.from({ length: 3000 }, () => unit(randomVector(random, dim)));
    store.reserve(1500);
    rows.slice(0, 1500).forEach((v, r) => store.write(r, v, 0));
    store.reserve(3000); // grows the second memory and adds a third
    rows.slice(1500).forEach((v, r) => store.write(1500 + r, v, 0));
    store.move(2999, 5); // across memories, as a removal does
    rows[5] = rows[2999]!;
    const probe = unit(randomVector(random, dim));
    const list = Uint32Array.from([
      0,
      5,
      1023,
      1024,
      1025,
      2047,
      2048,
      2998,
      17,
      1500,
      ...Array.from({ length: 300 }, (_, i) => i * 9),
    ]);
    const sims = store.similarities(list, probe);
    list.forEach((r, i) => expect(Math.abs(sims[i]! - cosine(rows[r]!, probe))).toBeLessThan(1e-4));
  });
});
