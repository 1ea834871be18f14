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
  /**
   * Run after erasure so that no copy of the erased rows stays in the files: SQLite copies the WAL (whose old
   * frames still hold the rows as they were) into the main file, whose freed cells secure_delete zeroed, and
   * truncates the WAL. Resolves false when other processes' readers kept it from completing for ~5 s.
   */
  checkpoint(): Promise<boolean>;
  close(): Promise<void>;
}

// PostgreSQL returns BIGINT as strings by default; every BIGINT here is an epoch-ms time or a counter that fits
// in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

const BUSY_TIMEOUT_MS = 5000;

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
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  let checkpoints = Promise.resolve(true);
  return {
    db,
    dialect: 'sqlite',
    checkpoint() {
      // One at a time: each call gets a checkpoint that starts after its own erasure committed.
      checkpoints = checkpoints.then(
        () => truncateWal(db, sqlite),
        () => truncateWal(db, sqlite),
      );
      return checkpoints;
    },
    async close() {
      await db.destroy();
    },
  };
}

const CHECKPOINT_ATTEMPTS = 50;
const CHECKPOINT_BUSY_MS = 20;
const CHECKPOINT_PAUSE_MS = 80;

/**
 * A TRUNCATE checkpoint must wait until no reader (of any process) uses the WAL. better-sqlite3 waits
 * synchronously, blocking the event loop, so each attempt waits briefly and the pauses between attempts are
 * asynchronous. Kysely's connection is held during an attempt, so no transaction of this process is open.
 */
async function truncateWal(db: Kysely<DB>, sqlite: SQLite.Database): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const done = await db.connection().execute(async () => {
      sqlite.pragma(`busy_timeout = ${CHECKPOINT_BUSY_MS}`);
      try {
        const [result] = sqlite.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
        return result?.busy === 0;
      } finally {
        sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      }
    });
    if (done || attempt === CHECKPOINT_ATTEMPTS) return done;
    await new Promise((r) => setTimeout(r, CHECKPOINT_PAUSE_MS));
  }
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
      // Nothing to do per erasure: deleted rows stay in the heap and TOAST files as dead tuples until VACUUM
      // marks their space free and later writes reuse it (VACUUM itself does not zero them; VACUUM FULL
      // rewrites the files), and in WAL segments until recycled. docs/security.md says what that means.
      return true;
    },
    async close() {
      await db.destroy();
    },
  };
}
