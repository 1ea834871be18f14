import type { Kysely } from 'kysely';
import type { LivenessFrameRecord, LivenessFrameRepository } from '../../../domain/ports/repositories.port.js';
import type { DB } from '../db.types.js';

/** A ZOOM challenge's analysed frames while its stream is in progress. */
export class KyselyLivenessFrameRepository implements LivenessFrameRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async append(f: LivenessFrameRecord): Promise<boolean> {
    // The primary key decides between two requests racing for one index (two API processes, no shared memory):
    // the loser inserts nothing and is told so. Checking first would let both pass the check.
    const result = await this.db
      .insertInto('liveness_frames')
      .values({
        challenge_id: f.challengeId,
        session_id: f.sessionId,
        idx: f.index,
        received_at: f.receivedAt,
        analysis: f.analysis,
      })
      .onConflict((oc) => oc.columns(['challenge_id', 'idx']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async list(sessionId: string, challengeId: string): Promise<LivenessFrameRecord[]> {
    const rows = await this.db
      .selectFrom('liveness_frames')
      .selectAll()
      .where('challenge_id', '=', challengeId)
      .where('session_id', '=', sessionId)
      .orderBy('idx')
      .execute();
    return rows.map((r) => ({
      challengeId: r.challenge_id,
      sessionId: r.session_id,
      index: Number(r.idx),
      receivedAt: Number(r.received_at),
      analysis: r.analysis,
    }));
  }

  async deleteForChallenge(sessionId: string, challengeId: string): Promise<void> {
    await this.db
      .deleteFrom('liveness_frames')
      .where('challenge_id', '=', challengeId)
      .where('session_id', '=', sessionId)
      .execute();
  }

  async purgeReceivedBefore(before: number): Promise<number> {
    const result = await this.db.deleteFrom('liveness_frames').where('received_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
