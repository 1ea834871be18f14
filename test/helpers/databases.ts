import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Database, openDatabase } from '../../src/infra/db/database.js';
import { migrate } from '../../src/infra/db/migrator.js';

export interface TestDatabase {
  url: string;
  database: Database;
  drop(): Promise<void>;
}

export const POSTGRES_ADMIN_URL =
  process.env.OPENIDV_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function sqliteTestDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'openidv-db-'));
  const url = `sqlite:${join(dir, 'test.db')}`;
  const database = openDatabase(url);
  await migrate(database);
  return {
    url,
    database,
    async drop() {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let postgresChecked: Promise<boolean> | undefined;

/** True when the machine's PostgreSQL answers; suites skip with a message otherwise. */
export function postgresAvailable(): Promise<boolean> {
  postgresChecked ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      console.warn(`[skip] PostgreSQL not reachable at ${POSTGRES_ADMIN_URL} (set OPENIDV_TEST_POSTGRES_URL)`);
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return postgresChecked;
}

/**
 * Creates a database of its own for one suite, so runs never collide, and drops it afterwards. `migrate: false`
 * leaves it empty (tests of processes that migrate it themselves at start).
 */
export async function postgresTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `openidv_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const database = openDatabase(url.toString());
  if (options.migrate !== false) await migrate(database);
  return {
    url: url.toString(),
    database,
    async drop() {
      await database.close();
      const c = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export const DIALECTS = [
  { name: 'sqlite', create: sqliteTestDatabase, available: async () => true },
  { name: 'postgres', create: postgresTestDatabase, available: postgresAvailable },
] as const;
