import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';
import type {
  FrameLedgerRepository,
  LedgerCapture,
  LedgerEntry,
  LedgerFrame,
} from '../../../domain/ports/repositories.port.js';
import type { DB, LivenessFrameLedgerTable } from '../db.types.js';

const WORDS = ['w0', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7'] as const;
type Word = (typeof WORDS)[number];

/**
 * The most entries one lookup returns. A capture's frames normally match a handful of entries; a tenant whose
 * ledger holds many frames sharing a common word (flat or dark frames hash alike) could otherwise make one
 * lookup load a large part of its ledger into the API process. Past the cap the newest entries are kept: a
 * replay is most often of a recent capture, and exact digests are looked up apart so they are never cut.
 */
export const LEDGER_CANDIDATE_CAP = 5000;
/** Frames per query, so the bound parameters (nine per frame) stay far below both engines' limits. */
const FRAMES_PER_QUERY = 500;

/** A 256-bit hash's eight 32-bit words (unsigned), or null when it is not 64 hex digits. */
export function hashWords(hash: string): number[] | null {
  if (!/^[0-9a-f]{64}$/i.test(hash)) return null;
  return WORDS.map((_, i) => Number.parseInt(hash.slice(i * 8, i * 8 + 8), 16));
}

interface Row {
  digest: string;
  phash: string;
  capture_id: string | null;
  session_id: string | null;
  frame_index: number | null;
}

// A row recorded before captures were kept stands alone: its own capture, so it can match one frame at most.
const toEntry = (r: Row): LedgerEntry => ({
  digest: r.digest,
  perceptualHash: r.phash,
  captureId: r.capture_id ?? `digest:${r.digest}`,
  sessionId: r.session_id,
  index: Number(r.frame_index ?? 0),
});

export class KyselyFrameLedgerRepository implements FrameLedgerRepository {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  async record(appId: string, capture: LedgerCapture, frames: LedgerFrame[], at: number): Promise<void> {
    // One row per digest (its first place in the stream): PostgreSQL refuses an upsert that touches the same row
    // twice in one statement. Bytes seen before keep the capture they were first seen in.
    const first = new Map<string, LedgerFrame & { index: number }>();
    frames.forEach((f, index) => first.has(f.digest) || first.set(f.digest, { ...f, index }));
    const unique = [...first.values()];
    for (let i = 0; i < unique.length; i += FRAMES_PER_QUERY) {
      const rows = unique.slice(i, i + FRAMES_PER_QUERY).map((f): LivenessFrameLedgerTable => {
        const w = hashWords(f.perceptualHash);
        return {
          app_id: appId,
          digest: f.digest,
          phash: f.perceptualHash.toLowerCase(),
          w0: w?.[0] ?? null,
          w1: w?.[1] ?? null,
          w2: w?.[2] ?? null,
          w3: w?.[3] ?? null,
          w4: w?.[4] ?? null,
          w5: w?.[5] ?? null,
          w6: w?.[6] ?? null,
          w7: w?.[7] ?? null,
          capture_id: capture.id,
          session_id: capture.sessionId,
          frame_index: f.index,
          created_at: at,
        };
      });
      await this.db
        .insertInto('liveness_frame_ledger')
        .values(rows)
        .onConflict((oc) =>
          oc
            .columns(['app_id', 'digest'])
            .doUpdateSet({ created_at: (eb) => eb.ref('excluded.created_at') })
            .where('liveness_frame_ledger.created_at', '<', (eb) => eb.ref('excluded.created_at')),
        )
        .execute();
    }
  }

  async candidates(appId: string, frames: LedgerFrame[]): Promise<LedgerEntry[]> {
    const found = new Map<string, LedgerEntry>();
    for (let i = 0; i < frames.length && found.size < LEDGER_CANDIDATE_CAP; i += FRAMES_PER_QUERY) {
      const chunk = frames.slice(i, i + FRAMES_PER_QUERY);
      const digests = [...new Set(chunk.map((f) => f.digest))];
      // Exact copies first, uncapped beyond the frames asked about (the digest is unique per app).
      const exact = await this.db
        .selectFrom('liveness_frame_ledger')
        .select(['digest', 'phash', 'capture_id', 'session_id', 'frame_index'])
        .where('app_id', '=', appId)
        .where('digest', 'in', digests)
        .execute();
      for (const r of exact) found.set(r.digest, toEntry(r));

      const words = chunk.map((f) => hashWords(f.perceptualHash)).filter((w): w is number[] => w !== null);
      const room = LEDGER_CANDIDATE_CAP - found.size;
      if (!words.length || room <= 0) continue;
      // One indexed lookup per word position, (app_id, wK). UNION ALL and a GROUP BY outside: a plain UNION or an
      // OR over the eight columns made SQLite walk the tenant's primary key instead (measured with EXPLAIN QUERY
      // PLAN), and an entry sharing several words must count once against the cap.
      const branch = (w: Word, k: number) =>
        this.db
          .selectFrom('liveness_frame_ledger')
          .select(['digest', 'phash', 'capture_id', 'session_id', 'frame_index', 'created_at'])
          .where('app_id', '=', appId)
          .where(w, 'in', [...new Set(words.map((x) => x[k]!))]);
      let query = branch('w0', 0);
      for (let k = 1; k < WORDS.length; k++) query = query.unionAll(branch(WORDS[k]!, k));
      const nearest = (db: Kysely<DB>) =>
        db
          .selectFrom(query.as('near'))
          .select((eb) => [
            'digest',
            'phash',
            'capture_id',
            'session_id',
            'frame_index',
            eb.fn.max('created_at').as('latest'),
          ])
          .groupBy(['digest', 'phash', 'capture_id', 'session_id', 'frame_index'])
          .orderBy('latest', 'desc')
          .orderBy('digest')
          .limit(room)
          .execute();
      // PostgreSQL planned this as a parallel query once a tenant held ~100k entries: starting the workers took
      // 40-60 ms of a lookup whose index scans take under 1 ms (EXPLAIN ANALYZE), so it is told not to.
      const near =
        this.dialect === 'postgres'
          ? await this.db.transaction().execute(async (trx) => {
              await sql`SET LOCAL max_parallel_workers_per_gather = 0`.execute(trx);
              return nearest(trx);
            })
          : await nearest(this.db);
      for (const r of near) if (found.size < LEDGER_CANDIDATE_CAP) found.set(r.digest, toEntry(r));
    }
    return [...found.values()];
  }

  async purgeBefore(before: number): Promise<number> {
    const result = await this.db
      .deleteFrom('liveness_frame_ledger')
      .where('created_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
