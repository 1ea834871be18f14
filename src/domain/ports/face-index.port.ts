// 1:N search over the faces of one pool. Keys are the database's integer face keys; similarity is cosine.
//
// Every method is synchronous and takes effect before it returns: a face removed by `remove` or `dropPool`
// is never returned by a `search` that starts afterwards. Embeddings need not be pre-normalised (the index
// normalises a copy) but must have `dimensions` finite values and a non-zero norm.
export interface FaceIndexHit {
  key: number;
  /** Cosine similarity, highest first: float32 in exact pools, from int16 copies in scan pools (±1e-4). */
  similarity: number;
}

export interface FaceIndexStats {
  /** Faces currently searchable in the pool. */
  size: number;
  kind: 'exact' | 'scan';
  /** Estimated memory held by the pool's index structures. */
  bytes: number;
  /** A promotion to a scan pool or a `rebuild` is under way; searches meanwhile use the current index. */
  building: boolean;
}

/**
 * A staged replacement of one pool's index, fed from the database while the old index keeps serving.
 * Adds and removes made on the pool after `rebuild()` began are applied to both; chunk rows for those keys
 * are ignored (the live change is newer than the database read).
 */
export interface FaceIndexRebuild {
  addMany(keys: ArrayLike<number>, embeddings: Float32Array): void;
  /** Atomically swaps the rebuilt index in. Throws if the rebuild was aborted or superseded. */
  commit(): void;
  abort(): void;
}

export interface FaceIndex {
  readonly dimensions: number;
  /** Adds or replaces (same key) one face. */
  add(pool: string, key: number, embedding: Float32Array): void;
  /**
   * Bulk add for start-up and imports: `embeddings` holds keys.length rows of `dimensions` floats. Uses all
   * build threads and blocks for the duration; feed large pools in chunks (e.g. 1 000 rows) between awaits.
   * `expectedSize`, the pool's size once loaded, lets a pool that will pass the exact limit start as a graph,
   * so that no single call has to convert everything loaded so far.
   */
  addMany(pool: string, keys: ArrayLike<number>, embeddings: Float32Array, expectedSize?: number): void;
  /** Returns whether the key was present. */
  remove(pool: string, key: number): boolean;
  dropPool(pool: string): void;
  has(pool: string, key: number): boolean;
  size(pool: string): number;
  /** Top-k faces by similarity, highest first; fewer than k when the pool is smaller. */
  search(pool: string, probe: Float32Array, k: number): FaceIndexHit[];
  stats(pool: string): FaceIndexStats;
  /** Pools that currently hold at least one face or a build. */
  pools(): string[];
  /** Starts a staged rebuild of one pool (compaction, re-load from the database). Supersedes an earlier one. */
  rebuild(pool: string): FaceIndexRebuild;
  /** Resolves when background promotions have finished (tests, orderly shutdown). */
  idle(): Promise<void>;
  close(): void;
}
