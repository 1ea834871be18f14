import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { FaceToEmbed, ModelSetRecord, PoolMigrationProgress } from '../../../domain/models/model-set.types.js';
import type { ModelSetRepository } from '../../../domain/ports/model-set-repository.port.js';
import type { EmbeddingCodec } from '../../crypto/embedding-codec.js';
import type { Dialect } from '../database.js';
import type { DB, ModelSetsTable } from '../db.types.js';
import { fromJson, toJson } from './json.js';
import { inChangeLog } from './pool.repository.js';

export class KyselyModelSetRepository implements ModelSetRepository {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
    private readonly codec: EmbeddingCodec,
  ) {}

  private toRecord(row: Selectable<ModelSetsTable>): ModelSetRecord {
    return {
      id: row.id,
      embedderFile: row.embedder_file,
      embedderSha256: row.embedder_sha256,
      inputSize: Number(row.input_size),
      template: row.template as ModelSetRecord['template'],
      dimensions: Number(row.dimensions),
      calibration: fromJson(row.calibration),
      state: row.state as ModelSetRecord['state'],
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    };
  }

  async install(r: ModelSetRecord): Promise<boolean> {
    const result = await this.db
      .insertInto('model_sets')
      .values({
        id: r.id,
        embedder_file: r.embedderFile,
        embedder_sha256: r.embedderSha256,
        input_size: r.inputSize,
        template: r.template,
        dimensions: r.dimensions,
        calibration: r.calibration === null ? null : toJson(r.calibration),
        // A set is never installed active: activation is its own step, which starts the migration.
        state: 'installed',
        created_at: r.createdAt,
        updated_at: r.updatedAt,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async get(id: string): Promise<ModelSetRecord | null> {
    const row = await this.db.selectFrom('model_sets').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.toRecord(row) : null;
  }

  async list(): Promise<ModelSetRecord[]> {
    const rows = await this.db.selectFrom('model_sets').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => this.toRecord(r));
  }

  async setCalibration(id: string, calibration: unknown, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('model_sets')
      .set({ calibration: toJson(calibration), updated_at: at })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async activate(id: string | null, at: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      // Retire first: the partial unique index allows one active row at any moment, inside the transaction too.
      await trx
        .updateTable('model_sets')
        .set({ state: 'retired', updated_at: at })
        .where('state', '=', 'active')
        .execute();
      if (id !== null)
        await trx.updateTable('model_sets').set({ state: 'active', updated_at: at }).where('id', '=', id).execute();
    });
  }

  async activeId(): Promise<string | null> {
    const row = await this.db.selectFrom('model_sets').select('id').where('state', '=', 'active').executeTakeFirst();
    return row?.id ?? null;
  }

  async poolSets(): Promise<string[]> {
    const rows = await this.db.selectFrom('pools').select('model_set_id').distinct().execute();
    return rows.map((r) => r.model_set_id);
  }

  async facesToEmbed(modelSetId: string, afterKey: number, limit: number): Promise<FaceToEmbed[]> {
    const rows = await this.db
      .selectFrom('faces')
      .select(['key', 'image_key', 'model_set_id', 'embedding'])
      .where('key', '>', afterKey)
      .where('model_set_id', '<>', modelSetId)
      .where(lacksEmbeddingUnder(modelSetId))
      .orderBy('key')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      key: Number(r.key),
      imageKey: r.image_key,
      modelSetId: r.model_set_id,
      embedding: this.codec.decode(r.embedding),
    }));
  }

  async countFacesToEmbed(modelSetId: string): Promise<number> {
    const row = await this.db
      .selectFrom('faces')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('model_set_id', '<>', modelSetId)
      .where(lacksEmbeddingUnder(modelSetId))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async saveEmbedding(faceKey: number, modelSetId: string, embedding: Float32Array, at: number): Promise<void> {
    await this.db
      .insertInto('face_embeddings')
      .values({ face_key: faceKey, model_set_id: modelSetId, embedding: this.codec.encode(embedding), created_at: at })
      .onConflict((oc) => oc.columns(['face_key', 'model_set_id']).doNothing())
      .execute();
  }

  async embeddingOf(faceKey: number, modelSetId: string): Promise<Float32Array | null> {
    const own = await this.db
      .selectFrom('faces')
      .select('embedding')
      .where('key', '=', faceKey)
      .where('model_set_id', '=', modelSetId)
      .executeTakeFirst();
    if (own) return this.codec.decode(own.embedding);
    const other = await this.db
      .selectFrom('face_embeddings')
      .select('embedding')
      .where('face_key', '=', faceKey)
      .where('model_set_id', '=', modelSetId)
      .executeTakeFirst();
    return other ? this.codec.decode(other.embedding) : null;
  }

  async progress(modelSetId: string): Promise<PoolMigrationProgress[]> {
    const rows = await this.db
      .selectFrom('pools')
      .leftJoin('pool_members', 'pool_members.pool_id', 'pools.id')
      .leftJoin('faces', 'faces.applicant_id', 'pool_members.applicant_id')
      .leftJoin('face_embeddings', (join) =>
        join.onRef('face_embeddings.face_key', '=', 'faces.key').on('face_embeddings.model_set_id', '=', modelSetId),
      )
      .select((eb) => [
        'pools.id as id',
        'pools.app_id as app_id',
        'pools.label as label',
        'pools.model_set_id as model_set_id',
        eb.fn.count<number>('faces.key').as('faces'),
        eb.fn
          .sum<number>(
            eb
              .case()
              .when(eb.or([eb('faces.model_set_id', '=', modelSetId), eb('face_embeddings.face_key', 'is not', null)]))
              .then(1)
              .else(0)
              .end(),
          )
          .as('embedded'),
      ])
      .groupBy(['pools.id', 'pools.app_id', 'pools.label', 'pools.model_set_id', 'pools.created_at'])
      .orderBy('pools.created_at')
      .orderBy('pools.id')
      .execute();
    return rows.map((r) => ({
      poolId: r.id,
      appId: r.app_id,
      label: r.label,
      modelSetId: r.model_set_id,
      faces: Number(r.faces),
      embedded: Number(r.embedded ?? 0),
    }));
  }

  async switchPool(poolId: string, modelSetId: string, at: number): Promise<boolean> {
    // Under the change-log lock, so no enrolment or membership change slips in between the count and the switch.
    return inChangeLog(this.db, this.dialect, async (trx) => {
      const missing = await trx
        .selectFrom('pool_members')
        .innerJoin('faces', 'faces.applicant_id', 'pool_members.applicant_id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('pool_members.pool_id', '=', poolId)
        .where('faces.model_set_id', '<>', modelSetId)
        .where(lacksEmbeddingUnder(modelSetId))
        .executeTakeFirstOrThrow();
      if (Number(missing.n) > 0) return false;
      const result = await trx
        .updateTable('pools')
        .set({ model_set_id: modelSetId, updated_at: at })
        .where('id', '=', poolId)
        .where('model_set_id', '<>', modelSetId)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await trx.insertInto('face_changes').values({ pool_id: poolId, face_key: null, op: 'switch', at }).execute();
      return true;
    });
  }
}

/** A face (of `faces`, alone or joined) that has no embedding under the set yet: what a migration still has to do. */
function lacksEmbeddingUnder(modelSetId: string) {
  return ({ not, exists, selectFrom }: ExpressionBuilder<DB, 'faces'>) =>
    not(
      exists(
        selectFrom('face_embeddings')
          .select('face_key')
          .whereRef('face_embeddings.face_key', '=', 'faces.key')
          .where('face_embeddings.model_set_id', '=', modelSetId),
      ),
    );
}
