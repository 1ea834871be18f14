import type { Kysely, Selectable } from 'kysely';
import type { AppRecord, AppRepository } from '../../../domain/ports/repositories.port.js';
import type { Dialect } from '../database.js';
import type { AppsTable, DB } from '../db.types.js';
import { rawQuery } from '../raw-query.js';

const toRecord = (row: Selectable<AppsTable>): AppRecord => ({
  sdkId: row.sdk_id,
  name: row.name,
  publicKeyPem: row.public_key_pem,
  webhookSecret: row.webhook_secret,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
  frameAncestors: row.frame_ancestors === null ? null : row.frame_ancestors.split(' ').filter(Boolean),
});

const frameColumn = (origins: string[] | null) => (origins === null ? null : origins.join(' '));

export class KyselyAppRepository implements AppRepository {
  private readonly byId;

  constructor(
    private readonly db: Kysely<DB>,
    dialect: Dialect,
  ) {
    this.byId = rawQuery<Selectable<AppsTable>>(db, dialect, 'SELECT * FROM "apps" WHERE "sdk_id" = ?');
  }

  async create(app: AppRecord): Promise<void> {
    await this.db
      .insertInto('apps')
      .values({
        sdk_id: app.sdkId,
        name: app.name,
        public_key_pem: app.publicKeyPem,
        webhook_secret: app.webhookSecret,
        created_at: app.createdAt,
        revoked_at: app.revokedAt,
        frame_ancestors: frameColumn(app.frameAncestors),
      })
      .execute();
  }

  async get(sdkId: string): Promise<AppRecord | null> {
    const [row] = await this.byId(sdkId);
    return row ? toRecord(row) : null;
  }

  async list(): Promise<AppRecord[]> {
    const rows = await this.db.selectFrom('apps').selectAll().orderBy('created_at').execute();
    return rows.map(toRecord);
  }

  async revoke(sdkId: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('apps')
      .set({ revoked_at: at })
      .where('sdk_id', '=', sdkId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async setFrameAncestors(sdkId: string, origins: string[] | null): Promise<boolean> {
    const result = await this.db
      .updateTable('apps')
      .set({ frame_ancestors: frameColumn(origins) })
      .where('sdk_id', '=', sdkId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
