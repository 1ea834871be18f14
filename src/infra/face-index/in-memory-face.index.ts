import type { FaceIndex, FaceIndexHit, FaceIndexRebuild, FaceIndexStats } from '../../domain/ports/face-index.port.js';
import { assertEmbeddingLength, assertFaceKey, normaliseInto } from './embedding.math.js';
import { ExactPoolIndex } from './exact-pool.index.js';
import { type FaceIndexOptions, resolveFaceIndexOptions } from '../../config/face-index-options.js';
import { PoolBuild } from './pool-build.js';
import { addManyGrowing, newScanPool, promoteNow } from './pool-growth.js';
import type { PoolIndex } from './pool-index.types.js';

interface PoolState {
  live: PoolIndex;
  build?: PoolBuild;
  /** After a failed background promotion, wait for this size before trying again (no retry storm). */
  retryPromotionAt?: number;
}

/** Rows per insert in a background promotion: about 3 ms each, so slices stay short. */
const PROMOTION_BATCH_ROWS = 64;

export type BackgroundErrorHandler = (error: unknown, pool: string) => void;

/**
 * The in-memory `FaceIndex`: one index per pool, exact (float32 brute force) while the pool is small and a
 * compressed scan with an exact re-rank (scan/scan-pool.index.ts) past `exactLimit`. Everything is rebuilt
 * from the database at start (`addMany` in chunks, or `rebuild`) and kept current by `add` / `remove`.
 *
 * Single-threaded by design: every call completes before it returns, so a search that starts after a
 * `remove` returned cannot see the removed face. A scan search may share its work with helper threads, but
 * returns only when they are done.
 */
export class InMemoryFaceIndex implements FaceIndex {
  readonly dimensions: number;
  private readonly options: Readonly<FaceIndexOptions>;
  private readonly states = new Map<string, PoolState>();
  private readonly running = new Set<Promise<void>>();
  // Normalised copy of the current single vector or probe; starts at offset 0 as exactSearch requires.
  private readonly unit: Float32Array;
  private readonly onBackgroundError: BackgroundErrorHandler;

  constructor(options: Partial<FaceIndexOptions> = {}, onBackgroundError?: BackgroundErrorHandler) {
    this.options = resolveFaceIndexOptions(options);
    this.dimensions = this.options.dimensions;
    this.unit = new Float32Array(this.dimensions);
    this.onBackgroundError =
      onBackgroundError ??
      ((error, pool) => process.emitWarning(`face index: promotion of pool ${pool} failed: ${String(error)}`));
  }

  add(pool: string, key: number, embedding: Float32Array): void {
    assertFaceKey(key);
    assertEmbeddingLength(embedding, this.dimensions);
    normaliseInto(embedding, 0, this.unit, 0, this.dimensions);
    const state = this.stateFor(pool);
    state.live.add(key, this.unit);
    state.build?.mirrorAdd(key, this.unit);
    this.maybePromote(pool, state);
  }

  addMany(pool: string, keys: ArrayLike<number>, embeddings: Float32Array, expectedSize?: number): void {
    const units = this.normaliseRows(keys, embeddings);
    if (keys.length === 0) return;
    const state = this.stateFor(pool);
    // A bulk load blocks anyway, so a pool it takes past the limit is converted at once with all threads.
    const before = state.live;
    state.live = addManyGrowing(before, keys, units, this.options, expectedSize);
    if (state.live !== before && state.build?.origin === 'promotion') {
      // The background promotion of the old exact pool has just been overtaken.
      state.build.abort();
      state.build = undefined;
    }
    state.build?.mirrorAddMany(keys, units);
  }

  remove(pool: string, key: number): boolean {
    assertFaceKey(key);
    const state = this.states.get(pool);
    if (!state) return false;
    const removed = state.live.remove(key);
    state.build?.mirrorRemove(key);
    this.forgetIfEmpty(pool, state);
    return removed;
  }

  dropPool(pool: string): void {
    const state = this.states.get(pool);
    if (!state) return;
    state.build?.abort();
    this.states.delete(pool);
  }

  has(pool: string, key: number): boolean {
    assertFaceKey(key);
    return this.states.get(pool)?.live.has(key) ?? false;
  }

  size(pool: string): number {
    return this.states.get(pool)?.live.size ?? 0;
  }

  search(pool: string, probe: Float32Array, k: number): FaceIndexHit[] {
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`face index: k must be a non-negative integer, got ${k}`);
    assertEmbeddingLength(probe, this.dimensions);
    const state = this.states.get(pool);
    if (!state || k === 0 || state.live.size === 0) return [];
    normaliseInto(probe, 0, this.unit, 0, this.dimensions);
    return state.live.search(this.unit, k);
  }

  stats(pool: string): FaceIndexStats {
    const state = this.states.get(pool);
    if (!state) return { size: 0, kind: 'exact', bytes: 0, building: false };
    return {
      size: state.live.size,
      kind: state.live.kind,
      bytes: state.live.bytes() + (state.build?.bytes ?? 0),
      building: state.build !== undefined,
    };
  }

  pools(): string[] {
    return [...this.states.keys()];
  }

  rebuild(pool: string): FaceIndexRebuild {
    const state = this.stateFor(pool);
    state.build?.abort();
    const build = new PoolBuild(new ExactPoolIndex(this.dimensions), () => this.options, 'rebuild');
    state.build = build;
    return {
      addMany: (keys, embeddings) => build.feed(keys, this.normaliseRows(keys, embeddings)),
      commit: () => {
        const next = build.finish();
        // A superseded or dropped build was aborted, so finish() above has thrown; this is belt and braces.
        if (this.states.get(pool) !== state || state.build !== build) throw new Error('face index: rebuild superseded');
        state.live = next;
        state.build = undefined;
        this.forgetIfEmpty(pool, state);
      },
      abort: () => {
        build.abort();
        if (state.build === build) state.build = undefined;
        this.forgetIfEmpty(pool, state);
      },
    };
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  close(): void {
    for (const state of this.states.values()) state.build?.abort();
    this.states.clear();
  }

  private stateFor(pool: string): PoolState {
    if (typeof pool !== 'string' || pool.length === 0)
      throw new TypeError('face index: pool must be a non-empty string');
    let state = this.states.get(pool);
    if (!state) {
      state = { live: new ExactPoolIndex(this.dimensions) };
      this.states.set(pool, state);
    }
    return state;
  }

  private forgetIfEmpty(pool: string, state: PoolState): void {
    if (state.live.size === 0 && !state.build && this.states.get(pool) === state) this.states.delete(pool);
  }

  private normaliseRows(keys: ArrayLike<number>, embeddings: Float32Array): Float32Array {
    assertEmbeddingLength(embeddings, this.dimensions, keys.length);
    const dim = this.dimensions;
    const units = new Float32Array(keys.length * dim);
    for (let i = 0; i < keys.length; i++) {
      assertFaceKey(keys[i]!);
      normaliseInto(embeddings, i * dim, units, i * dim, dim);
    }
    return units;
  }

  private maybePromote(pool: string, state: PoolState): void {
    const live = state.live;
    if (!(live instanceof ExactPoolIndex) || live.size <= this.options.exactLimit || state.build) return;
    if (state.retryPromotionAt !== undefined && live.size < state.retryPromotionAt) return;
    if (this.options.promotion === 'sync') {
      state.live = promoteNow(live, this.options);
      return;
    }
    this.promoteInBackground(pool, state, live);
  }

  /**
   * Copies the exact pool into a new scan pool in slices of at most `sliceMs`, yielding to the event loop
   * in between, then swaps it in. Meanwhile the exact pool serves searches and live changes are mirrored.
   */
  private promoteInBackground(pool: string, state: PoolState, exact: ExactPoolIndex): void {
    const build = new PoolBuild(newScanPool(this.options), () => this.options, 'promotion');
    state.build = build;
    const dim = this.dimensions;
    const keys = exact.keysSnapshot();
    const rowKeys = new Float64Array(PROMOTION_BATCH_ROWS);
    const rows = new Float32Array(PROMOTION_BATCH_ROWS * dim);
    let cursor = 0;
    const done = new Promise<void>((resolve) => {
      const step = (): void => {
        try {
          if (!build.isOpen) return resolve();
          const deadline = performance.now() + this.options.sliceMs;
          while (cursor < keys.length && performance.now() < deadline) {
            let n = 0;
            for (; n < PROMOTION_BATCH_ROWS && cursor < keys.length; cursor++) {
              const key = keys[cursor]!;
              if (!build.isTouched(key) && exact.readVector(key, rows, n * dim)) rowKeys[n++] = key;
            }
            if (n > 0) build.feed(rowKeys.subarray(0, n), rows.subarray(0, n * dim));
          }
          if (cursor < keys.length) {
            setImmediate(step);
            return;
          }
          if (state.build === build && this.states.get(pool) === state) {
            state.live = build.finish();
            state.build = undefined;
          }
          resolve();
        } catch (error) {
          build.abort();
          if (state.build === build) state.build = undefined;
          state.retryPromotionAt = Math.ceil(exact.size * 1.25) + 1;
          this.onBackgroundError(error, pool);
          resolve();
        }
      };
      setImmediate(step);
    });
    this.running.add(done);
    void done.finally(() => this.running.delete(done));
  }
}
