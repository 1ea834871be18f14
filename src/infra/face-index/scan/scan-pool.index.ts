import type { FaceIndexHit } from '../../../domain/ports/face-index.port.js';
import { clampSimilarity } from '../exact-pool.index.js';
import type { PoolIndex } from '../pool-index.types.js';
import { RowKeys } from '../row-keys.js';
import { moveCode, Rotation, writeCode, writeQueryTables } from './scan-codes.js';
import { instantiateScanKernel, type ScanKernel } from './scan-kernel.js';
import { type ScanLayout, ScanThreads } from './scan-threads.js';

export interface ScanParams {
  dimensions: number;
  /** Candidates re-ranked exactly per search: recall against latency (docs/face-index.md). */
  rerank: number;
  /** Threads sharing one search, the calling thread included. */
  threads: number;
}

const PAGE = 65_536;
const MAX_PAGES = 65_536;
/** Rows per chunk of the re-ranking copy (16,384): chunks avoid copying everything when the pool grows. */
const CHUNK_SHIFT = 14;
const CHUNK_ROWS = 1 << CHUNK_SHIFT;
/** Scores are sampled at about this many rows to guess the threshold that keeps the best candidates. */
const SAMPLE = 8_192;
const SAMPLE_RUNS = 32;
const unregister = new FinalizationRegistry<{ threads: ScanThreads; id: number }>(({ threads, id }) => threads.detach(id));

/**
 * Search by a compressed full scan and an exact re-rank: the index for pools too large for exact float32
 * search.
 *
 * Every face is held twice. A 1-bit sign code of the rotated embedding (64 bytes at 512-d) lives in a
 * WebAssembly memory, laid out in blocks of 16 codes so that the kernel (scan-kernel.wat) scores 16 faces
 * per table look-up: the probe is quantised to 4 bits per coordinate and turned into one 16-entry table
 * per nibble of the code, so a face's score estimates its inner product with the probe (asymmetric
 * distance: only the gallery side is reduced to signs). An int16 copy of the embedding (1 KB) with its
 * scale re-ranks the best `rerank` candidates by the real cosine (error ~1e-5).
 *
 * Unlike a graph, a scan has no blind spots: every face is scored on every search, so a probe's true nearest
 * face is missed only if at least `rerank` others out-score it on the estimate (measured on synthetic and
 * real embeddings in docs/face-index.md). Adds and removes are O(dimensions) and exact; nothing needs
 * building. Removal moves the last face into the hole, so live faces are always rows 0..size-1.
 */
export class ScanPoolIndex implements PoolIndex {
  readonly kind = 'scan' as const;
  private readonly dim: number;
  private readonly rotation: Rotation;
  private readonly rerank: number;
  private readonly memory: WebAssembly.Memory;
  private readonly kernel: ScanKernel;
  private readonly threads: ScanThreads;
  private readonly memoryId: number;
  private readonly layout: ScanLayout;
  private readonly rotated: Float32Array;
  private readonly rows = new RowKeys(0);
  private scales = new Float32Array(0);
  private readonly chunks: Int16Array[] = [];
  /** Values per int16 row: the dimensions rounded up to 8 for the SIMD re-rank. */
  private readonly width: number;
  /** Scratch areas after the codes and scores, moved whenever the codes grow. */
  private collectAt = 0;
  private collectCap = 0;
  private probeAt = 0;
  private dotsAt = 0;
  private rowsAt = 0;
  private scratchRows = 0;
  private view?: { buffer: ArrayBufferLike; bytes: Uint8Array };

  constructor(params: ScanParams) {
    this.dim = params.dimensions;
    this.width = Math.ceil(params.dimensions / 8) * 8;
    this.rerank = params.rerank;
    this.rotation = new Rotation(params.dimensions);
    this.rotated = new Float32Array(this.rotation.width);
    const rows = this.rotation.width >> 3;
    const tablesBytes = rows * 32;
    this.memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    this.kernel = instantiateScanKernel(this.memory);
    this.threads = ScanThreads.get(params.threads);
    this.memoryId = this.threads.attach(this.memory);
    unregister.register(this, { threads: this.threads, id: this.memoryId });
    this.layout = { tables: 0, codes: align(tablesBytes, 64), blockBytes: rows * 16, rows, scores: 0 };
  }

  get size(): number {
    return this.rows.size;
  }

  has(key: number): boolean {
    return this.rows.row(key) !== undefined;
  }

  add(key: number, unit: Float32Array, offset = 0): void {
    if (this.rows.row(key) === undefined) this.reserve(this.rows.size + 1);
    const row = this.rows.rowFor(key);
    this.rotation.apply(unit, offset, this.rotated);
    writeCode(this.rotated, this.heap(), this.blockAt(row), row & 15);
    // int16 with a per-face absmax scale: about 1e-5 of cosine error, against 2e-3 for int8
    let max = 0;
    for (let j = 0; j < this.dim; j++) max = Math.max(max, Math.abs(unit[offset + j]!));
    const fine = this.chunks[row >> CHUNK_SHIFT]!;
    const base = (row & (CHUNK_ROWS - 1)) * this.width;
    const q = max > 0 ? 32_767 / max : 0;
    for (let j = 0; j < this.dim; j++) fine[base + j] = Math.round(unit[offset + j]! * q);
    this.scales[row] = max / 32_767;
  }

  addMany(keys: ArrayLike<number>, units: Float32Array): void {
    this.reserve(this.rows.size + keys.length);
    for (let i = 0; i < keys.length; i++) this.add(keys[i]!, units, i * this.dim);
  }

  remove(key: number): boolean {
    const moved = this.rows.remove(key);
    if (!moved) return false;
    const { row, last } = moved;
    if (row !== last) {
      this.scales[row] = this.scales[last]!;
      const from = this.chunks[last >> CHUNK_SHIFT]!;
      const fromBase = (last & (CHUNK_ROWS - 1)) * this.width;
      this.chunks[row >> CHUNK_SHIFT]!.set(from.subarray(fromBase, fromBase + this.width), (row & (CHUNK_ROWS - 1)) * this.width);
      moveCode(this.heap(), this.layout.rows, this.blockAt(last), last & 15, this.blockAt(row), row & 15);
    }
    return true;
  }

  search(unitProbe: Float32Array, k: number): FaceIndexHit[] {
    const n = this.rows.size;
    const wanted = Math.min(Math.floor(k), n);
    if (wanted < 1) return [];
    const take = Math.max(this.rerank, wanted);
    if (take >= n) return this.exactTop(Uint32Array.from({ length: n }, (_, i) => i), unitProbe, wanted);
    this.rotation.apply(unitProbe, 0, this.rotated);
    writeQueryTables(this.rotated, this.heap(), this.layout.tables);
    this.threads.scan(this.memoryId, this.kernel, this.layout, (n + 15) >> 4);
    return this.exactTop(this.bestEstimates(n, take), unitProbe, wanted);
  }

  bytes(): number {
    const perRow = this.layout.blockBytes / 16 + 2 + 4; // code, score, scale
    return this.rows.capacity * perRow + this.rows.bytes() + this.chunks.length * CHUNK_ROWS * this.width * 2 + this.scratchBytes();
  }

  /**
   * Rows of the `take` best estimated scores. A threshold is guessed from a sample of the scores so that
   * about 1.5 times that many pass, the kernel collects the rows at or above it, and the best `take` of those
   * are kept; a guess that lets through too few or too many is corrected from the sample and retried.
   */
  private bestEstimates(n: number, take: number): Uint32Array {
    const heap = this.heap();
    const scores = new Uint16Array(heap.buffer, this.layout.scores, n);
    // The sample is SAMPLE_RUNS runs of consecutive scores spread over the pool: a few dozen cache misses
    // instead of one per sampled score, and still spread over the enrolment order.
    const runs = Math.min(SAMPLE_RUNS, Math.max(1, Math.floor(n / SAMPLE)));
    const run = Math.min(Math.floor(SAMPLE / runs), Math.floor(n / runs));
    const sample = new Uint16Array(runs * run);
    const gap = Math.floor(n / runs);
    for (let r = 0; r < runs; r++) sample.set(scores.subarray(r * gap, r * gap + run), r * run);
    sample.sort();
    const stride = n / sample.length;
    const cap = Math.min(this.collectCap, 16 * take);
    // Rows per sampled score: a threshold at sample position p lets through about (len - p) * stride rows.
    let aim = 1.5 * take;
    let found = -1;
    for (let attempt = 0; attempt < 6 && found < 0; attempt++) {
      const p = Math.max(0, sample.length - 1 - Math.floor(aim / stride));
      const got = this.kernel.collect(this.layout.scores, n, sample[p]!, this.collectAt, cap);
      if (got > cap) aim /= 4;
      else if (got >= take) found = got;
      else if (p === 0) break; // even the lowest sampled score lets too few through: rank them all
      else aim *= 4;
    }
    if (found < 0) return topByScore(scores, Uint32Array.from({ length: n }, (_, i) => i), take);
    return topByScore(scores, new Uint32Array(heap.buffer, this.collectAt, found), take);
  }

  /** Re-ranks rows by the cosine of their int16 copies (SIMD, in the kernel) and returns the best `wanted`. */
  private exactTop(rows: Uint32Array, probe: Float32Array, wanted: number): FaceIndexHit[] {
    const w = this.width;
    const count = rows.length;
    if (count > this.scratchRows) this.plan(this.rows.capacity, count);
    const buffer = this.heap().buffer;
    const copies = new Int16Array(buffer, this.rowsAt, count * w);
    for (let i = 0; i < count; i++) {
      const row = rows[i]!;
      const base = (row & (CHUNK_ROWS - 1)) * w;
      copies.set(this.chunks[row >> CHUNK_SHIFT]!.subarray(base, base + w), i * w);
    }
    const p = new Float32Array(buffer, this.probeAt, w);
    p.fill(0);
    p.set(probe.subarray(0, this.dim));
    this.kernel.dots(this.rowsAt, count, w, this.probeAt, this.dotsAt);
    const dots = new Float32Array(buffer, this.dotsAt, count);
    // Best `wanted` by insertion into a short sorted list (wanted is small next to count).
    const top: { row: number; similarity: number }[] = [];
    for (let i = 0; i < count; i++) {
      const row = rows[i]!;
      const similarity = dots[i]! * this.scales[row]!;
      if (top.length === wanted && similarity <= top[wanted - 1]!.similarity) continue;
      let at = top.length === wanted ? wanted - 1 : top.length;
      while (at > 0 && top[at - 1]!.similarity < similarity) {
        if (at < wanted) top[at] = top[at - 1]!;
        at--;
      }
      top[at] = { row, similarity };
    }
    return top.map((t) => ({ key: this.rows.keyAt(t.row), similarity: clampSimilarity(t.similarity) }));
  }

  private reserve(rows: number): void {
    if (rows <= this.rows.capacity) return;
    const capacity = Math.max(1024, 2 ** Math.ceil(Math.log2(rows)));
    this.plan(capacity, Math.max(this.scratchRows, this.rerank));
    const scales = new Float32Array(capacity);
    scales.set(this.scales.subarray(0, this.rows.size));
    this.scales = scales;
    while (this.chunks.length * CHUNK_ROWS < capacity) this.chunks.push(new Int16Array(CHUNK_ROWS * this.width));
    this.rows.resize(capacity);
  }

  /** Places the scratch areas after codes for `capacity` faces and grows the memory to hold them. */
  private plan(capacity: number, scratchRows: number): void {
    const l = this.layout;
    l.scores = l.codes + (capacity >> 4) * l.blockBytes;
    this.collectCap = Math.min(1 << 16, capacity);
    this.collectAt = align(l.scores + capacity * 2, 64);
    this.probeAt = align(this.collectAt + this.collectCap * 4, 64);
    this.dotsAt = align(this.probeAt + this.width * 4, 64);
    this.rowsAt = align(this.dotsAt + scratchRows * 4, 64);
    this.scratchRows = scratchRows;
    const end = this.rowsAt + scratchRows * this.width * 2;
    const pages = Math.ceil(end / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (pages > 0) this.memory.grow(pages);
  }

  private scratchBytes(): number {
    return this.collectCap * 4 + this.width * 4 + this.scratchRows * (4 + this.width * 2);
  }

  /** The memory's bytes; the view is renewed after the memory grows (a grown shared memory has a new buffer). */
  private heap(): Uint8Array {
    const buffer = this.memory.buffer;
    if (this.view?.buffer !== buffer) this.view = { buffer, bytes: new Uint8Array(buffer) };
    return this.view.bytes;
  }

  private blockAt(row: number): number {
    return this.layout.codes + (row >> 4) * this.layout.blockBytes;
  }
}

/** The `take` rows with the highest scores (ties in row order). */
function topByScore(scores: Uint16Array, rows: Uint32Array, take: number): Uint32Array {
  if (rows.length <= take) return rows.slice();
  // score · 2^32 + (2^32 − 1 − row): one numeric sort orders by score, then by row
  const packed = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) packed[i] = scores[rows[i]!]! * 4_294_967_296 + (4_294_967_295 - rows[i]!);
  packed.sort();
  const out = new Uint32Array(take);
  for (let i = 0; i < take; i++) out[i] = 4_294_967_295 - (packed[packed.length - 1 - i]! % 4_294_967_296);
  return out;
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
