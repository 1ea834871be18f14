import { type Kysely, type Selectable, sql } from 'kysely';
import type { FaceAnalysis } from '../../../domain/ports/face-engine.port.js';
import type {
  CaptureChallenge,
  ChallengeRepository,
  ChallengeStep,
  FaceAnalysisRepository,
  StoredFaceAnalysis,
  WebhookDelivery,
  WebhookRepository,
} from '../../../domain/ports/repositories.port.js';
import type { EmbeddingCodec } from '../../crypto/embedding-codec.js';
import type { CaptureChallengesTable, DB, WebhookDeliveriesTable } from '../db.types.js';
import { fromJson, toJson } from './json.js';

/** Analyses keep their embeddings in one (optionally encrypted) blob, apart from the readable JSON. */
export class KyselyFaceAnalysisRepository implements FaceAnalysisRepository {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly codec: EmbeddingCodec,
  ) {}

  async get(mediaId: string): Promise<StoredFaceAnalysis | null> {
    const row = await this.db
      .selectFrom('face_analyses')
      .selectAll()
      .where('media_id', '=', mediaId)
      .executeTakeFirst();
    if (!row) return null;
    const { imageError, ...analysis } = fromJson<FaceAnalysis & { imageError?: string }>(row.result);
    if (row.embeddings && analysis.faces.length) {
      const all = this.codec.decode(row.embeddings);
      const dims = all.length / analysis.faces.length;
      analysis.faces.forEach((f, i) => (f.embedding = all.slice(i * dims, (i + 1) * dims)));
    }
    return {
      mediaId: row.media_id,
      sessionId: row.session_id,
      analysis,
      imageError: imageError ?? null,
      createdAt: row.created_at,
    };
  }

  async save(r: StoredFaceAnalysis): Promise<void> {
    const faces = r.analysis.faces;
    const dims = faces[0]?.embedding.length ?? 0;
    const all = new Float32Array(faces.length * dims);
    faces.forEach((f, i) => all.set(f.embedding, i * dims));
    const result = {
      ...r.analysis,
      faces: faces.map(({ embedding: _e, ...rest }) => rest),
      ...(r.imageError ? { imageError: r.imageError } : {}),
    };
    await this.db
      .insertInto('face_analyses')
      .values({
        media_id: r.mediaId,
        session_id: r.sessionId,
        model_set_id: r.analysis.modelSetId,
        result: toJson(result),
        embeddings: faces.length ? this.codec.encode(all) : null,
        created_at: r.createdAt,
      })
      .onConflict((oc) => oc.column('media_id').doNothing())
      .execute();
  }

  async delete(mediaId: string): Promise<void> {
    await this.db.deleteFrom('face_analyses').where('media_id', '=', mediaId).execute();
  }
}

const toChallenge = (r: Selectable<CaptureChallengesTable>): CaptureChallenge => ({
  id: r.id,
  sessionId: r.session_id,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
  mediaSha256: r.media_sha256,
  createdAt: r.created_at,
  requirementId: r.requirement_id,
  livenessType: r.liveness_type,
  nonce: r.nonce,
  steps: r.steps ? (fromJson(r.steps) as ChallengeStep[]) : null,
  revealed: Number(r.revealed),
});

export class KyselyChallengeRepository implements ChallengeRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async create(c: CaptureChallenge): Promise<void> {
    await this.db
      .insertInto('capture_challenges')
      .values({
        id: c.id,
        session_id: c.sessionId,
        expires_at: c.expiresAt,
        used_at: c.usedAt,
        media_sha256: c.mediaSha256,
        created_at: c.createdAt,
        requirement_id: c.requirementId,
        liveness_type: c.livenessType,
        nonce: c.nonce,
        steps: c.steps ? JSON.stringify(c.steps) : null,
        revealed: c.revealed,
      })
      .execute();
  }

  async get(sessionId: string, id: string): Promise<CaptureChallenge | null> {
    const row = await this.db
      .selectFrom('capture_challenges')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toChallenge(row) : null;
  }

  async consume(sessionId: string, id: string, sha256: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('capture_challenges')
      .set({ used_at: at, media_sha256: sha256 })
      .where('session_id', '=', sessionId)
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .where('expires_at', '>', at)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async reveal(sessionId: string, id: string, revealed: number): Promise<void> {
    // Guarded in the statement, not read first: a late request that saw fewer steps cannot lower the count.
    await this.db
      .updateTable('capture_challenges')
      .set({ revealed })
      .where('session_id', '=', sessionId)
      .where('id', '=', id)
      .where('revealed', '<', revealed)
      .execute();
  }

  async finish(sessionId: string, id: string, at: number): Promise<boolean> {
    // No expiry test: a stream that ran late is still decided (as a failure), and only once.
    const result = await this.db
      .updateTable('capture_challenges')
      .set({ used_at: at })
      .where('session_id', '=', sessionId)
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async findByMedia(sessionId: string, sha256: string): Promise<CaptureChallenge | null> {
    const row = await this.db
      .selectFrom('capture_challenges')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('media_sha256', '=', sha256)
      .executeTakeFirst();
    return row ? toChallenge(row) : null;
  }
}

const toDelivery = (r: Selectable<WebhookDeliveriesTable>): WebhookDelivery => ({
  id: r.id,
  sessionId: r.session_id,
  topic: r.topic,
  payload: fromJson(r.payload),
  state: r.state as WebhookDelivery['state'],
  attempts: Number(r.attempts),
  lastStatus: r.last_status,
  lastError: r.last_error,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  deliveredAt: r.delivered_at,
});

export class KyselyWebhookRepository implements WebhookRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async create(d: Omit<WebhookDelivery, 'createdAt'>, now: number): Promise<void> {
    // created_at orders a session's deliveries: strictly after the latest one, even within one millisecond.
    // Concurrent creators (workers on PostgreSQL) would read the same MAX, so they take turns on the session
    // row first (a no-op update locks it until commit; SQLite has one writer anyway).
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('sessions')
        .set((eb) => ({ updated_at: eb.ref('updated_at') }))
        .where('id', '=', d.sessionId)
        .execute();
      await sql`
        INSERT INTO webhook_deliveries (id, session_id, topic, payload, state, attempts, last_status, last_error, created_at, updated_at, delivered_at)
        SELECT ${d.id}, ${d.sessionId}, ${d.topic}, ${toJson(d.payload)}, ${d.state}, ${d.attempts}, ${d.lastStatus}, ${d.lastError},
          CASE WHEN MAX(created_at) IS NULL OR MAX(created_at) < ${now} THEN ${now} ELSE MAX(created_at) + 1 END, ${now}, ${d.deliveredAt}
        FROM webhook_deliveries WHERE session_id = ${d.sessionId}
        ON CONFLICT (id) DO NOTHING`.execute(trx);
    });
  }

  async get(id: string): Promise<WebhookDelivery | null> {
    const row = await this.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toDelivery(row) : null;
  }

  async list(sessionId: string): Promise<WebhookDelivery[]> {
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('session_id', '=', sessionId)
      .orderBy('created_at')
      .execute();
    return rows.map(toDelivery);
  }

  async earlierPending(d: WebhookDelivery): Promise<WebhookDelivery | null> {
    const row = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('session_id', '=', d.sessionId)
      .where('state', '=', 'pending')
      .where('created_at', '<', d.createdAt)
      .orderBy('created_at')
      .executeTakeFirst();
    return row ? toDelivery(row) : null;
  }

  async update(d: WebhookDelivery): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set({
        state: d.state,
        attempts: d.attempts,
        last_status: d.lastStatus,
        last_error: d.lastError,
        updated_at: d.updatedAt,
        delivered_at: d.deliveredAt,
      })
      .where('id', '=', d.id)
      .execute();
  }
}
