import { type ExpressionBuilder, type Kysely, type RawBuilder, type Selectable, sql, type Transaction } from 'kysely';
import type { MemberCursor, PoolRepository } from '../../../domain/ports/pool-repository.port.js';
import type {
  ApplicantRecord,
  FaceRecord,
  IndexChange,
  Page,
  PoolRecord,
  PoolSettings,
} from '../../../domain/pools/pool.types.js';
import type { EmbeddingCodec } from '../../crypto/embedding-codec.js';
import type { Dialect } from '../database.js';
import type { DB, FacesTable } from '../db.types.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { fromJson, toJson } from './json.js';

type Tx = Transaction<DB>;

/**
 * Runs `fn` in a transaction that may append to the index change log. Writers take one lock on PostgreSQL so
 * sequence numbers commit in order: a reader that has seen seq n can never later find an n-1 committed behind
 * it. SQLite has a single writer already.
 */
export function inChangeLog<T>(db: Kysely<DB>, dialect: Dialect, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    if (dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(7391001)`.execute(trx);
    return fn(trx);
  });
}

/** A keyset page: `limit + 1` rows were read; the extra one only says whether a next page exists. */
function page<Row extends { created_at: number; id: string }, T>(
  rows: Row[],
  limit: number,
  map: (row: Row) => T,
): Page<T> {
  const items = rows.slice(0, limit).map(map);
  const last = rows[limit - 1];
  return rows.length > limit && last ? { items, nextCursor: encodeCursor(last.created_at, last.id) } : { items };
}

/**
 * A face's embedding under its pool's current model set: its own when it was enrolled with that set, else the
 * re-embedding a migration stored (null when there is none yet); its own when the pool is gone (the change is
 * followed by the pool's drop). Needs faces, pools and face_embeddings joined.
 */
// biome-ignore lint/suspicious/noExplicitAny: the expression builder of a join whose shape Kysely infers per query
function embeddingInPoolSet(eb: ExpressionBuilder<any, any>) {
  return eb
    .case()
    .when(eb.or([eb('pools.model_set_id', 'is', null), eb('faces.model_set_id', '=', eb.ref('pools.model_set_id'))]))
    .then(eb.ref('faces.embedding'))
    .else(eb.ref('face_embeddings.embedding'))
    .end() as unknown as RawBuilder<Buffer | null>;
}

export class KyselyPoolRepository implements PoolRepository {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
    private readonly codec: EmbeddingCodec,
  ) {}

  private changeLog<T>(fn: (trx: Tx) => Promise<T>): Promise<T> {
    return inChangeLog(this.db, this.dialect, fn);
  }

  private toFace(row: Selectable<FacesTable>): FaceRecord {
    return {
      key: Number(row.key),
      id: row.id,
      applicantId: row.applicant_id,
      appId: row.app_id,
      modelSetId: row.model_set_id,
      embedding: this.codec.decode(row.embedding),
      quality: fromJson(row.quality),
      imageKey: row.image_key,
      contentType: row.content_type,
      source: fromJson(row.source),
      createdAt: row.created_at,
    };
  }

  async createApplicant(a: ApplicantRecord): Promise<void> {
    await this.db
      .insertInto('applicants')
      .values({ id: a.id, app_id: a.appId, created_at: a.createdAt, updated_at: a.updatedAt })
      .execute();
  }

  async getApplicant(appId: string, id: string): Promise<ApplicantRecord | null> {
    const row = await this.db
      .selectFrom('applicants')
      .selectAll()
      .where('id', '=', id)
      .where('app_id', '=', appId)
      .executeTakeFirst();
    return row ? { id: row.id, appId: row.app_id, createdAt: row.created_at, updatedAt: row.updated_at } : null;
  }

  async listApplicants(appId: string, cursor: string | undefined, limit: number): Promise<Page<ApplicantRecord>> {
    let q = this.db.selectFrom('applicants').selectAll().where('app_id', '=', appId);
    const after = decodeCursor(cursor);
    if (after)
      q = q.where((eb) =>
        eb.or([eb('created_at', '>', after.at), eb.and([eb('created_at', '=', after.at), eb('id', '>', after.id)])]),
      );
    const rows = await q
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit + 1)
      .execute();
    return page(rows, limit, (r) => ({ id: r.id, appId: r.app_id, createdAt: r.created_at, updatedAt: r.updated_at }));
  }

  async deleteApplicant(appId: string, id: string, at: number): Promise<string[] | null> {
    return this.changeLog(async (trx) => {
      const applicant = await trx
        .selectFrom('applicants')
        .select('id')
        .where('id', '=', id)
        .where('app_id', '=', appId)
        .executeTakeFirst();
      if (!applicant) return null;
      const faces = await trx.selectFrom('faces').select(['key', 'image_key']).where('applicant_id', '=', id).execute();
      await this.logMembership(
        trx,
        id,
        faces.map((f) => Number(f.key)),
        'remove',
        at,
      );
      await trx.deleteFrom('applicants').where('id', '=', id).execute();
      return faces.map((f) => f.image_key);
    });
  }

  /** Appends one change per (pool of the applicant × face). */
  private async logMembership(
    trx: Tx,
    applicantId: string,
    faceKeys: number[],
    op: 'add' | 'remove',
    at: number,
    onlyPool?: string,
  ) {
    if (!faceKeys.length) return;
    let pools = await trx
      .selectFrom('pool_members')
      .select('pool_id')
      .where('applicant_id', '=', applicantId)
      .execute();
    if (onlyPool) pools = pools.filter((p) => p.pool_id === onlyPool);
    const rows = pools.flatMap((p) => faceKeys.map((key) => ({ pool_id: p.pool_id, face_key: key, op, at })));
    for (let i = 0; i < rows.length; i += 500)
      await trx
        .insertInto('face_changes')
        .values(rows.slice(i, i + 500))
        .execute();
  }

  async addFace(
    face: Omit<FaceRecord, 'key'>,
    otherSets: Readonly<Record<string, Float32Array>> = {},
  ): Promise<FaceRecord> {
    return this.changeLog(async (trx) => {
      const row = await trx
        .insertInto('faces')
        .values({
          id: face.id,
          applicant_id: face.applicantId,
          app_id: face.appId,
          model_set_id: face.modelSetId,
          embedding: this.codec.encode(face.embedding),
          quality: toJson(face.quality),
          image_key: face.imageKey,
          content_type: face.contentType,
          source: toJson(face.source),
          created_at: face.createdAt,
        })
        .returning('key')
        .executeTakeFirstOrThrow();
      const key = Number(row.key);
      for (const [modelSetId, embedding] of Object.entries(otherSets)) {
        if (modelSetId === face.modelSetId) continue;
        await trx
          .insertInto('face_embeddings')
          .values({
            face_key: key,
            model_set_id: modelSetId,
            embedding: this.codec.encode(embedding),
            created_at: face.createdAt,
          })
          .execute();
      }
      await this.logMembership(trx, face.applicantId, [key], 'add', face.createdAt);
      await trx
        .updateTable('applicants')
        .set({ updated_at: face.createdAt })
        .where('id', '=', face.applicantId)
        .execute();
      return { ...face, key };
    });
  }

  async getFace(appId: string, applicantId: string, faceId: string): Promise<FaceRecord | null> {
    const row = await this.db
      .selectFrom('faces')
      .selectAll()
      .where('id', '=', faceId)
      .where('applicant_id', '=', applicantId)
      .where('app_id', '=', appId)
      .executeTakeFirst();
    return row ? this.toFace(row) : null;
  }

  async listFaces(applicantId: string): Promise<FaceRecord[]> {
    const rows = await this.db
      .selectFrom('faces')
      .selectAll()
      .where('applicant_id', '=', applicantId)
      .orderBy('created_at')
      .orderBy('key')
      .execute();
    return rows.map((r) => this.toFace(r));
  }

  async deleteFace(appId: string, applicantId: string, faceId: string, at: number): Promise<FaceRecord | null> {
    return this.changeLog(async (trx) => {
      const row = await trx
        .selectFrom('faces')
        .selectAll()
        .where('id', '=', faceId)
        .where('applicant_id', '=', applicantId)
        .where('app_id', '=', appId)
        .executeTakeFirst();
      if (!row) return null;
      await this.logMembership(trx, applicantId, [Number(row.key)], 'remove', at);
      await trx.deleteFrom('faces').where('key', '=', row.key).execute();
      await trx.updateTable('applicants').set({ updated_at: at }).where('id', '=', applicantId).execute();
      return this.toFace(row);
    });
  }

  private toPool(row: {
    id: string;
    app_id: string;
    label: string;
    settings: string;
    model_set_id: string;
    created_at: number;
    updated_at: number;
  }): PoolRecord {
    return {
      id: row.id,
      appId: row.app_id,
      label: row.label,
      settings: fromJson(row.settings),
      modelSetId: row.model_set_id,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  async createPool(p: PoolRecord): Promise<void> {
    await this.db
      .insertInto('pools')
      .values({
        id: p.id,
        app_id: p.appId,
        label: p.label,
        settings: toJson(p.settings),
        model_set_id: p.modelSetId,
        created_at: p.createdAt,
        updated_at: p.updatedAt,
      })
      .execute();
  }

  async getPool(appId: string, id: string): Promise<PoolRecord | null> {
    const row = await this.db
      .selectFrom('pools')
      .selectAll()
      .where('id', '=', id)
      .where('app_id', '=', appId)
      .executeTakeFirst();
    return row ? this.toPool(row) : null;
  }

  async poolModelSet(poolId: string): Promise<string | null> {
    const row = await this.db.selectFrom('pools').select('model_set_id').where('id', '=', poolId).executeTakeFirst();
    return row?.model_set_id ?? null;
  }

  async updatePoolSettings(appId: string, id: string, settings: PoolSettings, at: number): Promise<void> {
    await this.db
      .updateTable('pools')
      .set({ settings: toJson(settings), updated_at: at })
      .where('id', '=', id)
      .where('app_id', '=', appId)
      .execute();
  }

  async listPools(appId: string, cursor: string | undefined, limit: number): Promise<Page<PoolRecord>> {
    let q = this.db.selectFrom('pools').selectAll().where('app_id', '=', appId);
    const after = decodeCursor(cursor);
    if (after)
      q = q.where((eb) =>
        eb.or([eb('created_at', '>', after.at), eb.and([eb('created_at', '=', after.at), eb('id', '>', after.id)])]),
      );
    const rows = await q
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit + 1)
      .execute();
    return page(rows, limit, (r) => this.toPool(r));
  }

  async deletePool(appId: string, id: string, at: number): Promise<boolean> {
    return this.changeLog(async (trx) => {
      const result = await trx.deleteFrom('pools').where('id', '=', id).where('app_id', '=', appId).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) return false;
      await trx.insertInto('face_changes').values({ pool_id: id, face_key: null, op: 'drop', at }).execute();
      return true;
    });
  }

  async poolsOfApplicant(applicantId: string): Promise<{ id: string; label: string }[]> {
    return this.db
      .selectFrom('pool_members')
      .innerJoin('pools', 'pools.id', 'pool_members.pool_id')
      .select(['pools.id as id', 'pools.label as label'])
      .where('pool_members.applicant_id', '=', applicantId)
      .orderBy('pool_members.added_at')
      .execute();
  }

  async addMember(poolId: string, applicantId: string, at: number): Promise<boolean> {
    return this.changeLog(async (trx) => {
      const result = await trx
        .insertInto('pool_members')
        .values({ pool_id: poolId, applicant_id: applicantId, added_at: at })
        .onConflict((oc) => oc.columns(['pool_id', 'applicant_id']).doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      const faces = await trx.selectFrom('faces').select('key').where('applicant_id', '=', applicantId).execute();
      await this.logMembership(
        trx,
        applicantId,
        faces.map((f) => Number(f.key)),
        'add',
        at,
        poolId,
      );
      return true;
    });
  }

  async removeMember(poolId: string, applicantId: string, at: number): Promise<boolean> {
    return this.changeLog(async (trx) => {
      const faces = await trx.selectFrom('faces').select('key').where('applicant_id', '=', applicantId).execute();
      await this.logMembership(
        trx,
        applicantId,
        faces.map((f) => Number(f.key)),
        'remove',
        at,
        poolId,
      );
      const result = await trx
        .deleteFrom('pool_members')
        .where('pool_id', '=', poolId)
        .where('applicant_id', '=', applicantId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  async listMembers(poolId: string, cursor: string | undefined, limit: number): Promise<Page<ApplicantRecord>> {
    let q = this.db
      .selectFrom('pool_members')
      .innerJoin('applicants', 'applicants.id', 'pool_members.applicant_id')
      .select([
        'applicants.id as id',
        'applicants.app_id as app_id',
        'applicants.created_at as created_at',
        'applicants.updated_at as updated_at',
        'pool_members.added_at as added_at',
      ])
      .where('pool_members.pool_id', '=', poolId);
    const after = decodeCursor(cursor);
    if (after) {
      q = q.where((eb) =>
        eb.or([
          eb('pool_members.added_at', '>', after.at),
          eb.and([eb('pool_members.added_at', '=', after.at), eb('applicants.id', '>', after.id)]),
        ]),
      );
    }
    const rows = await q
      .orderBy('pool_members.added_at')
      .orderBy('applicants.id')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const items = page.map((r) => ({ id: r.id, appId: r.app_id, createdAt: r.created_at, updatedAt: r.updated_at }));
    const last = page[page.length - 1];
    return rows.length > limit && last ? { items, nextCursor: encodeCursor(last.added_at, last.id) } : { items };
  }

  async poolFaceCount(poolId: string): Promise<number> {
    const row = await this.db
      .selectFrom('pool_members')
      .innerJoin('faces', 'faces.applicant_id', 'pool_members.applicant_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('pool_members.pool_id', '=', poolId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async memberFaces(after: MemberCursor | null, members: number) {
    // A range of the primary key (pool_id, applicant_id), then those members' faces. Ordering the join by
    // (pool, face key) instead made the database sort every remaining row for each page: 5.4 s a page at a
    // million faces on SQLite, ten minutes for a start-up.
    let page = this.db.selectFrom('pool_members').select(['pool_id', 'applicant_id']);
    if (after)
      page = page.where((eb) =>
        eb(eb.refTuple('pool_id', 'applicant_id'), '>', eb.tuple(after.poolId, after.applicantId)),
      );
    const memberPage = await page.orderBy('pool_id').orderBy('applicant_id').limit(members).execute();
    const last = memberPage[memberPage.length - 1];
    if (!last) return { rows: [], next: null };
    const first = memberPage[0]!;
    const rows = await this.db
      .selectFrom('pool_members')
      .innerJoin('faces', 'faces.applicant_id', 'pool_members.applicant_id')
      .innerJoin('pools', 'pools.id', 'pool_members.pool_id')
      .leftJoin('face_embeddings', (join) =>
        join
          .onRef('face_embeddings.face_key', '=', 'faces.key')
          .onRef('face_embeddings.model_set_id', '=', 'pools.model_set_id'),
      )
      .select((eb) => [
        'pool_members.pool_id as pool_id',
        'pool_members.applicant_id as applicant_id',
        'faces.key as key',
        'pools.model_set_id as model_set_id',
        embeddingInPoolSet(eb).as('embedding'),
      ])
      .where((eb) =>
        eb.and([
          eb(
            eb.refTuple('pool_members.pool_id', 'pool_members.applicant_id'),
            '>=',
            eb.tuple(first.pool_id, first.applicant_id),
          ),
          eb(
            eb.refTuple('pool_members.pool_id', 'pool_members.applicant_id'),
            '<=',
            eb.tuple(last.pool_id, last.applicant_id),
          ),
        ]),
      )
      .orderBy('pool_members.pool_id')
      .orderBy('pool_members.applicant_id')
      .orderBy('faces.key')
      .execute();
    return {
      rows: rows.flatMap((r) =>
        r.embedding
          ? [
              {
                poolId: r.pool_id,
                applicantId: r.applicant_id,
                key: Number(r.key),
                embedding: this.codec.decode(r.embedding),
                modelSetId: r.model_set_id,
              },
            ]
          : [],
      ),
      next: memberPage.length < members ? null : { poolId: last.pool_id, applicantId: last.applicant_id },
    };
  }

  async latestChangeSeq(): Promise<number> {
    const row = await this.db
      .selectFrom('face_changes')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  async oldestChangeSeq(): Promise<number> {
    const row = await this.db
      .selectFrom('face_changes')
      .select((eb) => eb.fn.min('seq').as('seq'))
      .executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  async changesSince(seq: number, limit: number): Promise<IndexChange[]> {
    const rows = await this.db
      .selectFrom('face_changes')
      .leftJoin('faces', 'faces.key', 'face_changes.face_key')
      .leftJoin('pools', 'pools.id', 'face_changes.pool_id')
      .leftJoin('face_embeddings', (join) =>
        join
          .onRef('face_embeddings.face_key', '=', 'faces.key')
          .onRef('face_embeddings.model_set_id', '=', 'pools.model_set_id'),
      )
      .select((eb) => [
        'face_changes.seq as seq',
        'face_changes.pool_id as pool_id',
        'face_changes.op as op',
        'face_changes.face_key as face_key',
        eb.fn.coalesce('pools.model_set_id', 'faces.model_set_id').as('model_set_id'),
        embeddingInPoolSet(eb).as('embedding'),
      ])
      .where('face_changes.seq', '>', seq)
      .orderBy('face_changes.seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      seq: Number(r.seq),
      poolId: r.pool_id,
      op: r.op as IndexChange['op'],
      faceKey: r.face_key === null ? null : Number(r.face_key),
      embedding: r.op === 'add' && r.embedding ? this.codec.decode(r.embedding) : null,
      modelSetId: r.model_set_id ?? null,
    }));
  }

  async pruneChanges(before: number): Promise<void> {
    // The newest change always stays: on an emptied log oldestChangeSeq() would read 0, and a process whose index
    // fell behind (idle longer than the retention) could no longer tell that changes it never saw were pruned.
    const latest = await this.latestChangeSeq();
    await this.db.deleteFrom('face_changes').where('at', '<', before).where('seq', '<', latest).execute();
  }

  async resolveMembers(poolId: string, keys: number[]) {
    if (!keys.length) return [];
    // Driven by the face keys, membership checked per face through the primary key. Written as a join, SQLite
    // walked the pool's members instead: 120-190 ms a search at 200,000 faces, about 0.8 s at a million.
    const rows = await this.db
      .selectFrom('faces')
      .select(['faces.key as key', 'faces.id as face_id', 'faces.applicant_id as applicant_id'])
      .where('faces.key', 'in', keys)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('pool_members')
            .select('pool_members.applicant_id')
            .whereRef('pool_members.applicant_id', '=', 'faces.applicant_id')
            .where('pool_members.pool_id', '=', poolId),
        ),
      )
      .execute();
    return rows.map((r) => ({ key: Number(r.key), faceId: r.face_id, applicantId: r.applicant_id }));
  }
}
