import { availableParallelism } from 'node:os';

// Tuning of the in-memory face index. The defaults are the measured operating point of
// docs/face-index.md (`npm run bench:search`); change them only with a new measurement.
export interface FaceIndexOptions {
  dimensions: number;
  /** A pool is searched exactly up to this many faces and by the scan index past it. */
  exactLimit: number;
  /** Candidates of a scan search re-ranked by their real cosine: recall against latency. */
  rerank: number;
  /**
   * Candidates of a scan search's first pass (half of each code) whose estimate is completed with the other
   * half before the best `rerank` are re-ranked: recall against latency.
   */
  shortlist: number;
  /** Threads sharing one scan search, the calling thread included. */
  searchThreads: number;
  /**
   * 'background' converts a pool that crosses `exactLimit` in time slices while the exact index keeps
   * serving; 'sync' converts at once (tests, tools).
   */
  promotion: 'background' | 'sync';
  /** Longest the event loop is held by one background build slice, in milliseconds. */
  sliceMs: number;
}

export const DEFAULT_FACE_INDEX_OPTIONS: Readonly<FaceIndexOptions> = Object.freeze({
  dimensions: 512,
  // Past this size the scan index answers faster than exact float32 search (bench:search --crossover).
  exactLimit: 10_000,
  // At a million faces the probe's true nearest face was among the best 1,500 estimates for 99.8% of probes
  // (99.3% with the earlier 'power' generator; every mated one) when the first pass kept 32,000 candidates
  // (docs/face-index.md).
  rerank: 1_500,
  shortlist: 32_000,
  searchThreads: availableParallelism(),
  promotion: 'background',
  sliceMs: 20,
});

export function resolveFaceIndexOptions(partial: Partial<FaceIndexOptions> = {}): Readonly<FaceIndexOptions> {
  const o: FaceIndexOptions = { ...DEFAULT_FACE_INDEX_OPTIONS, ...partial };
  for (const name of ['dimensions', 'rerank', 'shortlist', 'searchThreads'] as const) {
    const v = o[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      throw new RangeError(`face index: ${name} must be a positive integer`);
  }
  if (o.dimensions > 2_048) throw new RangeError('face index: dimensions must be at most 2048');
  if (!Number.isInteger(o.exactLimit) || o.exactLimit < 0)
    throw new RangeError('face index: exactLimit must be an integer >= 0');
  if (!(o.sliceMs > 0)) throw new RangeError('face index: sliceMs must be positive');
  if (o.promotion !== 'background' && o.promotion !== 'sync')
    throw new RangeError('face index: promotion must be background or sync');
  o.searchThreads = Math.min(o.searchThreads, Math.max(1, availableParallelism()));
  return Object.freeze(o);
}
