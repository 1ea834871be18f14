// Validation, normalisation and int8 quantisation of embeddings, shared by the exact and HNSW pools.

export function assertFaceKey(key: number): void {
  // usearch keys are uint64; the database's keys are positive integers that fit a JS number exactly.
  if (!Number.isSafeInteger(key) || key < 0) throw new RangeError(`face index: key must be a non-negative safe integer, got ${key}`);
}

export function assertEmbeddingLength(embedding: Float32Array, dimensions: number, rows = 1): void {
  if (!(embedding instanceof Float32Array)) throw new TypeError('face index: embedding must be a Float32Array');
  if (embedding.length !== dimensions * rows) {
    throw new RangeError(`face index: expected ${rows} x ${dimensions} floats, got ${embedding.length}`);
  }
}

/**
 * Writes src[srcOffset .. +dim] scaled to unit length into dst[dstOffset ..]. Callers pass embeddings that
 * should already be unit length; normalising a copy makes the dot product a cosine even when they are not,
 * and refuses NaN or zero vectors, which would otherwise poison every comparison.
 */
export function normaliseInto(
  src: Float32Array,
  srcOffset: number,
  dst: Float32Array,
  dstOffset: number,
  dim: number,
): void {
  let sum = 0;
  for (let j = 0; j < dim; j++) {
    const v = src[srcOffset + j]!;
    sum += v * v;
  }
  if (!Number.isFinite(sum) || sum === 0) throw new RangeError('face index: embedding must be finite and non-zero');
  const inv = 1 / Math.sqrt(sum);
  for (let j = 0; j < dim; j++) dst[dstOffset + j] = src[srcOffset + j]! * inv;
}

/**
 * Per-vector absmax int8 quantisation: x · 127 / max|x|, rounded. usearch's own f32→i8 cast scales by
 * 127/‖x‖ and truncates, which leaves only about ±5 levels for the ~0.04-sized components of a 512-d unit
 * vector; absmax uses the full ±127 range (about 7x finer on face embeddings). The per-vector scale is not
 * stored: the HNSW pool uses the cosine metric, in which it cancels out.
 */
export function quantiseInt8Into(
  src: Float32Array,
  srcOffset: number,
  dst: Int8Array,
  dstOffset: number,
  dim: number,
): void {
  let max = 0;
  for (let j = 0; j < dim; j++) {
    const a = Math.abs(src[srcOffset + j]!);
    if (a > max) max = a;
  }
  if (!Number.isFinite(max) || max === 0) throw new RangeError('face index: embedding must be finite and non-zero');
  const scale = 127 / max;
  for (let j = 0; j < dim; j++) dst[dstOffset + j] = Math.round(src[srcOffset + j]! * scale);
}
