// Moving a pool between exact and scan search: promotion past the limit, in the background or at once,
// and demotion through a rebuild after the pool has shrunk.
import { describe, expect, it } from 'vitest';
import { nearby, randomVector, seededRandom } from './face-index.test-helpers.js';
import { InMemoryFaceIndex } from './in-memory-face.index.js';

const DIM = 64;
const LIMIT = 100;

function faces(n: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => randomVector(random, DIM));
}

describe('promotion from exact to scan', () => {
  it('promotes at once past the limit in sync mode and keeps the results', () => {
    const index = new InMemoryFaceIndex({ dimensions: DIM, exactLimit: LIMIT, promotion: 'sync' });
    const vectors = faces(150, 1);
    const random = seededRandom(2);
    const probes = vectors.slice(0, 20).map((v) => nearby(random, v, 0.4));
    vectors.slice(0, LIMIT).forEach((v, i) => index.add('p', i + 1, v));
    expect(index.stats('p').kind).toBe('exact');
    const before = probes.map((p) => index.search('p', p, 1)[0]!);
    index.add('p', LIMIT + 1, vectors[LIMIT]!);
    expect(index.stats('p')).toMatchObject({ kind: 'scan', size: LIMIT + 1, building: false });
    probes.forEach((p, i) => {
      const [after] = index.search('p', p, 1);
      expect(after?.key).toBe(before[i]!.key);
      expect(Math.abs(after!.similarity - before[i]!.similarity)).toBeLessThan(0.02);
    });
  });

  it('starts a bulk-loaded pool as a scan pool when its expected size is past the limit', () => {
    const index = new InMemoryFaceIndex({ dimensions: DIM, exactLimit: LIMIT });
    const vectors = faces(150, 9);
    const rows = (from: number, to: number) => {
      const m = new Float32Array((to - from) * DIM);
      vectors.slice(from, to).forEach((v, i) => m.set(v, i * DIM));
      return m;
    };
    const keys = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i + 1);
    index.addMany('small', keys(0, 10), rows(0, 10), LIMIT);
    expect(index.stats('small').kind).toBe('exact');
    index.addMany('big', keys(0, 10), rows(0, 10), 150);
    expect(index.stats('big')).toMatchObject({ kind: 'scan', size: 10 });
    index.addMany('big', keys(10, 150), rows(10, 150), 150);
    expect(index.search('big', vectors[120]!, 1)[0]?.key).toBe(121);
  });

  it('promotes in the background while the exact pool serves and live changes are kept', async () => {
    const index = new InMemoryFaceIndex({ dimensions: DIM, exactLimit: LIMIT, sliceMs: 0.01 });
    const vectors = faces(400, 3);
    vectors.slice(0, 300).forEach((v, i) => index.add('p', i + 1, v));
    expect(index.stats('p')).toMatchObject({ kind: 'exact', building: true });
    // Changes during the build: remove keys the build has not copied yet and some it may have, add more.
    for (let key = 1; key <= 300; key += 10) index.remove('p', key);
    vectors.slice(300).forEach((v, i) => index.add('p', 301 + i, v));
    expect(index.search('p', vectors[0]!, 5).some((h) => h.key === 1)).toBe(false);
    await index.idle();
    expect(index.stats('p')).toMatchObject({ kind: 'scan', size: 370, building: false });
    for (let key = 1; key <= 300; key += 10) {
      expect(index.has('p', key)).toBe(false);
      expect(index.search('p', vectors[key - 1]!, 20).some((h) => h.key === key)).toBe(false);
    }
    const random = seededRandom(4);
    for (const key of [2, 150, 299, 301, 400])
      expect(index.search('p', nearby(random, vectors[key - 1]!, 0.3), 1)[0]?.key).toBe(key);
  });

  it('lets a bulk load overtake a background promotion', async () => {
    const index = new InMemoryFaceIndex({ dimensions: DIM, exactLimit: LIMIT, sliceMs: 0.01 });
    const vectors = faces(400, 12);
    vectors.slice(0, 150).forEach((v, i) => index.add('p', i + 1, v));
    expect(index.stats('p')).toMatchObject({ kind: 'exact', building: true });
    const rows = new Float32Array(250 * DIM);
    vectors.slice(150).forEach((v, i) => rows.set(v, i * DIM));
    index.addMany(
      'p',
      Array.from({ length: 250 }, (_, i) => 151 + i),
      rows,
    );
    expect(index.stats('p')).toMatchObject({ kind: 'scan', size: 400, building: false });
    index.remove('p', 3);
    await index.idle();
    expect(index.stats('p')).toMatchObject({ kind: 'scan', size: 399 });
    expect(index.has('p', 3)).toBe(false);
    expect(index.search('p', vectors[2]!, 10).some((h) => h.key === 3)).toBe(false);
    expect(index.search('p', vectors[200]!, 1)[0]?.key).toBe(201);
  });

  it('stops a background promotion when the pool is dropped', async () => {
    const index = new InMemoryFaceIndex({ dimensions: DIM, exactLimit: LIMIT, sliceMs: 0.01 });
    faces(200, 5).forEach((v, i) => index.add('p', i + 1, v));
    expect(index.stats('p').building).toBe(true);
    index.dropPool('p');
    await index.idle();
    expect(index.pools()).toEqual([]);
    index.add('p', 1, faces(1, 6)[0]!);
    expect(index.stats('p')).toMatchObject({ kind: 'exact', size: 1 });
  });

  it('converts at once when addMany takes a pool past the limit', () => {
    const index = new InMemoryFaceIndex({ dimensions: DIM, exactLimit: LIMIT });
    const vectors = faces(250, 7);
    const rows = new Float32Array(250 * DIM);
    vectors.forEach((v, i) => rows.set(v, i * DIM));
    index.addMany(
      'p',
      Array.from({ length: 80 }, (_, i) => i + 1),
      rows.subarray(0, 80 * DIM),
    );
    expect(index.stats('p').kind).toBe('exact');
    index.addMany(
      'p',
      Array.from({ length: 170 }, (_, i) => i + 81),
      rows.subarray(80 * DIM),
    );
    expect(index.stats('p')).toMatchObject({ kind: 'scan', size: 250, building: false });
    expect(index.search('p', vectors[10]!, 1)[0]?.key).toBe(11);
    expect(index.search('p', vectors[200]!, 1)[0]?.key).toBe(201);
  });

  it("frees a removed face's row at once: later adds reuse the capacity", () => {
    const index = new InMemoryFaceIndex({ dimensions: DIM, exactLimit: 0, promotion: 'sync' });
    const vectors = faces(60, 8);
    vectors.slice(0, 50).forEach((v, i) => index.add('p', i + 1, v));
    const bytes = index.stats('p').bytes;
    for (let key = 1; key <= 10; key++) index.remove('p', key);
    vectors
      .slice(50)
      .slice(0, 6)
      .forEach((v, i) => index.add('p', 100 + i, v));
    expect(index.stats('p')).toMatchObject({ kind: 'scan', size: 46 });
    expect(index.stats('p').bytes).toBeLessThanOrEqual(bytes);
  });

  it('demotes to exact when a shrunken pool is rebuilt', () => {
    const index = new InMemoryFaceIndex({ dimensions: DIM, exactLimit: LIMIT, promotion: 'sync' });
    const vectors = faces(150, 9);
    vectors.forEach((v, i) => index.add('p', i + 1, v));
    expect(index.stats('p').kind).toBe('scan');
    for (let key = 1; key <= 100; key++) index.remove('p', key);
    const rebuild = index.rebuild('p');
    const keys = Array.from({ length: 50 }, (_, i) => 101 + i);
    const rows = new Float32Array(50 * DIM);
    keys.forEach((key, i) => rows.set(vectors[key - 1]!, i * DIM));
    rebuild.addMany(keys, rows);
    rebuild.commit();
    expect(index.stats('p')).toMatchObject({ kind: 'exact', size: 50 });
    expect(index.search('p', vectors[120]!, 1)[0]).toMatchObject({ key: 121 });
    expect(index.search('p', vectors[120]!, 1)[0]!.similarity).toBeCloseTo(1, 5);
  });
});
