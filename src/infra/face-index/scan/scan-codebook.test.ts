import { describe, expect, it } from 'vitest';
import { gaussian, seededRandom } from '../face-index.test-helpers.js';
import { trainCodebookOffThread } from './codebook-training.js';
import { Codebook, codeBytes, codeShape } from './scan-codebook.js';

/** Unit vectors whose variance falls off as (j+1)^-decay along a random orthonormal basis (faces look like this). */
function anisotropic(n: number, dim: number, decay: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const basis = Array.from({ length: dim }, () => Float64Array.from({ length: dim }, () => gaussian(random)));
  basis.forEach((v, i) => {
    for (let k = 0; k < i; k++) {
      const d = v.reduce((s, x, j) => s + x * basis[k]![j]!, 0);
      v.forEach((_, j) => (v[j]! -= d * basis[k]![j]!));
    }
    const norm = Math.hypot(...v);
    v.forEach((_, j) => (v[j]! /= norm));
  });
  const out = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    const x = new Float64Array(dim);
    for (let i = 0; i < dim; i++) {
      const c = gaussian(random) * (i + 1) ** (-decay / 2);
      for (let j = 0; j < dim; j++) x[j]! += c * basis[i]![j]!;
    }
    const norm = Math.hypot(...x);
    for (let j = 0; j < dim; j++) out[r * dim + j] = x[j]! / norm;
  }
  return out;
}

/** A code's score as the kernel computes it: head nibbles' table entries plus tail bytes' table entries. */
function score(codebook: Codebook, rows: Float32Array, row: number, probe: Float32Array): number {
  const { headRows, tailBytes } = codebook.shape;
  const dim = codebook.dimensions;
  const bytes = new Uint8Array(32 * headRows + 256 * tailBytes + 16 * headRows + tailBytes);
  const [tail, block, tailCode] = [32 * headRows, 32 * headRows + 256 * tailBytes, 32 * headRows + 256 * tailBytes + 16 * headRows];
  const projected = new Float32Array(dim);
  codebook.project(rows, row * dim, projected);
  codebook.writeCode(projected, bytes, block, 0, tailCode);
  codebook.project(probe, 0, projected);
  codebook.writeQueryTables(projected, bytes, 0, tail);
  let sum = 0;
  for (let p = 0; p < headRows; p++) {
    const b = bytes[block + p * 16]!;
    sum += bytes[p * 32 + (b & 15)]! + bytes[p * 32 + 16 + (b >> 4)]!;
  }
  for (let t = 0; t < tailBytes; t++) sum += bytes[tail + t * 256 + bytes[tailCode + t]!]!;
  return sum;
}

function pearson(a: number[], b: number[]): number {
  const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
  const [ma, mb] = [mean(a), mean(b)];
  let [ab, aa, bb] = [0, 0, 0];
  a.forEach((x, i) => {
    ab += (x - ma) * (b[i]! - mb);
    aa += (x - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  });
  return ab / Math.sqrt(aa * bb);
}

describe('Codebook', () => {
  it('puts a quarter of the code in the head, at least two rows', () => {
    expect(codeShape(codeBytes(512))).toEqual({ headRows: 16, tailBytes: 48 });
    expect(codeShape(codeBytes(64))).toEqual({ headRows: 2, tailBytes: 6 });
    expect(codeShape(codeBytes(16))).toEqual({ headRows: 2, tailBytes: 0 });
  });

  it('spends bits where the variance is and fills the code', () => {
    const dim = 64;
    const codebook = Codebook.train(anisotropic(2_000, dim, 1.5, 1), 2_000, dim, codeShape(codeBytes(dim)));
    const bits = codebook.bits;
    expect(bits.reduce((a, b) => a + b, 0)).toBeGreaterThan(60); // of 64
    expect(bits[0]).toBe(4);
    expect(bits.filter((b) => b === 4).length).toBeGreaterThan(1);
    expect(bits.length).toBeLessThan(dim); // weak directions get no bits at all
  });

  it('falls back to about one bit per direction when no direction dominates', () => {
    const dim = 64;
    const codebook = Codebook.train(anisotropic(3_000, dim, 0, 2), 3_000, dim, codeShape(codeBytes(dim)));
    expect(codebook.bits.filter((b) => b === 1).length).toBeGreaterThan(0.8 * codebook.bits.length);
  });

  it('estimates inner products closely on anisotropic data', () => {
    const dim = 64;
    const rows = anisotropic(1_200, dim, 1.5, 3);
    const codebook = Codebook.train(rows, 1_000, dim, codeShape(codeBytes(dim)));
    const probe = rows.subarray(1_100 * dim, 1_101 * dim); // not in the training sample
    const truth: number[] = [];
    const estimate: number[] = [];
    for (let r = 0; r < 1_000; r++) {
      truth.push(rows.subarray(r * dim, (r + 1) * dim).reduce((s, x, j) => s + x * probe[j]!, 0));
      estimate.push(score(codebook, rows, r, probe));
    }
    expect(pearson(truth, estimate)).toBeGreaterThan(0.95);
  });

  it('learns the same code on a worker thread', async () => {
    const dim = 64;
    const rows = anisotropic(500, dim, 1.5, 4);
    const shape = codeShape(codeBytes(dim));
    const here = Codebook.train(rows, 500, dim, shape);
    const there = await trainCodebookOffThread(rows, 500, dim, shape);
    expect(there.bits).toEqual(here.bits);
    const [a, b] = [new Float32Array(dim), new Float32Array(dim)];
    here.project(rows, 7 * dim, a);
    there.project(rows, 7 * dim, b);
    expect([...b]).toEqual([...a]);
  });
});
