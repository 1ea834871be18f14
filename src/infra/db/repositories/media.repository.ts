import type { Kysely, Selectable } from 'kysely';
import type { MediaRepository } from '../../../domain/ports/repositories.port.js';
import type { MediaRecord } from '../../../domain/sessions/session.types.js';
import type { Dialect } from '../database.js';
import type { DB, MediaTable } from '../db.types.js';
import { rawQuery } from '../raw-query.js';

const toRecord = (row: Selectable<MediaTable>): MediaRecord => ({
  id: row.id,
  sessionId: row.session_id,
  appId: row.app_id,
  type: row.type as MediaRecord['type'],
  contentType: row.content_type,
  storageKey: row.storage_key,
  size: row.size,
  sha256: row.sha256,
  createdAt: row.created_at,
});

export class KyselyMediaRepository implements MediaRepository {
  private readonly ofSession;

  constructor(
    private readonly db: Kysely<DB>,
    dialect: Dialect,
  ) {
    this.ofSession = rawQuery<Selectable<MediaTable>>(
      db,
      dialect,
      'SELECT * FROM "media" WHERE "session_id" = ? ORDER BY "created_at", "id"',
    );
  }

  async create(m: MediaRecord): Promise<void> {
    await this.db
      .insertInto('media')
      .values({
        id: m.id,
        session_id: m.sessionId,
        app_id: m.appId,
        type: m.type,
        content_type: m.contentType,
        storage_key: m.storageKey,
        size: m.size,
        sha256: m.sha256,
        created_at: m.createdAt,
      })
      .execute();
  }

  async countOtherSessionsWithDigest(sessionId: string, sha256: string): Promise<number> {
    const row = await this.db
      .selectFrom('media')
      .select((eb) => eb.fn.count<number>('session_id').distinct().as('n'))
      .where('sha256', '=', sha256)
      .where('session_id', '!=', sessionId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async get(sessionId: string, id: string): Promise<MediaRecord | null> {
    const row = await this.db
      .selectFrom('media')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async list(sessionId: string): Promise<MediaRecord[]> {
    return (await this.ofSession(sessionId)).map(toRecord);
  }

  async delete(sessionId: string, id: string): Promise<void> {
    await this.db.deleteFrom('media').where('session_id', '=', sessionId).where('id', '=', id).execute();
  }
}
