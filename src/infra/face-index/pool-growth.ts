import { ExactPoolIndex } from './exact-pool.index.js';
import type { FaceIndexOptions } from './face-index.options.js';
import { HnswPoolIndex } from './hnsw-pool.index.js';
import type { PoolIndex } from './pool-index.types.js';

/** Rows copied per native insert when converting a pool: bounds the transient float copy (~20 MB). */
const COPY_CHUNK_ROWS = 10_000;

export function newHnswPool(options: Readonly<FaceIndexOptions>): HnswPoolIndex {
  return new HnswPoolIndex({
    dimensions: options.dimensions,
    connectivity: options.connectivity,
    expansionAdd: options.expansionAdd,
    expansionSearch: options.expansionSearch,
    threads: options.buildThreads,
  });
}

/** Builds an HNSW pool from an exact one at once, with all build threads (bulk paths only: it blocks). */
export function promoteNow(exact: ExactPoolIndex, options: Readonly<FaceIndexOptions>): HnswPoolIndex {
  const hnsw = newHnswPool(options);
  const keys = exact.keysSnapshot();
  const dim = options.dimensions;
  const buffer = new Float32Array(Math.min(COPY_CHUNK_ROWS, keys.length) * dim);
  for (let start = 0; start < keys.length; start += COPY_CHUNK_ROWS) {
    const chunk = keys.subarray(start, Math.min(keys.length, start + COPY_CHUNK_ROWS));
    for (let i = 0; i < chunk.length; i++) exact.readVector(chunk[i]!, buffer, i * dim);
    hnsw.addMany(chunk, buffer.subarray(0, chunk.length * dim));
  }
  return hnsw;
}

/**
 * Adds rows to a pool that is not serving searches yet (a bulk load or a staged rebuild), converting it to
 * HNSW first when the rows take it past the exact limit. Returns the pool to keep.
 */
export function addManyGrowing(
  pool: PoolIndex,
  keys: ArrayLike<number>,
  units: Float32Array,
  options: Readonly<FaceIndexOptions>,
  expectedSize = 0,
): PoolIndex {
  let target = pool;
  if (target instanceof ExactPoolIndex && Math.max(target.size + keys.length, expectedSize) > options.exactLimit) {
    target = promoteNow(target, options);
  }
  target.addMany(keys, units);
  return target;
}
