import { type Kysely, sql } from 'kysely';
import type { UsageCharge, UsageRepository } from '../../../domain/ports/repositories.port.js';
import type { DB } from '../db.types.js';

/** Thrown inside the transaction to roll it back; never leaves this file. */
class OverLimit extends Error {
  constructor(readonly counter: string) {
    super(counter);
  }
}

export class KyselyUsageRepository implements UsageRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async consume(
    sessionId: string,
    charges: readonly UsageCharge[],
    drop?: { prefix: string; keep: string },
  ): Promise<string | null> {
    const tooBig = charges.find((c) => c.amount > c.limit);
    if (tooBig) return tooBig.counter;
    // One transaction, so one commit (one fsync with synchronous=FULL) however many counters move.
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const { counter, amount, limit } of charges) {
          // Insert or add, only while the sum stays within the limit: the row lock (PostgreSQL) or the write lock
          // (SQLite) makes the check and the addition one step for concurrent requests.
          const result = await trx
            .insertInto('session_usage')
            .values({ session_id: sessionId, counter, amount })
            .onConflict((oc) =>
              oc
                .columns(['session_id', 'counter'])
                .doUpdateSet({ amount: sql`session_usage.amount + excluded.amount` })
                .where(sql<number>`session_usage.amount + excluded.amount`, '<=', limit),
            )
            .executeTakeFirst();
          if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) throw new OverLimit(counter);
        }
        if (drop) {
          // Prefixes are fixed names of ours ("analyses@"), free of LIKE wildcards.
          await trx
            .deleteFrom('session_usage')
            .where('session_id', '=', sessionId)
            .where('counter', 'like', `${drop.prefix}%`)
            .where('counter', '<>', drop.keep)
            .execute();
        }
      });
      return null;
    } catch (err) {
      if (err instanceof OverLimit) return err.counter;
      throw err;
    }
  }

  async release(sessionId: string, counter: string, amount: number): Promise<void> {
    await this.db
      .updateTable('session_usage')
      .set({ amount: sql`CASE WHEN amount > ${amount} THEN amount - ${amount} ELSE 0 END` })
      .where('session_id', '=', sessionId)
      .where('counter', '=', counter)
      .execute();
  }
}
