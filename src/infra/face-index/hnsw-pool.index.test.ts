import { describe, expect, it } from 'vitest';
import { normaliseInto } from './embedding.math.js';
import { cosine, nearby, randomVector, seededRandom } from './face-index.test-helpers.js';
import { HnswPoolIndex } from './hnsw-pool.index.js';

describe('HnswPoolIndex', () => {
  it('scores from our own int8 copies: within 0.005 of the float cosine at 512-d', () => {
    // Guards the native-binding bypass (usearch-native.ts): through usearch's JS wrapper the same vectors
    // come back with errors up to ~0.02.
    const dim = 512;
    const pool = new HnswPoolIndex({ dimensions: dim, connectivity: 16, expansionAdd: 64, expansionSearch: 64, threads: 2 });
    const random = seededRandom(1);
    const raw = Array.from({ length: 300 }, () => randomVector(random, dim));
    const units = new Float32Array(raw.length * dim);
    raw.forEach((v, i) => normaliseInto(v, 0, units, i * dim, dim));
    pool.addMany(Float64Array.from(raw, (_, i) => i + 1), units);
    let worst = 0;
    for (let q = 0; q < 30; q++) {
      const probe = nearby(random, raw[q]!, 1);
      const unit = new Float32Array(dim);
      normaliseInto(probe, 0, unit, 0, dim);
      const hits = pool.search(unit, 10);
      expect(hits[0]?.key).toBe(q + 1);
      for (const h of hits) worst = Math.max(worst, Math.abs(h.similarity - cosine(raw[h.key - 1]!, probe)));
    }
    expect(worst).toBeLessThan(0.005);
  });
});
