import type { Kysely, Selectable } from 'kysely';
import type { SignInSession, SignInSessionRepository } from '../../../../domain/ports/console-repository.port.js';
import type { ConsoleSessionsTable, DB } from '../../db.types.js';
import { fromJson, toJson } from '../json.js';

const toRecord = (row: Selectable<ConsoleSessionsTable>): SignInSession => ({
  tokenHash: row.token_hash,
  userId: row.user_id,
  csrfToken: row.csrf_token,
  data: fromJson(row.data),
  ip: row.ip,
  createdAt: row.created_at,
  lastSeenAt: row.last_seen_at,
  expiresAt: row.expires_at,
});

export class KyselySignInSessionRepository implements SignInSessionRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async create(s: SignInSession): Promise<void> {
    await this.db
      .insertInto('console_sessions')
      .values({
        token_hash: s.tokenHash,
        user_id: s.userId,
        csrf_token: s.csrfToken,
        data: toJson(s.data),
        ip: s.ip,
        created_at: s.createdAt,
        last_seen_at: s.lastSeenAt,
        expires_at: s.expiresAt,
      })
      .execute();
  }

  async get(tokenHash: string): Promise<SignInSession | null> {
    const row = await this.db
      .selectFrom('console_sessions')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async touch(tokenHash: string, lastSeenAt: number, expiresAt: number): Promise<void> {
    await this.db
      .updateTable('console_sessions')
      .set({ last_seen_at: lastSeenAt, expires_at: expiresAt })
      .where('token_hash', '=', tokenHash)
      .execute();
  }

  async delete(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('console_sessions').where('token_hash', '=', tokenHash).execute();
  }

  async deleteForUser(userId: string): Promise<void> {
    await this.db.deleteFrom('console_sessions').where('user_id', '=', userId).execute();
  }

  async purgeExpired(now: number): Promise<number> {
    const result = await this.db.deleteFrom('console_sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
