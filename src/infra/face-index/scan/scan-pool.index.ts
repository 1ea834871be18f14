import type { FaceIndexHit } from '../../../domain/ports/face-index.port.js';
import { clampSimilarity } from '../exact-pool.index.js';
import type { PoolIndex } from '../pool-index.types.js';
import { RowKeys } from '../row-keys.js';
import { FineStore } from './fine-store.js';
import { type CodeShape, codeShape, moveCode, Rotation, writeCode, writeQueryTables } from './scan-codes.js';
import { align, growTo, instantiateScanKernel, type PartJob, type ScanKernel } from './scan-kernel.js';
import { ScanThreads } from './scan-threads.js';

/** Where one pool's data sits in its memory. */
interface ScanLayout {
  codes: number;
  blockBytes: number;
  tables: number;
  rows: number;
  scores: number;
}

export interface ScanParams {
  dimensions: number;
  /** Candidates re-ranked exactly per search: recall against latency (docs/face-index.md). */
  rerank: number;
  /** Threads sharing one search, the calling thread included. */
  threads: number;
  /** Candidates of the head scan whose estimate is completed with the tail of their code. */
  shortlist: number;
}

const MAX_PAGES = 65_536;
/** Scores are sampled at about this many rows to guess the threshold that keeps the best candidates. */
const SAMPLE = 4_096; // rows, a multiple of 16
const SAMPLE_RUNS = 32;
const unregister = new FinalizationRegistry<{ threads: ScanThreads; id: number }>(({ threads, id }) =>
  threads.detach(id),
);

/**
 * Search by a compressed full scan and an exact re-rank: the index for pools too large for exact float32
 * search.
 *
 * Every face is held twice. A 1-bit sign code of the rotated embedding (64 bytes at 512-d) lives in a
 * WebAssembly memory: its first half (the head) laid out in blocks of 16 codes so that the kernel
 * (scan-kernel.wat) scores 16 faces per table look-up, its second half (the tail) face after face. The probe
 * is quantised to 4 bits per coordinate and turned into one 16-entry table per nibble of the code, so a
 * face's score estimates its inner product with the probe (asymmetric distance: only the gallery side is
 * reduced to signs). Every head is scored, because reading the heads is what a search costs at a million
 * faces; the best `shortlist` get their tails' look-ups added, and the best `rerank` of those are re-ranked
 * by the real cosine of an int16 copy of the embedding (FineStore, 1 KB, error ~1e-5).
 *
 * Unlike a graph, a scan has no blind spots: every face is scored on every search, so a probe's true nearest
 * face is missed only if at least `shortlist` others out-score it on the head or `rerank` on the whole code
 * (measured on synthetic and real embeddings in docs/face-index.md). Adds and removes are O(dimensions) and
 * exact; nothing needs building. Removal moves the last face into the hole, so live faces are always rows
 * 0..size-1.
 */
export class ScanPoolIndex implements PoolIndex {
  readonly kind = 'scan' as const;
  private readonly dim: number;
  private readonly rotation: Rotation;
  private readonly rerank: number;
  private readonly shortlist: number;
  private readonly shape: CodeShape;
  private readonly memory: WebAssembly.Memory;
  private readonly kernel: ScanKernel;
  private readonly threads: ScanThreads;
  private readonly memoryId: number;
  private readonly layout: ScanLayout;
  private readonly rotated: Float32Array;
  private readonly rows = new RowKeys(0);
  private readonly fine: FineStore;
  /** Where the tail's byte tables start: after the head's nibble tables, at the start of the memory. */
  private readonly tailTables: number;
  /** Scratch areas after the codes and scores, moved whenever the codes grow. */
  private collectAt = 0;
  private collectCap = 0;
  private tailAt = 0;
  private refinedAt = 0;
  private view?: { buffer: ArrayBufferLike; bytes: Uint8Array };

  constructor(params: ScanParams) {
    this.dim = params.dimensions;
    this.fine = new FineStore(params.dimensions);
    this.rerank = params.rerank;
    this.shortlist = Math.max(params.shortlist, params.rerank);
    this.rotation = new Rotation(params.dimensions);
    this.rotated = new Float32Array(this.rotation.width);
    this.shape = codeShape(this.rotation.width);
    const rows = this.shape.headRows;
    this.tailTables = rows * 32;
    const tablesBytes = this.tailTables + this.shape.tailBytes * 256;
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
    writeCode(
      this.rotated,
      this.shape,
      this.heap(),
      this.blockAt(row),
      row & 15,
      this.tailAt + row * this.shape.tailBytes,
    );
    this.fine.write(row, unit, offset);
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
      this.fine.move(last, row);
      moveCode(this.heap(), this.shape, this.codeAt(last), this.codeAt(row));
    }
    return true;
  }

  search(unitProbe: Float32Array, k: number): FaceIndexHit[] {
    const n = this.rows.size;
    const wanted = Math.min(Math.floor(k), n);
    if (wanted < 1) return [];
    const take = Math.max(this.rerank, wanted);
    if (take >= n)
      return this.exactTop(
        Uint32Array.from({ length: n }, (_, i) => i),
        unitProbe,
        wanted,
      );
    this.rotation.apply(unitProbe, 0, this.rotated);
    writeQueryTables(this.rotated, this.shape, this.heap(), this.layout.tables, this.tailTables);
    return this.exactTop(this.bestEstimates(n, take), unitProbe, wanted);
  }

  bytes(): number {
    const perRow = this.layout.blockBytes / 16 + this.shape.tailBytes + 2; // code and score
    return this.rows.capacity * perRow + this.rows.bytes() + this.fine.bytes() + this.collectCap * 6;
  }

  /**
   * Rows of the `take` best estimates over the whole code, in two steps. A sample of the pool is scored
   * first, and its histogram gives the head score that about `shortlist` rows reach. Then every thread scans
   * its share of the pool, collects its rows at or above that score and completes their estimates with their
   * tails; the best `take` of those are kept. If the sample misled (too few or too many rows passed), the
   * scores of the whole pool are there to collect from again with a corrected threshold.
   */
  private bestEstimates(n: number, take: number): Uint32Array {
    const blocks = (n + 15) >> 4;
    const sample = this.scoreSample(n, blocks);
    const least = Math.min(n, Math.max(take, this.shortlist >> 1));
    const cap = Math.min(this.collectCap, 4 * this.shortlist);
    let aim = this.shortlist;
    const jobs = this.partJobs(n, blocks, this.threads.partsFor(blocks), sample.scoreFor(aim), cap);
    const found = this.threads.run(this.memoryId, this.kernel, jobs);
    let count = found.every((f, i) => f <= jobs[i]!.cap) ? this.gatherParts(jobs, found) : -1;
    for (let attempt = 0; attempt < 6 && count < least; attempt++) {
      aim = count < 0 ? aim / 2 : aim * 2;
      const got = this.kernel.collect(this.layout.scores, n, sample.scoreFor(aim), this.collectAt, cap, 0);
      count = got > cap ? -1 : this.refine(got);
    }
    sample.clear();
    // Rare (a sample far off the pool's scores): complete the estimate of every row instead.
    return count < least ? this.bestOfAll(n, take) : this.bestRefined(count, take);
  }

  /**
   * Scores SAMPLE_RUNS runs of blocks spread over the pool (a few dozen cache misses instead of one per
   * sampled row, still spread over the enrolment order) into the shared histogram, which is cleared by `clear`.
   */
  private scoreSample(n: number, blocks: number): { scoreFor(aim: number): number; clear(): void } {
    const l = this.layout;
    const scores = new Uint16Array(this.heap().buffer, l.scores, n);
    const sampleBlocks = Math.min(blocks, SAMPLE >> 4);
    const runs = Math.min(SAMPLE_RUNS, sampleBlocks);
    const per = Math.floor(sampleBlocks / runs);
    // Row ranges [from, to) of the sampled runs of blocks.
    const ranges = Array.from({ length: runs }, (_, r) => {
      const block = Math.min(Math.floor((r * blocks) / runs), blocks - per);
      return { block, from: block * 16, to: Math.min(n, (block + per) * 16) };
    });
    const histogram = HISTOGRAM;
    let top = 0;
    let sampled = 0;
    for (const { block, from, to } of ranges) {
      this.kernel.scan(l.codes + block * l.blockBytes, per, l.tables, l.rows, l.scores + block * 32);
      for (let i = from; i < to; i++) {
        const score = scores[i]!;
        histogram[score]!++;
        if (score > top) top = score;
      }
      sampled += to - from;
    }
    const stride = n / sampled;
    return {
      // The score that about `aim` rows of the pool reach: walk the histogram down from the top.
      scoreFor(aim) {
        let score = top;
        for (let count = histogram[score]!; score > 0 && count < aim / stride; ) count += histogram[--score]!;
        return score;
      },
      clear() {
        for (const { from, to } of ranges) for (let i = from; i < to; i++) histogram[scores[i]!] = 0;
      },
    };
  }

  /** Equal shares of the pool's blocks, each collecting rows scoring at least `min` into its own slice of the areas. */
  private partJobs(n: number, blocks: number, parts: number, min: number, cap: number): PartJob[] {
    const l = this.layout;
    const per = Math.ceil(blocks / parts);
    const partCap = Math.floor(cap / parts);
    const jobs: PartJob[] = [];
    for (let i = 0; i < parts; i++) {
      const first = Math.min(blocks, i * per);
      const end = Math.min(blocks, first + per);
      jobs.push({
        codes: l.codes + first * l.blockBytes,
        blocks: end - first,
        tables: l.tables,
        rows: l.rows,
        out: l.scores + first * 32,
        min,
        first: first * 16,
        count: Math.max(0, Math.min(n, end * 16) - first * 16),
        list: this.collectAt + i * partCap * 4,
        cap: partCap,
        scores: l.scores,
        tail: this.tailAt,
        tailBytes: this.shape.tailBytes,
        tailTables: this.tailTables,
        refined: this.refinedAt + i * partCap * 2,
      });
    }
    return jobs;
  }

  /** Moves the parts' rows and estimates together at the start of the areas; returns how many there are. */
  private gatherParts(jobs: PartJob[], found: number[]): number {
    const heap = this.heap();
    let count = found[0]!;
    for (let i = 1; i < jobs.length; i++) {
      heap.copyWithin(this.collectAt + count * 4, jobs[i]!.list, jobs[i]!.list + found[i]! * 4);
      heap.copyWithin(this.refinedAt + count * 2, jobs[i]!.refined, jobs[i]!.refined + found[i]! * 2);
      count += found[i]!;
    }
    return count;
  }

  /** Completes the estimates of the `count` rows at collectAt; returns `count`. */
  private refine(count: number): number {
    this.kernel.refine(
      this.collectAt,
      count,
      this.tailAt,
      this.shape.tailBytes,
      this.tailTables,
      this.layout.scores,
      this.refinedAt,
    );
    return count;
  }

  /** The `take` best of the `count` rows at collectAt by their completed estimates (at refinedAt). */
  private bestRefined(count: number, take: number): Uint32Array {
    const buffer = this.heap().buffer;
    const rows = new Uint32Array(buffer, this.collectAt, count);
    const totals = new Uint16Array(buffer, this.refinedAt, count);
    if (count <= take) return rows.slice();
    // A histogram of the totals gives the cut: all rows above it, and rows at it in row order until `take`.
    const histogram = HISTOGRAM;
    let cut = 0;
    for (let i = 0; i < count; i++) {
      const t = totals[i]!;
      histogram[t]!++;
      if (t > cut) cut = t;
    }
    let above = 0;
    while (above + histogram[cut]! < take) above += histogram[cut--]!;
    for (let i = 0; i < count; i++) histogram[totals[i]!] = 0;
    let atCut = take - above;
    const out = new Uint32Array(take);
    let k = 0;
    for (let i = 0; i < count; i++) {
      const t = totals[i]!;
      if (t > cut || (t === cut && atCut-- > 0)) out[k++] = rows[i]!;
    }
    return out;
  }

  /** The best `take` rows of each collect area's worth of the pool, by their completed estimate. */
  private bestOfAll(n: number, take: number): Uint32Array {
    const parts: Uint32Array[] = [];
    for (let start = 0; start < n; start += this.collectCap) {
      const count = Math.min(this.collectCap, n - start);
      const area = new Uint32Array(this.heap().buffer, this.collectAt, count);
      for (let i = 0; i < count; i++) area[i] = start + i;
      parts.push(this.bestRefined(this.refine(count), take));
    }
    const best = new Uint32Array(parts.reduce((sum, p) => sum + p.length, 0));
    let at = 0;
    for (const p of parts) {
      best.set(p, at);
      at += p.length;
    }
    return best;
  }

  /** Re-ranks rows by the cosine of their int16 copies and returns the best `wanted`. */
  private exactTop(rows: Uint32Array, probe: Float32Array, wanted: number): FaceIndexHit[] {
    const count = rows.length;
    const dots = this.fine.similarities(rows, probe);
    // Best `wanted` by insertion into a short sorted list (wanted is small next to count).
    const top: { row: number; similarity: number }[] = [];
    for (let i = 0; i < count; i++) {
      const row = rows[i]!;
      const similarity = dots[i]!;
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
    this.plan(capacity);
    this.fine.reserve(capacity);
    this.rows.resize(capacity);
  }

  /**
   * Places the tails and the scratch areas after the heads of `capacity` codes and grows the memory to hold
   * them; the live tails move with their area.
   */
  private plan(capacity: number): void {
    const l = this.layout;
    const oldTail = this.tailAt;
    this.tailAt = align(l.codes + (capacity >> 4) * l.blockBytes, 64);
    l.scores = align(this.tailAt + capacity * this.shape.tailBytes, 64);
    this.collectCap = Math.min(1 << 16, capacity);
    this.collectAt = align(l.scores + capacity * 2, 64);
    this.refinedAt = align(this.collectAt + this.collectCap * 4, 64);
    growTo(this.memory, this.refinedAt + this.collectCap * 2);
    if (this.tailAt !== oldTail && this.rows.size > 0) {
      this.heap().copyWithin(this.tailAt, oldTail, oldTail + this.rows.size * this.shape.tailBytes);
    }
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

  private codeAt(row: number): { block: number; lane: number; tail: number } {
    return { block: this.blockAt(row), lane: row & 15, tail: this.tailAt + row * this.shape.tailBytes };
  }
}

/** Counts of completed estimates (at most 61,440 at 2,048 bits), cleared after every use. */
const HISTOGRAM = new Uint32Array(65_536);
