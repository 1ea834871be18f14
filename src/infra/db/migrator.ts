import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import type { Database, Dialect } from './database.js';
import * as pg0001 from './migrations/postgres/0001_init.js';
import * as pg0002 from './migrations/postgres/0002_pipeline_and_pools.js';
import * as pg0003 from './migrations/postgres/0003_job_request_id.js';
import * as pg0004 from './migrations/postgres/0004_embedding_and_handoff.js';
import * as pg0005 from './migrations/postgres/0005_console.js';
import * as pg0006 from './migrations/postgres/0006_session_usage.js';
import * as pg0007 from './migrations/postgres/0007_session_outcome.js';
import * as pg0008 from './migrations/postgres/0008_model_sets.js';
import * as pg0009 from './migrations/postgres/0009_liveness_challenges.js';
import * as pg0010 from './migrations/postgres/0010_liveness_frames.js';
import * as pg0011 from './migrations/postgres/0011_frame_ledger_capture.js';
import * as sqlite0001 from './migrations/sqlite/0001_init.js';
import * as sqlite0002 from './migrations/sqlite/0002_pipeline_and_pools.js';
import * as sqlite0003 from './migrations/sqlite/0003_job_request_id.js';
import * as sqlite0004 from './migrations/sqlite/0004_embedding_and_handoff.js';
import * as sqlite0005 from './migrations/sqlite/0005_console.js';
import * as sqlite0006 from './migrations/sqlite/0006_session_usage.js';
import * as sqlite0007 from './migrations/sqlite/0007_session_outcome.js';
import * as sqlite0008 from './migrations/sqlite/0008_model_sets.js';
import * as sqlite0009 from './migrations/sqlite/0009_liveness_challenges.js';
import * as sqlite0010 from './migrations/sqlite/0010_liveness_frames.js';
import * as sqlite0011 from './migrations/sqlite/0011_frame_ledger_capture.js';

// Ordered, immutable migrations, one folder per dialect. Each module exports `up`: the SQL of one step.
const MIGRATIONS: Record<Dialect, Record<string, { up: string }>> = {
  sqlite: {
    '0001_init': sqlite0001,
    '0002_pipeline_and_pools': sqlite0002,
    '0003_job_request_id': sqlite0003,
    '0004_embedding_and_handoff': sqlite0004,
    '0005_console': sqlite0005,
    '0006_session_usage': sqlite0006,
    '0007_session_outcome': sqlite0007,
    '0008_model_sets': sqlite0008,
    '0009_liveness_challenges': sqlite0009,
    '0010_liveness_frames': sqlite0010,
    '0011_frame_ledger_capture': sqlite0011,
  },
  postgres: {
    '0001_init': pg0001,
    '0002_pipeline_and_pools': pg0002,
    '0003_job_request_id': pg0003,
    '0004_embedding_and_handoff': pg0004,
    '0005_console': pg0005,
    '0006_session_usage': pg0006,
    '0007_session_outcome': pg0007,
    '0008_model_sets': pg0008,
    '0009_liveness_challenges': pg0009,
    '0010_liveness_frames': pg0010,
    '0011_frame_ledger_capture': pg0011,
  },
};

function toMigration(step: { up: string }): Migration {
  return {
    async up(db: Kysely<unknown>) {
      for (const statement of step.up
        .split(/;\s*\n/)
        .map((s) => s.trim())
        .filter(Boolean)) {
        await sql.raw(statement).execute(db);
      }
    },
  };
}

/** Applies every pending step, or those up to and including `to` (tests of a step's backfill). */
export async function migrate(database: Database, to?: string): Promise<string[]> {
  const steps = MIGRATIONS[database.dialect];
  const migrator = new Migrator({
    db: database.db,
    provider: {
      async getMigrations() {
        return Object.fromEntries(Object.entries(steps).map(([name, step]) => [name, toMigration(step)]));
      },
    },
  });
  const { error, results } = await (to ? migrator.migrateTo(to) : migrator.migrateToLatest());
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
