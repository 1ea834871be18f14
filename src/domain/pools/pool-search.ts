import type { FaceIndex } from '../ports/face-index.port.js';
import type { MemberCursor, PoolRepository } from '../ports/pool-repository.port.js';

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
export class PoolSearch {
  private lastSeq = 0;
  private loading: Promise<void> | null = null;
  private loaded = false;
  private syncing: Promise<void> | null = null;

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
    // Read the log position first: changes racing with the load are re-applied afterwards (idempotently).
    this.lastSeq = await this.repo.latestChangeSeq();
    let after: MemberCursor | null = null;
    const sizes = new Map<string, number>();
    for (;;) {
      const { rows, next } = await this.repo.memberFaces(after, LOAD_CHUNK);
      let start = 0;
      while (start < rows.length) {
        const poolId = rows[start]!.poolId;
        if (!sizes.has(poolId)) sizes.set(poolId, await this.repo.poolFaceCount(poolId));
        let end = start;
        while (end < rows.length && rows[end]!.poolId === poolId) end++;
        for (let from = start; from < end; from += LOAD_SLICE) {
          const slice = rows.slice(from, Math.min(end, from + LOAD_SLICE));
          const matrix = new Float32Array(slice.length * this.index.dimensions);
          slice.forEach((r, i) => matrix.set(r.embedding, i * this.index.dimensions));
          this.index.addMany(poolId, slice.map((r) => r.key), matrix, sizes.get(poolId));
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        start = end;
      }
      if (!next) break;
      after = next;
    }
    this.loaded = true;
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
        for (;;) {
          const changes = await this.repo.changesSince(this.lastSeq, CHANGE_BATCH);
          for (const c of changes) {
            if (c.op === 'drop') this.index.dropPool(c.poolId);
            else if (c.op === 'remove' && c.faceKey !== null) this.index.remove(c.poolId, c.faceKey);
            else if (c.op === 'add' && c.faceKey !== null && c.embedding) this.index.add(c.poolId, c.faceKey, c.embedding);
            this.lastSeq = c.seq;
          }
          if (changes.length < CHANGE_BATCH) break;
        }
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  /**
   * Best candidates of a pool, one per applicant (an applicant's best face), highest similarity first.
   * The sync starts after the call, so everything committed before it is reflected.
   */
  async search(poolId: string, probe: Float32Array, topK: number): Promise<PoolCandidate[]> {
    await this.sync();
    // Several faces may belong to one applicant: fetch extra faces so topK applicants survive the grouping.
    const hits = this.index.search(poolId, probe, Math.max(topK * 4, 16));
    const live = new Map((await this.repo.resolveMembers(poolId, hits.map((h) => h.key))).map((m) => [m.key, m]));
    const best = new Map<string, PoolCandidate>();
    for (const hit of hits) {
      const member = live.get(hit.key);
      if (!member || best.has(member.applicantId)) continue;
      best.set(member.applicantId, { applicantId: member.applicantId, faceId: member.faceId, similarity: hit.similarity });
    }
    return [...best.values()].slice(0, topK);
  }

  size(poolId: string): number {
    return this.index.size(poolId);
  }
}
