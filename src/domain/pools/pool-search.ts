import type { FaceIndex } from '../ports/face-index.port.js';
import type { MemberCursor, MemberFace, PoolRepository } from '../ports/pool-repository.port.js';

export interface PoolCandidate {
  applicantId: string;
  faceId: string;
  similarity: number;
}

const LOAD_CHUNK = 10_000;
/**
 * Rows per index insert during the start-up load, with a turn of the event loop between inserts: an insert blocks
 * its thread (a scan pool takes about 20,000 faces/s, bench:search), so 1,000 rows hold requests for ~50 ms.
 */
const LOAD_SLICE = 1_000;
const CHANGE_BATCH = 5_000;

/**
 * The in-memory face index of this process, kept consistent with the database: loaded at start, then brought up
 * to date from the change log before every search, so a search that starts after an enrolment or a deletion
 * returned (in any process) reflects it. Hits are re-checked against the database as a second guard.
 */
/**
 * A search asked for one model set while the pool's index is on another (the pool switched since the caller read
 * it). Embeddings of two sets are never compared: the caller embeds the probe with `indexSet` and asks again.
 */
export class ModelSetMismatch extends Error {
  constructor(
    readonly poolId: string,
    readonly probeSet: string,
    readonly indexSet: string,
  ) {
    super(`pool ${poolId} is searched on model set ${indexSet}, not ${probeSet}`);
    this.name = 'ModelSetMismatch';
  }
}

/**
 * The in-memory face index of this process, kept consistent with the database: loaded at start, then brought up
 * to date from the change log before every search, so a search that starts after an enrolment or a deletion
 * returned (in any process) reflects it. Hits are re-checked against the database as a second guard.
 *
 * Each pool's index holds embeddings of one model set, recorded beside it. A pool switching sets (the end of a
 * migration) is a change like any other: the pool is reloaded from the database, whose rows carry the set their
 * embeddings are from. A search names the set of its probe and is refused when the index is on another one.
 */
export class PoolSearch {
  private lastSeq = 0;
  private loading: Promise<void> | null = null;
  private loaded = false;
  private syncing: Promise<void> | null = null;
  /** The model set of each pool's index (pools that hold faces, or held some). */
  private readonly sets = new Map<string, string>();

  constructor(
    private readonly repo: PoolRepository,
    private readonly index: FaceIndex,
  ) {}

  /** For readiness: throws until the index holds every pool's faces. */
  probe = async (): Promise<void> => {
    if (!this.loaded) throw new Error(this.loading ? 'loading' : 'not loaded');
  };

  /** Loads every pool's faces; safe to call repeatedly. */
  load(): Promise<void> {
    this.loading ??= this.reload();
    return this.loading;
  }

  private async reload(): Promise<void> {
    this.loaded = false;
    for (const pool of this.index.pools()) this.index.dropPool(pool);
    this.sets.clear();
    // Read the log position first: changes racing with the load are re-applied afterwards (idempotently).
    this.lastSeq = await this.repo.latestChangeSeq();
    await this.loadMembers(null);
    this.loaded = true;
  }

  /** Loads the faces of every pool from `from` on (null: all), or of one pool only. */
  private async loadMembers(onlyPool: string | null): Promise<void> {
    let after: MemberCursor | null = onlyPool === null ? null : { poolId: onlyPool, applicantId: '' };
    const sizes = new Map<string, number>();
    for (;;) {
      const { rows, next } = await this.repo.memberFaces(after, LOAD_CHUNK);
      let start = 0;
      while (start < rows.length) {
        const poolId = rows[start]!.poolId;
        if (onlyPool !== null && poolId !== onlyPool) return;
        if (!sizes.has(poolId)) sizes.set(poolId, await this.repo.poolFaceCount(poolId));
        let end = start;
        while (end < rows.length && rows[end]!.poolId === poolId) end++;
        for (let from = start; from < end; from += LOAD_SLICE) {
          const slice = rows.slice(from, Math.min(end, from + LOAD_SLICE));
          this.addRows(poolId, slice, sizes.get(poolId));
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        start = end;
      }
      if (!next) break;
      after = next;
    }
  }

  /**
   * Rows of one pool read by one query (one set). Rows of another set than the index's mean the pool switched
   * after the index was loaded: the pool's index starts over with them (the switch's change reloads it anyway).
   */
  private addRows(poolId: string, rows: MemberFace[], expectedSize?: number): void {
    const first = rows[0];
    if (!first) return;
    if (this.sets.get(poolId) !== first.modelSetId) {
      this.index.dropPool(poolId);
      this.sets.set(poolId, first.modelSetId);
    }
    const dims = this.index.dimensions;
    const own = rows.filter((r) => r.modelSetId === first.modelSetId && r.embedding.length === dims);
    const matrix = new Float32Array(own.length * dims);
    own.forEach((r, i) => matrix.set(r.embedding, i * dims));
    this.index.addMany(
      poolId,
      own.map((r) => r.key),
      matrix,
      expectedSize,
    );
  }

  /** Drops a pool's index and loads it again from the database (after a switch, or mixed changes). */
  private async reloadPool(poolId: string): Promise<void> {
    this.index.dropPool(poolId);
    this.sets.delete(poolId);
    const set = await this.repo.poolModelSet(poolId);
    if (set !== null) this.sets.set(poolId, set);
    await this.loadMembers(poolId);
  }

  /** Applies the change log since the last sync; concurrent callers share one pass. */
  sync(): Promise<void> {
    this.syncing ??= (async () => {
      try {
        await this.load();
        if (this.lastSeq > 0 && (await this.repo.oldestChangeSeq()) > this.lastSeq + 1) {
          // Changes this process never saw were pruned: start over from the database.
          this.loading = this.reload();
          await this.loading;
        }
        const stale = new Set<string>();
        for (;;) {
          const changes = await this.repo.changesSince(this.lastSeq, CHANGE_BATCH);
          for (const c of changes) {
            if (c.op === 'drop') {
              this.index.dropPool(c.poolId);
              this.sets.delete(c.poolId);
              stale.delete(c.poolId);
            } else if (c.op === 'switch') stale.add(c.poolId);
            else if (c.op === 'remove' && c.faceKey !== null) this.index.remove(c.poolId, c.faceKey);
            else if (c.op === 'add' && c.faceKey !== null && c.embedding && c.modelSetId)
              this.applyAdd(c.poolId, c.faceKey, c.embedding, c.modelSetId, stale);
            this.lastSeq = c.seq;
          }
          if (changes.length < CHANGE_BATCH) break;
        }
        // After the log is read to its end, so each reload reads the set the pool has now.
        for (const poolId of stale) await this.reloadPool(poolId);
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  private applyAdd(poolId: string, key: number, embedding: Float32Array, modelSetId: string, stale: Set<string>): void {
    const current = this.sets.get(poolId);
    if (current === undefined || this.index.size(poolId) === 0) this.sets.set(poolId, modelSetId);
    else if (current !== modelSetId) {
      // Read after the pool switched, before this process applied the switch: the reload puts it right.
      stale.add(poolId);
      return;
    }
    this.index.add(poolId, key, embedding);
  }

  /** The set a pool's index is on (brought up to date first); the database's when the index holds nothing yet. */
  async modelSetOf(poolId: string): Promise<string | null> {
    await this.sync();
    return this.sets.get(poolId) ?? (await this.repo.poolModelSet(poolId));
  }

  /**
   * Best candidates of a pool, one per applicant (an applicant's best face), highest similarity first.
   * The sync starts after the call, so everything committed before it is reflected. `modelSetId` is the probe's
   * set: when the pool's index is on another, ModelSetMismatch is thrown and nothing is compared.
   */
  async search(poolId: string, probe: Float32Array, topK: number, modelSetId: string): Promise<PoolCandidate[]> {
    await this.sync();
    const indexSet = this.sets.get(poolId);
    if (indexSet === undefined || this.index.size(poolId) === 0) return [];
    if (indexSet !== modelSetId) throw new ModelSetMismatch(poolId, modelSetId, indexSet);
    // Several faces may belong to one applicant: fetch extra faces so topK applicants survive the grouping.
    const hits = this.index.search(poolId, probe, Math.max(topK * 4, 16));
    const live = new Map(
      (
        await this.repo.resolveMembers(
          poolId,
          hits.map((h) => h.key),
        )
      ).map((m) => [m.key, m]),
    );
    const best = new Map<string, PoolCandidate>();
    for (const hit of hits) {
      const member = live.get(hit.key);
      if (!member || best.has(member.applicantId)) continue;
      best.set(member.applicantId, {
        applicantId: member.applicantId,
        faceId: member.faceId,
        similarity: hit.similarity,
      });
    }
    return [...best.values()].slice(0, topK);
  }

  size(poolId: string): number {
    return this.index.size(poolId);
  }
}
