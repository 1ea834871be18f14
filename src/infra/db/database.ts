import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { DB } from './db.types.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  readonly db: Kysely<DB>;
  readonly dialect: Dialect;
  /** Run after bulk erasure so freed pages holding biometric data are overwritten and the WAL truncated. */
  checkpoint(): Promise<void>;
  close(): Promise<void>;
}

// PostgreSQL returns BIGINT as strings by default; every BIGINT here is an epoch-ms time or a counter that fits
// in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export function openDatabase(url: string, options: { poolSize?: number } = {}): Database {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length));
  return openPostgres(url, options.poolSize ?? 10);
}

function openSqlite(path: string): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  // WAL for concurrent readers; FULL so a committed job or session survives power loss, not only a crash;
  // secure_delete so erased biometric rows do not linger in free pages.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('secure_delete = ON');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    dialect: 'sqlite',
    async checkpoint() {
      sqlite.pragma('wal_checkpoint(TRUNCATE)');
    },
    async close() {
      await db.destroy();
    },
  };
}

/**
 * Kysely prepares every query anew; with better-sqlite3 preparing costs more than running a point query, so
 * statements are cached by SQL text (bounded: queries are built from a fixed set of shapes).
 */
function withStatementCache(sqlite: SQLite.Database, capacity = 512): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = (sql: string): SQLite.Statement => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = sqlite.prepare(sql);
      if (cache.size >= capacity) cache.delete(cache.keys().next().value!);
      cache.set(sql, statement);
    }
    return statement;
  };
  return new Proxy(sqlite, {
    get(target, prop) {
      if (prop === 'prepare') return prepare;
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function openPostgres(url: string, poolSize: number): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => undefined);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    async checkpoint() {
      // PostgreSQL reuses dead tuples after VACUUM; erased rows are not readable through SQL either way.
    },
    async close() {
      await db.destroy();
    },
  };
}
