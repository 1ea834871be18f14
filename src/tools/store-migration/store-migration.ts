import { createHash } from 'node:crypto';
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { MediaStore } from '../../domain/ports/media-store.port.js';
import type { Database, Dialect } from '../../infra/db/database.js';
import type { DB } from '../../infra/db/db.types.js';
import { migrate } from '../../infra/db/migrator.js';

// Copies a whole install (every table, and optionally every media object) into an empty database and media
// store: the way from the embedded default (SQLite + disk) to PostgreSQL + S3, or between any two of them.
// Rows keep their ids and face keys, so media keys, index change-log entries and integrators' stored ids stay
// valid; embeddings are copied as stored (encrypted ones stay readable only with the same OPENIDV_EMBEDDING_KEY).

export interface TableSpec {
  readonly name: keyof DB & string;
  /** Primary key columns: the source is read in this order, one page after another. */
  readonly key: readonly string[];
  /** A generated key column whose values are copied and whose generator must continue after them. */
  readonly identity?: string;
}

/** Every table of the schema, parents before children (foreign keys hold after each insert). */
export const STORE_TABLES: readonly TableSpec[] = [
  { name: 'apps', key: ['sdk_id'] },
  { name: 'sessions', key: ['id'] },
  { name: 'resources', key: ['id'] },
  { name: 'checks', key: ['id'] },
  { name: 'tasks', key: ['id'] },
  { name: 'media', key: ['id'] },
  { name: 'device_events', key: ['id'] },
  { name: 'session_usage', key: ['session_id', 'counter'] },
  { name: 'capture_challenges', key: ['id'] },
  { name: 'liveness_frames', key: ['challenge_id', 'idx'] },
  { name: 'liveness_frame_ledger', key: ['app_id', 'digest'] },
  { name: 'handoffs', key: ['id'] },
  { name: 'face_analyses', key: ['media_id'] },
  { name: 'webhook_deliveries', key: ['id'] },
  { name: 'nonces', key: ['sdk_id', 'nonce'] },
  { name: 'jobs', key: ['id'] },
  { name: 'applicants', key: ['id'] },
  { name: 'faces', key: ['key'], identity: 'key' },
  { name: 'pools', key: ['id'] },
  { name: 'pool_members', key: ['pool_id', 'applicant_id'] },
  { name: 'face_changes', key: ['seq'], identity: 'seq' },
  { name: 'model_sets', key: ['id'] },
  { name: 'face_embeddings', key: ['face_key', 'model_set_id'] },
  { name: 'console_users', key: ['id'] },
  { name: 'console_user_apps', key: ['user_id', 'app_id'] },
  { name: 'console_sessions', key: ['token_hash'] },
  { name: 'review_items', key: ['id'] },
  { name: 'audit_events', key: ['seq'], identity: 'seq' },
];

export interface StoreMigrationOptions {
  source: Database;
  target: Database;
  /** Copy every media object too; omitted, media stay where they are (a store both installs share). */
  media?: { from: MediaStore; to: MediaStore; concurrency?: number };
  /** Rows per read and per insert (fewer for wide tables: bound parameters stay under both engines' limits). */
  batchSize?: number;
  onProgress?: (message: string) => void;
}

export interface StoreMigrationReport {
  /** Rows copied per table (equal in source and target: verified before the target commits). */
  tables: Record<string, number>;
  /** The next value each generated key column will take in the target. */
  nextKeys: Record<string, number>;
  media: { objects: number; bytes: number; missing: string[] } | null;
  durationMs: number;
}

/** A refusal or a failed verification; the target database is left without any copied row. */
export class StoreMigrationError extends Error {}

type Row = Record<string, unknown>;
type Db = Kysely<DB>;
const MAX_PARAMETERS = 30_000; // below SQLite's 32 766 and PostgreSQL's 65 535 bound parameters per statement

export async function migrateStore(options: StoreMigrationOptions): Promise<StoreMigrationReport> {
  const started = Date.now();
  const { source, target } = options;
  const progress = options.onProgress ?? (() => undefined);
  const batchSize = Math.max(1, options.batchSize ?? 500);

  // Both at the current schema: the source as if this version had started on it, the target created from scratch.
  await migrate(source);
  await migrate(target);
  const columns = await checkSchemas(source, target);
  for (const t of STORE_TABLES) {
    const n = await count(target.db, t.name);
    if (n > 0)
      throw new StoreMigrationError(
        `the target database is not empty (${t.name} has ${n} rows): migrate-store only writes into an empty one`,
      );
  }

  // One snapshot of the source for counts, media references and rows alike, even if something still writes to it.
  return snapshot(source, async (src) => {
    const counts: Record<string, number> = {};
    for (const t of STORE_TABLES) counts[t.name] = await count(src, t.name);
    progress(`source: ${STORE_TABLES.map((t) => `${t.name} ${counts[t.name]}`).join(', ')}`);

    const media = options.media
      ? await copyMedia(src, options.media.from, options.media.to, options.media.concurrency ?? 8, progress)
      : null;

    // One target transaction: a failure anywhere leaves the target empty, so the command can simply run again.
    const nextKeys: Record<string, number> = {};
    await target.db.transaction().execute(async (dst) => {
      for (const t of STORE_TABLES) {
        const copied = await copyTable(src, dst, target.dialect, t, columns[t.name]!, batchSize);
        if (copied !== counts[t.name])
          throw new StoreMigrationError(`${t.name}: read ${copied} rows, the source counted ${counts[t.name]}`);
        if (copied) progress(`copied ${t.name}: ${copied} rows`);
      }
      for (const t of STORE_TABLES) {
        if (!t.identity) continue;
        nextKeys[`${t.name}.${t.identity}`] = await continueIdentity(
          src,
          source.dialect,
          dst,
          target.dialect,
          t.name,
          t.identity,
        );
      }
      for (const t of STORE_TABLES) {
        const n = await count(dst, t.name);
        if (n !== counts[t.name])
          throw new StoreMigrationError(
            `verification failed: ${t.name} has ${n} rows in the target, ${counts[t.name]} in the source`,
          );
      }
    });
    progress('database copied and verified');
    return { tables: counts, nextKeys, media, durationMs: Date.now() - started };
  });
}

/** Same tables, same columns on both sides (both were just migrated by this version), and none unknown here. */
async function checkSchemas(source: Database, target: Database): Promise<Record<string, string[]>> {
  const [s, t] = await Promise.all([tableColumns(source.db), tableColumns(target.db)]);
  const known = new Set(STORE_TABLES.map((x) => x.name as string));
  const unknown = [...s.keys()].filter((name) => !known.has(name));
  if (unknown.length)
    throw new StoreMigrationError(`the source has tables this version cannot copy: ${unknown.join(', ')}`);
  const out: Record<string, string[]> = {};
  for (const { name } of STORE_TABLES) {
    const sc = s.get(name);
    const tc = t.get(name);
    if (!sc || !tc) throw new StoreMigrationError(`table ${name} is missing from the ${sc ? 'target' : 'source'}`);
    if ([...sc].sort().join() !== [...tc].sort().join()) {
      throw new StoreMigrationError(
        `table ${name} has different columns in source (${sc.join(', ')}) and target (${tc.join(', ')})`,
      );
    }
    out[name] = tc;
  }
  return out;
}

async function tableColumns(db: Db): Promise<Map<string, string[]>> {
  const tables = await db.introspection.getTables();
  // PostgreSQL lists every schema the role sees: keep the one holding this install.
  const home = tables.find((t) => t.name === 'apps')?.schema;
  return new Map(tables.filter((t) => t.schema === home).map((t) => [t.name, t.columns.map((c) => c.name)]));
}

async function count(db: Db | Transaction<DB>, table: string): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** Runs `fn` inside one read snapshot of the source (a read transaction; REPEATABLE READ on PostgreSQL). */
function snapshot<T>(source: Database, fn: (src: Transaction<DB>) => Promise<T>): Promise<T> {
  const tx = source.db.transaction();
  return (source.dialect === 'postgres' ? tx.setIsolationLevel('repeatable read') : tx).execute(fn);
}

async function copyTable(
  src: Transaction<DB>,
  dst: Transaction<DB>,
  dialect: Dialect,
  t: TableSpec,
  cols: string[],
  batchSize: number,
): Promise<number> {
  const pageSize = Math.max(1, Math.min(batchSize, Math.floor(MAX_PARAMETERS / cols.length)));
  const order = sql.join(t.key.map((c) => sql.ref(c)));
  // PostgreSQL refuses explicit values for GENERATED ALWAYS columns unless told to keep them.
  const overriding = dialect === 'postgres' && t.identity ? sql`OVERRIDING SYSTEM VALUE` : sql``;
  let last: Row | null = null;
  let copied = 0;
  for (;;) {
    const after: RawBuilder<unknown> = last ? sql`WHERE ${keysetAfter(t.key, last)}` : sql``;
    const { rows }: { rows: Row[] } =
      await sql<Row>`SELECT * FROM ${sql.table(t.name)} ${after} ORDER BY ${order} LIMIT ${pageSize}`.execute(src);
    if (!rows.length) break;
    const values = rows.map((r) => sql`(${sql.join(cols.map((c) => r[c] ?? null))})`);
    await sql`INSERT INTO ${sql.table(t.name)} (${sql.join(cols.map((c) => sql.ref(c)))}) ${overriding} VALUES ${sql.join(values)}`.execute(
      dst,
    );
    copied += rows.length;
    last = rows[rows.length - 1]!;
    if (rows.length < pageSize) break;
  }
  return copied;
}

/** `(k1, k2, …) > (v1, v2, …)` spelled out, so it means the same on both engines. */
function keysetAfter(key: readonly string[], last: Row): RawBuilder<unknown> {
  const terms = key.map((column, i) =>
    sql.join(
      [...key.slice(0, i).map((c) => sql`${sql.ref(c)} = ${last[c]}`), sql`${sql.ref(column)} > ${last[column]}`],
      sql` AND `,
    ),
  );
  return sql`(${sql.join(
    terms.map((x) => sql`(${x})`),
    sql` OR `,
  )})`;
}

/**
 * The target's generator continues after every key the source ever handed out, not only after the largest one
 * left: a deleted face's key is never reused (the change log and old index entries still name it).
 */
async function continueIdentity(
  src: Transaction<DB>,
  srcDialect: Dialect,
  dst: Transaction<DB>,
  dstDialect: Dialect,
  table: string,
  column: string,
): Promise<number> {
  const { rows } = await sql<{
    m: number | string | null;
  }>`SELECT MAX(${sql.ref(column)}) AS m FROM ${sql.table(table)}`.execute(src);
  let used = Number(rows[0]?.m ?? 0);
  if (srcDialect === 'sqlite') {
    const seq = await sql<{ seq: number }>`SELECT seq FROM sqlite_sequence WHERE name = ${table}`.execute(src);
    used = Math.max(used, Number(seq.rows[0]?.seq ?? 0));
  } else {
    const name = await sql<{ s: string }>`SELECT pg_get_serial_sequence(${table}, ${column}) AS s`.execute(src);
    const seq = await sql<{
      last_value: number | string;
      is_called: boolean;
    }>`SELECT last_value, is_called FROM ${sql.table(name.rows[0]!.s)}`.execute(src);
    const row = seq.rows[0]!;
    used = Math.max(used, Number(row.last_value) - (row.is_called ? 0 : 1));
  }
  const next = used + 1;
  if (dstDialect === 'postgres') {
    await sql`SELECT setval(pg_get_serial_sequence(${table}, ${column}), ${next}, false)`.execute(dst);
  } else {
    // AUTOINCREMENT keeps its high-water mark in sqlite_sequence; explicit inserts have raised it to the largest key.
    const updated = await sql`UPDATE sqlite_sequence SET seq = ${used} WHERE name = ${table} AND seq < ${used}`.execute(
      dst,
    );
    const present = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM sqlite_sequence WHERE name = ${table}`.execute(
      dst,
    );
    if (!Number(updated.numAffectedRows ?? 0) && !Number(present.rows[0]?.n))
      await sql`INSERT INTO sqlite_sequence (name, seq) VALUES (${table}, ${used})`.execute(dst);
  }
  return next;
}

/**
 * Copies every object of the source store. Refuses a target holding objects the source does not have (a wrong
 * bucket or prefix); objects under the source's own keys are overwritten (a re-run after a failure).
 */
async function copyMedia(
  src: Transaction<DB>,
  from: MediaStore,
  to: MediaStore,
  concurrency: number,
  progress: (m: string) => void,
) {
  const keys = await from.list('');
  const present = new Set(keys);
  const foreign = (await to.list('')).filter((k) => !present.has(k));
  if (foreign.length) {
    throw new StoreMigrationError(
      `the target media store is not empty: it holds ${foreign.length} objects the source does not have (first: ${foreign[0]})`,
    );
  }
  // Content types and digests come from the rows (the stores keep bytes only, or guessed types).
  const described = new Map<string, { contentType: string; sha256?: string }>();
  for (const m of await src.selectFrom('media').select(['storage_key', 'content_type', 'sha256']).execute()) {
    described.set(m.storage_key, { contentType: m.content_type, sha256: m.sha256 });
  }
  for (const f of await src.selectFrom('faces').select(['image_key', 'content_type']).execute())
    described.set(f.image_key, { contentType: f.content_type });
  const missing = [...described.keys()].filter((k) => !present.has(k)).sort();

  let bytes = 0;
  let done = 0;
  let next = 0;
  const corrupt: string[] = [];
  await Promise.all(
    Array.from({ length: Math.max(1, concurrency) }, async () => {
      while (next < keys.length) {
        const key = keys[next++]!;
        const data = await from.get(key);
        if (!data) {
          missing.push(key); // erased while the copy ran
          continue;
        }
        const row = described.get(key);
        if (row?.sha256 && createHash('sha256').update(data).digest('hex') !== row.sha256) {
          corrupt.push(key);
          continue;
        }
        await to.put(key, data, row?.contentType ?? 'application/octet-stream');
        bytes += data.length;
        if (++done % 500 === 0) progress(`media: ${done}/${keys.length} objects`);
      }
    }),
  );
  if (corrupt.length)
    throw new StoreMigrationError(
      `${corrupt.length} source media objects do not match their recorded SHA-256 (first: ${corrupt[0]})`,
    );
  const copied = new Set(await to.list(''));
  const gone = new Set(missing);
  const absent = keys.filter((k) => !copied.has(k) && !gone.has(k));
  if (absent.length)
    throw new StoreMigrationError(
      `verification failed: ${absent.length} media objects are missing from the target (first: ${absent[0]})`,
    );
  progress(
    `media copied and verified: ${done} objects, ${bytes} bytes${missing.length ? `; ${missing.length} referenced objects were absent from the source` : ''}`,
  );
  return { objects: done, bytes, missing };
}
