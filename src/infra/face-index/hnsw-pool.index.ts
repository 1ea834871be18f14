import type { FaceIndexHit } from '../../domain/ports/face-index.port.js';
import { clampSimilarity } from './exact-pool.index.js';
import { quantiseInt8Into } from './embedding.math.js';
import type { PoolIndex } from './pool-index.types.js';
import { type NativeUsearchIndex, createNativeIndex } from './usearch-native.js';

export interface HnswParams {
  dimensions: number;
  connectivity: number;
  expansionAdd: number;
  expansionSearch: number;
  /** Threads for batch inserts. Every insert passes the same count (see `insert`). */
  threads: number;
}

/** usearch marks removed nodes with the largest uint64 key; it should filter them, but we check too. */
const FREE_KEY = 0xffff_ffff_ffff_ffffn;
/** Per-slot bookkeeping outside the node tape: nodes_ and vectors_lookup_ pointers, key->slot hash. */
const PER_CAPACITY_BYTES = 8 + 8 + 24;

/**
 * Approximate search: a usearch HNSW graph over int8 vectors with the cosine metric.
 *
 * int8 (absmax-quantised by us, see embedding.math.ts) keeps a face at ~0.86 KB with M=32, inside the
 * 1.5 KB/face budget at a million faces where float32 (2 KB for the vector alone) is not, and its
 * similarities stay within 0.0021 of the float32 cosine (measured, docs/face-index.md). There is no float
 * copy to re-rank against: two copies would not fit the budget, and the int8 error is small against pool
 * thresholds.
 *
 * Removal tombstones the node (usearch keeps it as a routing point) and the next insert reuses it, so memory
 * follows the pool's high-water mark; `removed` counts the nodes waiting for reuse, and a rebuild from the
 * database reclaims them.
 */
export class HnswPoolIndex implements PoolIndex {
  readonly kind = 'hnsw' as const;
  private readonly index: NativeUsearchIndex;
  private readonly dim: number;
  private readonly threads: number;
  private readonly connectivity: number;
  private readonly probe: Int8Array;
  private readonly one: Int8Array;
  private readonly oneKey = new BigUint64Array(1);
  private nodes = 0;
  private tombstones = 0;
  /**
   * Search breadth (ef). usearch searches with max(its configured ef, k), so asking for ef results and
   * keeping the best k is the same search as a native ef; doing it here lets ef change at run time without
   * rebuilding (the native index offers no setter).
   */
  expansionSearch: number;

  constructor(params: HnswParams) {
    this.dim = params.dimensions;
    this.threads = params.threads;
    this.connectivity = params.connectivity;
    this.expansionSearch = params.expansionSearch;
    this.index = createNativeIndex({
      dimensions: params.dimensions,
      metric: 'cos',
      quantization: 'i8',
      connectivity: params.connectivity,
      expansionAdd: params.expansionAdd,
      expansionSearch: params.expansionSearch,
    });
    this.probe = new Int8Array(this.dim);
    this.one = new Int8Array(this.dim);
  }

  get size(): number {
    return this.index.size();
  }

  get removed(): number {
    return this.tombstones;
  }

  has(key: number): boolean {
    this.oneKey[0] = BigInt(key);
    return this.index.contains(this.oneKey)[0] === true;
  }

  add(key: number, unit: Float32Array): void {
    quantiseInt8Into(unit, 0, this.one, 0, this.dim);
    // usearch refuses duplicate keys; replacing is remove + insert (which reuses the freed node).
    this.remove(key);
    this.oneKey[0] = BigInt(key);
    this.insert(this.oneKey, this.one);
  }

  addMany(keys: ArrayLike<number>, units: Float32Array): void {
    const rows = lastRowPerKey(keys);
    if (rows.length === 0) return;
    const big = new BigUint64Array(rows.length);
    const q = new Int8Array(rows.length * this.dim);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      big[i] = BigInt(keys[row]!);
      quantiseInt8Into(units, row * this.dim, q, i * this.dim, this.dim);
    }
    // Replacements first (one native call), so the insert below never meets a duplicate key.
    const removed = this.index.remove(big);
    for (const r of removed) this.tombstones += r;
    this.insert(big, q);
  }

  remove(key: number): boolean {
    this.oneKey[0] = BigInt(key);
    const removed = this.index.remove(this.oneKey)[0] ?? 0;
    if (removed > 0) this.tombstones += removed;
    return removed > 0;
  }

  search(unitProbe: Float32Array, k: number): FaceIndexHit[] {
    const live = this.size;
    const wanted = Math.min(Math.floor(k), live);
    if (wanted < 1) return [];
    quantiseInt8Into(unitProbe, 0, this.probe, 0, this.dim);
    // Tombstones near the probe can leave usearch short of `wanted` live results; ask for more then.
    let ask = Math.max(wanted, Math.min(this.expansionSearch, live + this.tombstones));
    for (let attempt = 0; ; attempt++) {
      const hits = this.searchOnce(ask, wanted);
      if (hits.length >= wanted || this.tombstones === 0 || attempt === 2 || ask >= live + this.tombstones) return hits;
      ask = Math.min(ask * 4, live + this.tombstones);
    }
  }

  bytes(): number {
    // Mirrors usearch's layout: per node a key, a level and 2M base links (uint32) plus M links per upper
    // level (expected 1/(M-1) of them), the int8 vector, and per-capacity pointer and hash slots.
    const m = this.connectivity;
    const nodeBytes = 8 + 2 + (4 + 2 * m * 4) + (4 + m * 4) / (m - 1);
    const capacity = this.index.capacity();
    return Math.round(this.nodes * (nodeBytes + this.dim) + capacity * PER_CAPACITY_BYTES);
  }

  private searchOnce(ask: number, wanted: number): FaceIndexHit[] {
    const [keys, distances, counts] = this.index.search(this.probe, ask, 1);
    const found = Number(counts[0] ?? 0n);
    // Only the leading results can be returned; check those against the live key set (one native call).
    const head = Math.min(found, wanted + this.tombstones);
    const present = head > 0 ? this.index.contains(keys.slice(0, head)) : [];
    const hits: FaceIndexHit[] = [];
    const seen = new Set<number>();
    for (let i = 0; i < head && hits.length < wanted; i++) {
      const big = keys[i]!;
      if (big === FREE_KEY || present[i] !== true) continue; // never hand out a removed face
      const key = Number(big);
      if (seen.has(key)) continue;
      seen.add(key);
      // usearch's cosine distance is 1 - cos, here on the int8 copies.
      hits.push({ key, similarity: clampSimilarity(1 - distances[i]!) });
    }
    return hits;
  }

  private insert(keys: BigUint64Array, vectors: Int8Array): void {
    // usearch sizes its per-thread contexts at reserve time from the `threads` of the add that triggered
    // it; a later add with more threads than contexts would run out of them. One fixed count avoids that
    // (a single-row add runs inline whatever the count).
    this.index.add(keys, vectors, this.threads);
    const reused = Math.min(this.tombstones, keys.length);
    this.tombstones -= reused;
    this.nodes += keys.length - reused;
  }
}

/** Row indices to insert: the last row of each distinct key, in first-seen order. */
function lastRowPerKey(keys: ArrayLike<number>): number[] {
  const last = new Map<number, number>();
  for (let i = 0; i < keys.length; i++) last.set(keys[i]!, i);
  if (last.size === keys.length) return Array.from({ length: keys.length }, (_, i) => i);
  return [...last.values()];
}
