import type { Kysely, Selectable } from 'kysely';
import type { HandoffRecord, HandoffRepository } from '../../../domain/ports/repositories.port.js';
import type { DB, HandoffsTable } from '../db.types.js';

const toRecord = (r: Selectable<HandoffsTable>): HandoffRecord => ({
  id: r.id,
  sessionId: r.session_id,
  claimHash: r.claim_hash,
  watchHash: r.watch_hash,
  expiresAt: Number(r.expires_at),
  claimedAt: r.claimed_at === null ? null : Number(r.claimed_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  createdAt: Number(r.created_at),
});

export class KyselyHandoffRepository implements HandoffRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async create(h: HandoffRecord): Promise<void> {
    await this.db
      .insertInto('handoffs')
      .values({
        id: h.id,
        session_id: h.sessionId,
        claim_hash: h.claimHash,
        watch_hash: h.watchHash,
        expires_at: h.expiresAt,
        claimed_at: h.claimedAt,
        revoked_at: h.revokedAt,
        created_at: h.createdAt,
      })
      .execute();
  }

  async get(sessionId: string, id: string): Promise<HandoffRecord | null> {
    const row = await this.db
      .selectFrom('handoffs')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async findByClaimHash(claimHash: string): Promise<HandoffRecord | null> {
    const row = await this.db.selectFrom('handoffs').selectAll().where('claim_hash', '=', claimHash).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async countForSession(sessionId: string): Promise<number> {
    const row = await this.db
      .selectFrom('handoffs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('session_id', '=', sessionId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async revokeOpen(sessionId: string, at: number): Promise<void> {
    await this.db
      .updateTable('handoffs')
      .set({ revoked_at: at })
      .where('session_id', '=', sessionId)
      .where('claimed_at', 'is', null)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async claim(id: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('handoffs')
      .set({ claimed_at: at })
      .where('id', '=', id)
      .where('claimed_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', at)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
