import type { Kysely, Selectable } from 'kysely';
import type { SessionRepository } from '../../../domain/ports/repositories.port.js';
import type { CheckRecord, SessionBundle, SessionRecord } from '../../../domain/sessions/session.types.js';
import type { Dialect } from '../database.js';
import type { DB, SessionsTable } from '../db.types.js';
import { rawQuery } from '../raw-query.js';
import { fromJson, toJson } from './json.js';
import { outcomeUpdater } from './session-outcome.js';
import { checkRow, KyselyWorkRepository } from './work.repository.js';
import { KyselyResourceRepository } from './resource.repository.js';
import { KyselyMediaRepository } from './media.repository.js';

const toRecord = (row: Selectable<SessionsTable>): SessionRecord => ({
  id: row.id,
  appId: row.app_id,
  state: row.state as SessionRecord['state'],
  spec: fromJson(row.spec),
  requirements: fromJson(row.requirements),
  clientToken: row.client_token,
  tokenExpiresAt: row.token_expires_at,
  resourcesExpireAt: row.resources_expire_at,
  biometricConsentAt: row.biometric_consent_at,
  finishedAt: row.finished_at,
  completedAt: row.completed_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export class KyselySessionRepository implements SessionRepository {
  private readonly work: KyselyWorkRepository;
  private readonly resources: KyselyResourceRepository;
  private readonly media: KyselyMediaRepository;

  private readonly byAppAndId;
  private readonly byId;
  private readonly byToken;
  private readonly updateOutcome;

  constructor(
    private readonly db: Kysely<DB>,
    dialect: Dialect,
  ) {
    this.work = new KyselyWorkRepository(db, dialect);
    this.resources = new KyselyResourceRepository(db, dialect);
    this.media = new KyselyMediaRepository(db, dialect);
    this.byAppAndId = rawQuery<Selectable<SessionsTable>>(
      db,
      dialect,
      'SELECT * FROM "sessions" WHERE "id" = ? AND "app_id" = ?',
    );
    this.byId = rawQuery<Selectable<SessionsTable>>(db, dialect, 'SELECT * FROM "sessions" WHERE "id" = ?');
    this.byToken = rawQuery<Selectable<SessionsTable>>(
      db,
      dialect,
      'SELECT * FROM "sessions" WHERE "client_token" = ?',
    );
    this.updateOutcome = outcomeUpdater(dialect);
  }

  async create(session: SessionRecord, checks: CheckRecord[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('sessions')
        .values({
          id: session.id,
          app_id: session.appId,
          state: session.state,
          spec: toJson(session.spec),
          requirements: toJson(session.requirements),
          user_tracking_id: session.spec.user_tracking_id ?? null,
          client_token: session.clientToken,
          token_expires_at: session.tokenExpiresAt,
          resources_expire_at: session.resourcesExpireAt,
          biometric_consent_at: session.biometricConsentAt,
          finished_at: session.finishedAt,
          completed_at: session.completedAt,
          created_at: session.createdAt,
          updated_at: session.updatedAt,
        })
        .execute();
      if (checks.length) {
        await trx.insertInto('checks').values(checks.map(checkRow)).execute();
        await this.updateOutcome(trx, session.id);
      }
    });
  }

  async get(appId: string, id: string): Promise<SessionRecord | null> {
    const [row] = await this.byAppAndId(id, appId);
    return row ? toRecord(row) : null;
  }

  async getById(id: string): Promise<SessionRecord | null> {
    const [row] = await this.byId(id);
    return row ? toRecord(row) : null;
  }

  async getByClientToken(token: string): Promise<SessionRecord | null> {
    const [row] = await this.byToken(token);
    return row ? toRecord(row) : null;
  }

  async bundle(session: SessionRecord): Promise<SessionBundle> {
    const [checks, tasks, resources, media] = await Promise.all([
      this.work.listChecks(session.id),
      this.work.listTasks(session.id),
      this.resources.list(session.id),
      this.media.list(session.id),
    ]);
    return { session, checks, tasks, resources, media };
  }

  async update(
    id: string,
    patch: Partial<Pick<SessionRecord, 'state' | 'biometricConsentAt' | 'finishedAt' | 'completedAt'>>,
    at: number,
  ): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({
        updated_at: at,
        ...(patch.state !== undefined ? { state: patch.state } : {}),
        ...(patch.biometricConsentAt !== undefined ? { biometric_consent_at: patch.biometricConsentAt } : {}),
        ...(patch.finishedAt !== undefined ? { finished_at: patch.finishedAt } : {}),
        ...(patch.completedAt !== undefined ? { completed_at: patch.completedAt } : {}),
      })
      .where('id', '=', id)
      .execute();
  }

  async delete(id: string): Promise<void> {
    // Children go by ON DELETE CASCADE, in one statement, so a crash cannot leave half a session.
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  async listUnfinishedExpired(now: number, limit: number): Promise<SessionRecord[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('state', '=', 'ONGOING')
      .where('finished_at', 'is', null)
      .where('token_expires_at', '<=', now)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('checks')
            .select('checks.id')
            .whereRef('checks.session_id', '=', 'sessions.id')
            .where('checks.state', '!=', 'DONE'),
        ),
      )
      .orderBy('token_expires_at')
      .limit(limit)
      .execute();
    return rows.map(toRecord);
  }

  async listPurgeable(now: number, limit: number): Promise<SessionRecord[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('resources_expire_at', '<=', now)
      .orderBy('resources_expire_at')
      .limit(limit)
      .execute();
    return rows.map(toRecord);
  }
}
