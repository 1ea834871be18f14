// Validation and normalisation of embeddings, shared by the exact and scan pools.

export function assertFaceKey(key: number): void {
  // The database's keys are positive integers; they must fit a JS number exactly.
  if (!Number.isSafeInteger(key) || key < 0)
    throw new RangeError(`face index: key must be a non-negative safe integer, got ${key}`);
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
