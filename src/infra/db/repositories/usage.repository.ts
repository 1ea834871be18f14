import { type Kysely, sql } from 'kysely';
import type { UsageRepository } from '../../../domain/ports/repositories.port.js';
import type { DB } from '../db.types.js';

export class KyselyUsageRepository implements UsageRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async consume(sessionId: string, counter: string, amount: number, limit: number): Promise<boolean> {
    if (amount > limit) return false;
    await this.db
      .insertInto('session_usage')
      .values({ session_id: sessionId, counter, amount: 0 })
      .onConflict((oc) => oc.columns(['session_id', 'counter']).doNothing())
      .execute();
    // One conditional UPDATE: the row lock (PostgreSQL) or the write lock (SQLite) makes check-and-add atomic.
    const result = await this.db
      .updateTable('session_usage')
      .set({ amount: sql`amount + ${amount}` })
      .where('session_id', '=', sessionId)
      .where('counter', '=', counter)
      .where('amount', '<=', limit - amount)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async release(sessionId: string, counter: string, amount: number): Promise<void> {
    await this.db
      .updateTable('session_usage')
      .set({ amount: sql`CASE WHEN amount > ${amount} THEN amount - ${amount} ELSE 0 END` })
      .where('session_id', '=', sessionId)
      .where('counter', '=', counter)
      .execute();
  }

  async prune(sessionId: string, prefix: string, keep: string): Promise<void> {
    await this.db
      .deleteFrom('session_usage')
      .where('session_id', '=', sessionId)
      .where('counter', 'like', `${prefix}%`)
      .where('counter', '<>', keep)
      .execute();
  }
}
