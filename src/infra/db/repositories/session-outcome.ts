import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';
import type { DB } from '../db.types.js';

// The session's outcome, stored so the console filters on an index (migration 0007): PENDING while any check
// runs, then REJECT if any check rejects, NOT_AVAILABLE if any could not decide, APPROVE when all approve.
// Rewritten from the checks in the same transaction as every check write, so it cannot drift from them.

export function outcomeUpdater(dialect: Dialect) {
  const rec =
    dialect === 'sqlite'
      ? sql`json_extract(c.report, '$.recommendation.value')`
      : sql`(c.report::json -> 'recommendation' ->> 'value')`;
  const any = (sessionId: string, condition: ReturnType<typeof sql>) =>
    sql`EXISTS (SELECT 1 FROM checks c WHERE c.session_id = ${sessionId} AND ${condition})`;
  return (db: Kysely<DB>, sessionId: string) =>
    sql`UPDATE sessions SET outcome = CASE
      WHEN NOT ${any(sessionId, sql`1 = 1`)} THEN NULL
      WHEN ${any(sessionId, sql`c.state <> 'DONE'`)} THEN 'PENDING'
      WHEN ${any(sessionId, sql`${rec} = 'REJECT'`)} THEN 'REJECT'
      WHEN ${any(sessionId, sql`${rec} = 'NOT_AVAILABLE'`)} THEN 'NOT_AVAILABLE'
      WHEN ${any(sessionId, sql`(${rec} IS NULL OR ${rec} <> 'APPROVE')`)} THEN NULL
      ELSE 'APPROVE' END
    WHERE id = ${sessionId}`.execute(db);
}
