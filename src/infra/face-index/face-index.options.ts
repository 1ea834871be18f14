import { availableParallelism } from 'node:os';

// Tuning of the in-memory face index. The defaults are the measured operating point of
// docs/face-index.md (`npm run bench:search`); change them only with a new measurement.
export interface FaceIndexOptions {
  dimensions: number;
  /** A pool is searched exactly up to this many faces and promoted to HNSW past it. */
  exactLimit: number;
  /** HNSW graph degree (usearch `connectivity`, M). Memory grows by about 8·M bytes per face. */
  connectivity: number;
  /** Candidate list size while inserting (efConstruction): graph quality against build time. */
  expansionAdd: number;
  /** Candidate list size while searching (ef): recall against latency. */
  expansionSearch: number;
  /** Threads for bulk builds (`addMany`, promotion, rebuild). */
  buildThreads: number;
  /**
   * 'background' promotes a pool that crosses `exactLimit` in time slices while the exact index keeps
   * serving; 'sync' builds at once (tests, tools).
   */
  promotion: 'background' | 'sync';
  /** Longest the event loop is held by one background build slice, in milliseconds. */
  sliceMs: number;
}

export const DEFAULT_FACE_INDEX_OPTIONS: Readonly<FaceIndexOptions> = Object.freeze({
  dimensions: 512,
  // Exact search costs 19 ms of CPU per query at 100k faces (bench:search) against 2.5 ms for HNSW at ef 256,
  // but HNSW missed the enrolled person at rank 1 for 1.4% of mated probes there: for one search per session,
  // exactness is worth the milliseconds (docs/face-index.md).
  exactLimit: 100_000,
  connectivity: 32,
  expansionAdd: 256,
  expansionSearch: 256,
  buildThreads: Math.max(1, availableParallelism()),
  promotion: 'background',
  sliceMs: 20,
});

export function resolveFaceIndexOptions(partial: Partial<FaceIndexOptions> = {}): Readonly<FaceIndexOptions> {
  const o: FaceIndexOptions = { ...DEFAULT_FACE_INDEX_OPTIONS, ...partial };
  const positiveInts: (keyof FaceIndexOptions)[] = [
    'dimensions',
    'connectivity',
    'expansionAdd',
    'expansionSearch',
    'buildThreads',
  ];
  for (const name of positiveInts) {
    const v = o[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError(`face index: ${name} must be a positive integer`);
  }
  if (!Number.isInteger(o.exactLimit) || o.exactLimit < 0) throw new RangeError('face index: exactLimit must be an integer >= 0');
  if (o.connectivity < 2) throw new RangeError('face index: connectivity must be at least 2');
  if (!(o.sliceMs > 0)) throw new RangeError('face index: sliceMs must be positive');
  if (o.promotion !== 'background' && o.promotion !== 'sync') throw new RangeError('face index: promotion must be background or sync');
  // usearch sizes its per-thread search/insert contexts from the thread count it was last reserved with
  // (the CPU count when it reserves on its own); an insert spread over more threads than contexts would
  // run out of them, so never ask for more threads than the machine has.
  o.buildThreads = Math.min(o.buildThreads, Math.max(1, availableParallelism()));
  return Object.freeze(o);
}
