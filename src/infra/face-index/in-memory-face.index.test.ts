// Contract of the FaceIndex port, run against the exact and the scan pool variants.
import { describe, expect, it } from 'vitest';
import type { FaceIndex } from '../../domain/ports/face-index.port.js';
import { bruteTopK, cosine, nearby, randomVector, seededRandom } from './face-index.test-helpers.js';
import { InMemoryFaceIndex } from './in-memory-face.index.js';

const DIM = 128;

const variants = [
  { name: 'exact', kind: 'exact', tolerance: 1e-5, options: { exactLimit: Number.MAX_SAFE_INTEGER } },
  // exactLimit 0 promotes on the first face; a re-rank of 100 makes every search of more than 100 faces go through
  // the kernel's estimate and candidate selection rather than re-ranking the whole pool.
  { name: 'scan', kind: 'scan', tolerance: 1e-3, options: { exactLimit: 0, promotion: 'sync' as const, rerank: 100 } },
] as const;

describe.each(variants)('FaceIndex contract ($name)', ({ kind, tolerance, options }) => {
  const make = (): FaceIndex => new InMemoryFaceIndex({ dimensions: DIM, ...options });

  function enrol(index: FaceIndex, pool: string, n: number, seed: number, firstKey = 1): Map<number, Float32Array> {
    const random = seededRandom(seed);
    const faces = new Map<number, Float32Array>();
    for (let i = 0; i < n; i++) {
      const v = randomVector(random, DIM);
      faces.set(firstKey + i, v);
      index.add(pool, firstKey + i, v);
    }
    return faces;
  }

  it('is empty before anything is added', () => {
    const index = make();
    expect(index.search('p', randomVector(seededRandom(1), DIM), 5)).toEqual([]);
    expect(index.size('p')).toBe(0);
    expect(index.has('p', 1)).toBe(false);
    expect(index.stats('p')).toMatchObject({ size: 0, building: false });
    expect(index.pools()).toEqual([]);
  });

  it('finds an enrolled face from a nearby probe, with its cosine as similarity', () => {
    const index = make();
    const faces = enrol(index, 'p', 200, 2);
    const random = seededRandom(3);
    for (const key of [1, 50, 200]) {
      const probe = nearby(random, faces.get(key)!);
      const [top] = index.search('p', probe, 1);
      expect(top?.key).toBe(key);
      expect(top!.similarity).toBeCloseTo(cosine(faces.get(key)!, probe), tolerance < 1e-3 ? 5 : 1);
      expect(Math.abs(top!.similarity - cosine(faces.get(key)!, probe))).toBeLessThan(tolerance);
    }
    expect(index.stats('p')).toMatchObject({ size: 200, kind });
    expect(index.stats('p').bytes).toBeGreaterThan(200 * DIM * (kind === 'exact' ? 4 : 1));
  });

  it('returns the top k in descending order, matching brute force', () => {
    const index = make();
    const faces = enrol(index, 'p', 300, 4);
    const random = seededRandom(5);
    for (let q = 0; q < 20; q++) {
      const probe = nearby(random, faces.get(1 + q * 7)!, 1.2);
      const hits = index.search('p', probe, 10);
      expect(hits).toHaveLength(10);
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.similarity).toBeGreaterThanOrEqual(hits[i]!.similarity);
      const reference = bruteTopK(faces, probe, 10);
      expect(hits[0]!.key).toBe(reference[0]!.key);
      for (const hit of hits)
        expect(Math.abs(hit.similarity - cosine(faces.get(hit.key)!, probe))).toBeLessThan(tolerance);
      const overlap = hits.filter((h) => reference.some((r) => r.key === h.key)).length;
      expect(overlap).toBeGreaterThanOrEqual(kind === 'exact' ? 10 : 8);
    }
  });

  it('returns fewer than k when the pool is smaller, and nothing for k = 0', () => {
    const index = make();
    enrol(index, 'p', 3, 6);
    const probe = randomVector(seededRandom(7), DIM);
    expect(index.search('p', probe, 10)).toHaveLength(3);
    expect(index.search('p', probe, 0)).toEqual([]);
  });

  it('never returns a removed face', () => {
    const index = make();
    const faces = enrol(index, 'p', 300, 8);
    const random = seededRandom(9);
    const removed = new Set<number>();
    for (const key of faces.keys()) if (random() < 0.5) removed.add(key);
    for (const key of removed) expect(index.remove('p', key)).toBe(true);
    for (const key of removed) expect(index.remove('p', key)).toBe(false);
    expect(index.size('p')).toBe(300 - removed.size);
    for (const key of removed) expect(index.has('p', key)).toBe(false);
    for (let q = 0; q < 40; q++) {
      // Probes aimed at removed faces are the ones most likely to surface a stale node.
      const target = [...removed][q * 3]!;
      const hits = index.search('p', nearby(random, faces.get(target)!, 0.2), 50);
      expect(hits.length).toBe(50);
      for (const hit of hits) expect(removed.has(hit.key)).toBe(false);
    }
  });

  it('drops a pool once its last face is removed', () => {
    const index = make();
    enrol(index, 'p', 2, 10);
    index.remove('p', 1);
    index.remove('p', 2);
    expect(index.pools()).toEqual([]);
    expect(index.search('p', randomVector(seededRandom(11), DIM), 3)).toEqual([]);
  });

  it('replaces the vector when a key is added again', () => {
    const index = make();
    const faces = enrol(index, 'p', 100, 12);
    const random = seededRandom(13);
    const before = faces.get(42)!;
    const after = randomVector(random, DIM);
    index.add('p', 42, after);
    expect(index.size('p')).toBe(100);
    const [top] = index.search('p', after, 1);
    expect(top?.key).toBe(42);
    expect(top!.similarity).toBeGreaterThan(0.98);
    const hits = index.search('p', before, 100);
    const again = hits.find((h) => h.key === 42);
    if (again) expect(Math.abs(again.similarity - cosine(before, after))).toBeLessThan(tolerance);
    expect(hits[0]?.key === 42 && hits[0].similarity > 0.9).toBe(false);
  });

  it('keeps pools apart', () => {
    const index = make();
    const a = enrol(index, 'a', 50, 14);
    const b = enrol(index, 'b', 50, 15); // same keys 1..50, different vectors
    const probe = a.get(7)!;
    expect(index.search('a', probe, 1)[0]).toMatchObject({ key: 7 });
    const inB = index.search('b', probe, 50);
    expect(inB.find((h) => h.key === 7)!.similarity).toBeCloseTo(cosine(b.get(7)!, probe), 1);
    expect(inB[0]!.similarity).toBeLessThan(0.9);
    index.remove('a', 8);
    expect(index.has('b', 8)).toBe(true);
    index.dropPool('a');
    expect(index.size('a')).toBe(0);
    expect(index.search('a', probe, 5)).toEqual([]);
    expect(index.size('b')).toBe(50);
    expect(index.pools()).toEqual(['b']);
  });

  it('bulk-adds with addMany as add would, later duplicates winning', () => {
    const one = make();
    const bulk = make();
    const random = seededRandom(16);
    const keys = Array.from({ length: 120 }, (_, i) => i + 1);
    const rows = new Float32Array(121 * DIM);
    keys.forEach((key, i) => {
      const v = randomVector(random, DIM);
      rows.set(v, i * DIM);
      one.add('p', key, v);
    });
    const replacement = randomVector(random, DIM);
    rows.set(replacement, 120 * DIM);
    one.add('p', 5, replacement);
    bulk.addMany('p', [...keys, 5], rows);
    expect(bulk.size('p')).toBe(120);
    const probe = nearby(random, replacement, 0.3);
    expect(bulk.search('p', probe, 5).map((h) => h.key)).toEqual(one.search('p', probe, 5).map((h) => h.key));
    expect(bulk.search('p', probe, 1)[0]?.key).toBe(5);
  });

  it('refuses malformed keys, vectors and k', () => {
    const index = make();
    const v = randomVector(seededRandom(17), DIM);
    expect(() => index.add('p', -1, v)).toThrow(RangeError);
    expect(() => index.add('p', 1.5, v)).toThrow(RangeError);
    expect(() => index.add('p', 1, new Float32Array(DIM - 1))).toThrow(RangeError);
    expect(() => index.add('p', 1, new Float32Array(DIM))).toThrow(/non-zero/);
    const nan = v.slice();
    nan[3] = Number.NaN;
    expect(() => index.add('p', 1, nan)).toThrow(/finite/);
    expect(() => index.add('', 1, v)).toThrow(TypeError);
    index.add('p', 1, v);
    expect(() => index.search('p', v, -1)).toThrow(RangeError);
    expect(() => index.search('p', v, 1.5)).toThrow(RangeError);
    expect(() => index.addMany('p', [2, 3], new Float32Array(DIM))).toThrow(RangeError);
    expect(index.size('p')).toBe(1);
  });

  it('rebuilds a pool from a database feed while live changes win', () => {
    const index = make();
    const faces = enrol(index, 'p', 200, 18);
    const random = seededRandom(19);
    const rebuild = index.rebuild('p');
    expect(index.stats('p').building).toBe(true);
    // Live changes after the "database read": 10 is deleted, 500 is enrolled, 20 gets a new vector.
    index.remove('p', 10);
    const fresh = randomVector(random, DIM);
    index.add('p', 500, fresh);
    const newTwenty = randomVector(random, DIM);
    index.add('p', 20, newTwenty);
    const keys = [...faces.keys()];
    for (let start = 0; start < keys.length; start += 64) {
      const chunk = keys.slice(start, start + 64);
      const rows = new Float32Array(chunk.length * DIM);
      chunk.forEach((key, i) => rows.set(faces.get(key)!, i * DIM));
      rebuild.addMany(chunk, rows);
      expect(index.has('p', 10)).toBe(false); // the old index keeps serving meanwhile
    }
    rebuild.commit();
    expect(index.stats('p')).toMatchObject({ size: 200, building: false });
    expect(index.has('p', 10)).toBe(false);
    expect(index.search('p', faces.get(10)!, 200).some((h) => h.key === 10)).toBe(false);
    expect(index.search('p', fresh, 1)[0]?.key).toBe(500);
    expect(index.search('p', newTwenty, 1)[0]?.key).toBe(20);
    expect(() => rebuild.commit()).toThrow(/committed/);
  });

  it('keeps the old index when a rebuild is aborted or superseded', () => {
    const index = make();
    const faces = enrol(index, 'p', 50, 20);
    const first = index.rebuild('p');
    const second = index.rebuild('p');
    expect(() => first.addMany([1], faces.get(1)!)).toThrow(/superseded/);
    expect(() => first.commit()).toThrow(/superseded/);
    second.addMany([1], faces.get(1)!);
    second.abort();
    expect(index.stats('p')).toMatchObject({ size: 50, building: false });
    expect(index.search('p', faces.get(30)!, 1)[0]?.key).toBe(30);
    const dropped = index.rebuild('p');
    index.dropPool('p');
    expect(() => dropped.commit()).toThrow(/superseded/);
    expect(index.size('p')).toBe(0);
  });
});
