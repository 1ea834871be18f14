import { CompiledQuery, type Kysely } from 'kysely';
import type { Dialect } from './database.js';

/**
 * A hot-path read as fixed SQL: Kysely's query builder costs ~60 µs per query to build and compile, several
 * times the cost of running a point query on SQLite, and `GET /sessions/{id}` runs six of them. Written once
 * with `?` placeholders and double-quoted identifiers, which both dialects accept; PostgreSQL gets `$n`.
 */
export function rawQuery<Row>(
  // biome-ignore lint/suspicious/noExplicitAny: the query is raw SQL, so it serves a database of any schema
  db: Kysely<any>,
  dialect: Dialect,
  text: string,
): (...params: unknown[]) => Promise<Row[]> {
  let n = 0;
  const sqlText = dialect === 'postgres' ? text.replace(/\?/g, () => `$${++n}`) : text;
  return async (...params) => (await db.executeQuery<Row>(CompiledQuery.raw(sqlText, params))).rows;
}
