import { ExactPoolIndex } from './exact-pool.index.js';
import type { FaceIndexOptions } from '../../config/face-index-options.js';
import type { PoolIndex } from './pool-index.types.js';
import { ScanPoolIndex } from './scan/scan-pool.index.js';

/** Rows copied per bulk add when converting a pool: bounds the transient float copy (~20 MB). */
const COPY_CHUNK_ROWS = 10_000;

export function newScanPool(options: Readonly<FaceIndexOptions>): ScanPoolIndex {
  return new ScanPoolIndex({
    dimensions: options.dimensions,
    rerank: options.rerank,
    shortlist: options.shortlist,
    threads: options.searchThreads,
  });
}

/** Converts an exact pool to a scan pool at once (bulk paths only: it blocks, about 50 µs per face). */
export function promoteNow(exact: ExactPoolIndex, options: Readonly<FaceIndexOptions>): ScanPoolIndex {
  const scan = newScanPool(options);
  const keys = exact.keysSnapshot();
  const dim = options.dimensions;
  const buffer = new Float32Array(Math.min(COPY_CHUNK_ROWS, keys.length) * dim);
  for (let start = 0; start < keys.length; start += COPY_CHUNK_ROWS) {
    const chunk = keys.subarray(start, Math.min(keys.length, start + COPY_CHUNK_ROWS));
    for (let i = 0; i < chunk.length; i++) exact.readVector(chunk[i]!, buffer, i * dim);
    scan.addMany(chunk, buffer.subarray(0, chunk.length * dim));
  }
  return scan;
}

/**
 * Adds rows to a pool that is not serving searches yet (a bulk load or a staged rebuild), converting it to
 * a scan pool first when the rows take it past the exact limit. Returns the pool to keep.
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
