// The learned code of the scan index: which directions of the embedding are kept, with how many bits each
// (scan-pool.index.ts explains where the codes live and how they are scanned).
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { FineStore } from './fine-store.js';

/**
 * Mean squared error of an equiprobable scalar quantiser of a unit-variance Gaussian, by bits (Lloyd-Max
 * figures; a coordinate gets 0, 1, 2 or 4 bits so that codes pack into nibbles without straddling).
 */
const DISTORTION: Record<number, number> = { 0: 1, 1: 0.3634, 2: 0.1175, 4: 0.0095 };
const NEXT_BITS: Record<number, number> = { 0: 1, 1: 2, 2: 4 };
/** Sample rows behind the principal directions. */
export const TRAIN_ROWS = 2_048;
/**
 * Variance added to every direction, relative to an isotropic unit vector's 1/dimensions: keeps the quantisers
 * informative when the sample does not vary along a direction (all alike, or fewer rows than dimensions).
 */
const VARIANCE_FLOOR = 0.01;
/** The largest nibble table spans 0..127, so that two of them (a tail byte's table) fit in a byte. */
const TABLE_SPAN = 127;

/**
 * How a code is split. The head (`headRows` bytes) is laid out in blocks of 16 codes for the full scan; the
 * tail (`tailBytes`) is stored one code after another and read only for the scan's best candidates. The head
 * is a quarter of the code: reading it is what a search at a million faces costs, and the best-spent bits
 * (the strongest directions) go there.
 */
export interface CodeShape {
  headRows: number;
  tailBytes: number;
}

/** The shape of a code of `bytes` bytes (one bit per coordinate of the embedding padded to a power of two). */
export function codeShape(bytes: number): CodeShape {
  // The kernel takes head rows two at a time.
  const headRows = Math.min(bytes, Math.max(2, 2 * Math.floor(bytes / 8)));
  return { headRows, tailBytes: bytes - headRows };
}

export function codeBytes(dimensions: number): number {
  let width = 16;
  while (width < dimensions) width <<= 1;
  return width >> 3;
}

/** What a code is learned as: plain data, so that it can be learned on another thread. */
export interface CodeData {
  dimensions: number;
  shape: CodeShape;
  /** Row k: the direction of kept coordinate k. */
  basis: Float32Array;
  coords: Coordinate[];
}

/** One kept coordinate: a principal direction quantised to 2^bits levels, stored at (nibble, shift). */
interface Coordinate {
  bits: number;
  nibble: number;
  shift: number;
  /** 2^bits − 1 ascending bounds between levels, and the mean of each level. */
  bounds: Float32Array;
  levels: Float32Array;
}

/**
 * A code learned from a sample of the pool: its principal directions, and for each a number of bits chosen so
 * that the error of the estimated inner product is smallest for the code's size. A direction with variance λ
 * contributes about λ²·D(bits) to that error (the probe's coordinate has variance λ too), so bits go where
 * variance is: face embeddings keep most of their variance in a few dozen directions, and at 64 bytes per
 * face this code estimates inner products better than one sign bit per coordinate of a random rotation at
 * the same size (docs/face-index.md has the measurement). With no dominant directions (isotropic data) the
 * allocation becomes one bit per direction, i.e. a sign code again.
 *
 * A probe is projected on the same directions and each nibble of the code gets a 16-entry table: the sum of
 * probe coordinate × level over the coordinates the nibble holds. A face's score is the sum of its nibbles'
 * entries: an estimate of its inner product with the probe, up to a constant (asymmetric distance: only the
 * face is quantised).
 */
export class Codebook {
  /** The kept directions as int16 rows, so that the kernel's SIMD dot products project a vector (~1e-5). */
  private readonly directions: FineStore;
  private readonly all: Uint32Array;
  private readonly code: Uint8Array;

  readonly dimensions: number;
  readonly shape: CodeShape;
  private readonly coords: Coordinate[];

  constructor({ dimensions, shape, basis, coords }: CodeData) {
    this.dimensions = dimensions;
    this.shape = shape;
    this.coords = coords;
    this.directions = new FineStore(dimensions, 2 ** 24);
    this.directions.reserve(coords.length);
    coords.forEach((_, k) => this.directions.write(k, basis, k * dimensions));
    this.all = Uint32Array.from(coords.keys());
    this.code = new Uint8Array(shape.headRows + shape.tailBytes);
  }

  /** Bits of each kept coordinate, in code order. */
  get bits(): number[] {
    return this.coords.map((c) => c.bits);
  }

  /** Kept coordinates: the length of a projection. */
  get size(): number {
    return this.coords.length;
  }

  static train(rows: Float32Array, count: number, dimensions: number, shape: CodeShape): Codebook {
    return new Codebook(learnCode(rows, count, dimensions, shape));
  }

  /** Writes the coordinates of src[offset .. +dimensions] on the kept directions into out (length `size`). */
  project(src: Float32Array, offset: number, out: Float32Array): void {
    out.set(this.directions.similarities(this.all, src.subarray(offset, offset + this.dimensions)));
  }

  /**
   * Writes the code of a projected face: its head into lane `lane` (0-15) of the block at `block`, where row p
   * (16 bytes) holds nibble 2p in the low half of byte `lane` and nibble 2p+1 in the high half; its tail
   * bytes at `tail`, nibble 2(headRows + t) in the low half of byte t.
   */
  writeCode(projected: Float32Array, bytes: Uint8Array, block: number, lane: number, tail: number): void {
    const { headRows, tailBytes } = this.shape;
    const code = this.code;
    code.fill(0);
    this.coords.forEach((c, k) => {
      const v = projected[k]!;
      let level = 0;
      while (level < c.bounds.length && v > c.bounds[level]!) level++;
      code[c.nibble >> 1]! |= level << (c.shift + 4 * (c.nibble & 1));
    });
    for (let p = 0; p < headRows; p++) bytes[block + p * 16 + lane] = code[p]!;
    bytes.set(code.subarray(headRows), tail);
  }

  /**
   * Writes the query tables of a projected probe: one 16-entry table per head nibble at `head` (nibble m at
   * head + 16m), and one 256-entry table per tail byte at `tail`, the sum of its two nibbles' tables. Every
   * table is shifted to start at 0 (the same shift for every face, so the ranking keeps) and all share one
   * scale, so a head score plus the tail tables' entries is the estimate over the whole code.
   */
  writeQueryTables(projected: Float32Array, bytes: Uint8Array, head: number, tail: number): void {
    const { headRows, tailBytes } = this.shape;
    const nibbles = 2 * (headRows + tailBytes);
    const tables = new Float32Array(nibbles * 16);
    this.coords.forEach((c, k) => {
      const q = projected[k]!;
      const mask = (1 << c.bits) - 1;
      for (let v = 0; v < 16; v++) tables[c.nibble * 16 + v]! += q * c.levels[(v >> c.shift) & mask]!;
    });
    let span = 0;
    for (let m = 0; m < nibbles; m++) {
      const t = tables.subarray(m * 16, m * 16 + 16);
      const low = Math.min(...t);
      for (let v = 0; v < 16; v++) t[v]! -= low;
      span = Math.max(span, ...t);
    }
    const scale = span > 0 ? TABLE_SPAN / span : 0;
    const entry = (m: number, v: number): number => Math.round(tables[m * 16 + v]! * scale);
    for (let m = 0; m < 2 * headRows; m++) for (let v = 0; v < 16; v++) bytes[head + m * 16 + v] = entry(m, v);
    for (let t = 0; t < tailBytes; t++) {
      const m = 2 * (headRows + t);
      for (let v = 0; v < 256; v++) bytes[tail + t * 256 + v] = entry(m, v & 15) + entry(m + 1, v >> 4);
    }
  }
}

/**
 * Learns a code from `count` unit rows (row-major in `rows`), using at most TRAIN_ROWS spread over them: the
 * principal directions of their covariance, bits allocated by variance, and a Gaussian quantiser per kept
 * direction. About 2 s at 512-d here (the eigendecomposition most of it), so pools learn theirs on a worker
 * thread where they can (codebook-training.ts).
 */
export function learnCode(rows: Float32Array, count: number, dimensions: number, shape: CodeShape): CodeData {
  const dim = dimensions;
  const picks = spread(count, TRAIN_ROWS);
  const mean = new Float64Array(dim);
  for (const r of picks) for (let j = 0; j < dim; j++) mean[j]! += rows[r * dim + j]!;
  for (let j = 0; j < dim; j++) mean[j]! /= picks.length;
  const cov = new Float64Array(dim * dim);
  const x = new Float64Array(dim);
  for (const r of picks) {
    for (let j = 0; j < dim; j++) x[j] = rows[r * dim + j]! - mean[j]!;
    for (let i = 0; i < dim; i++) {
      const xi = x[i]!;
      const at = i * dim;
      for (let j = i; j < dim; j++) cov[at + j]! += xi * x[j]!;
    }
  }
  const matrix = new Matrix(dim, dim);
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const v = cov[i * dim + j]! / picks.length;
      matrix.set(i, j, v);
      matrix.set(j, i, v);
    }
  }
  const evd = new EigenvalueDecomposition(matrix, { assumeSymmetric: true });
  const order = evd.realEigenvalues.map((value, index) => ({ value: Math.max(0, value), index })).sort((a, b) => b.value - a.value);
  const variance = order.map((o) => o.value + VARIANCE_FLOOR / dim);
  const head = allocate(variance, shape.headRows * 8);
  const all = allocate(variance, (shape.headRows + shape.tailBytes) * 8, head);
  // Kept coordinates in code order: head ones first, each part by descending bits so nibbles pack exactly.
  const kept = [...variance.keys()].filter((c) => all[c]! > 0);
  const part = (c: number): number => (head[c]! > 0 ? 0 : 1);
  kept.sort((a, b) => part(a) - part(b) || all[b]! - all[a]! || a - b);
  const vectors = evd.eigenvectorMatrix;
  const basis = new Float32Array(kept.length * dim);
  kept.forEach((c, k) => {
    for (let j = 0; j < dim; j++) basis[k * dim + j] = vectors.get(j, order[c]!.index);
  });
  let cursor = 0;
  const coords = kept.map((c, k) => {
    const bits = all[c]!;
    if (part(c) === 1 && cursor < shape.headRows * 8) cursor = shape.headRows * 8; // the tail starts a byte
    if ((cursor & 3) + bits > 4) cursor = (cursor + 3) & ~3;
    const at = cursor;
    cursor += bits;
    let centre = 0;
    for (let j = 0; j < dim; j++) centre += mean[j]! * basis[k * dim + j]!;
    return { bits, nibble: at >> 2, shift: at & 3, ...gaussianQuantiser(bits, centre, Math.sqrt(variance[c]!)) };
  });
  return { dimensions, shape, basis, coords };
}

/**
 * Bits per coordinate (variances descending) for a budget: each step gives the next bit(s) to the coordinate
 * whose squared-error gain per bit is largest. Coordinates set in `fixed` keep their bits.
 */
function allocate(variance: number[], budget: number, fixed?: number[]): number[] {
  const bits = fixed ? [...fixed] : variance.map(() => 0);
  let used = bits.reduce((a, b) => a + b, 0);
  for (;;) {
    let best = -1;
    let bestGain = -1;
    for (let c = 0; c < variance.length; c++) {
      if (fixed && fixed[c]! > 0) continue;
      const b = bits[c]!;
      const next = NEXT_BITS[b];
      if (next === undefined || used + next - b > budget) continue;
      const gain = (variance[c]! ** 2 * (DISTORTION[b]! - DISTORTION[next]!)) / (next - b);
      if (gain > bestGain) [best, bestGain] = [c, gain];
    }
    if (best < 0) return bits;
    used += NEXT_BITS[bits[best]!]! - bits[best]!;
    bits[best] = NEXT_BITS[bits[best]!]!;
  }
}

/**
 * An equiprobable quantiser for a Gaussian coordinate (the projection of an embedding on a principal direction
 * sums many small contributions): bounds at the quantiles k/2^bits, each level the mean of its slice.
 */
function gaussianQuantiser(bits: number, centre: number, spread: number): { bounds: Float32Array; levels: Float32Array } {
  const count = 1 << bits;
  const z = Array.from({ length: count + 1 }, (_, i) => (i === 0 ? -Infinity : i === count ? Infinity : normalQuantile(i / count)));
  const density = (x: number): number => (Number.isFinite(x) ? Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI) : 0);
  return {
    bounds: Float32Array.from(z.slice(1, count), (x) => centre + spread * x),
    levels: Float32Array.from({ length: count }, (_, i) => centre + spread * count * (density(z[i]!) - density(z[i + 1]!))),
  };
}

/** The standard normal quantile, by bisection on the CDF (only a few dozen values are ever needed). */
function normalQuantile(p: number): number {
  let [lo, hi] = [-10, 10];
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Φ(x) through erf (Abramowitz and Stegun 7.1.26, error below 1.5e-7). */
function normalCdf(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp((-x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Up to `most` row numbers spread evenly over 0..count-1 (enrolment order often follows time or source). */
function spread(count: number, most: number): number[] {
  const n = Math.min(count, most);
  return Array.from({ length: n }, (_, i) => Math.floor((i * count) / n));
}

/** Copies a code from lane `fromLane` of one block (and its tail) to lane `toLane` of another. */
export function moveCode(bytes: Uint8Array, shape: CodeShape, from: { block: number; lane: number; tail: number }, to: { block: number; lane: number; tail: number }): void {
  for (let p = 0; p < shape.headRows; p++) bytes[to.block + p * 16 + to.lane] = bytes[from.block + p * 16 + from.lane]!;
  bytes.copyWithin(to.tail, from.tail, from.tail + shape.tailBytes);
}
