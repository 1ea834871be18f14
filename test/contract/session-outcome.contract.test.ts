import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/domain/sessions/session.types.js';
import { openDatabase } from '../../src/infra/db/database.js';
import { migrate } from '../../src/infra/db/migrator.js';
import { KyselyAppRepository } from '../../src/infra/db/repositories/app.repository.js';
import { KyselySessionRepository } from '../../src/infra/db/repositories/session.repository.js';
import { checkRow, KyselyWorkRepository } from '../../src/infra/db/repositories/work.repository.js';
import { DIALECTS, postgresTestDatabase, sqliteTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { aCheck, anApp, aSession } from '../helpers/records.js';

// The session's stored outcome (migration 0007) is what the console's outcome filter reads: it must follow every
// check write, and the migration must derive it for sessions that existed before it.

const done = (value: string): Report => ({ recommendation: { value: value as 'APPROVE' }, breakdown: [] });
const outcomeOf = async (t: TestDatabase, id: string) =>
  (await t.database.db.selectFrom('sessions').select('outcome').where('id', '=', id).executeTakeFirstOrThrow()).outcome;

describe.each(DIALECTS)('stored session outcome on $name', (dialect) => {
  let t: TestDatabase;
  let available = false;

  beforeAll(async () => {
    available = await dialect.available();
    if (available) t = dialect.name === 'sqlite' ? await sqliteTestDatabase() : await postgresTestDatabase();
  });
  afterAll(async () => t?.drop());

  it('follows every check write: pending, then the worst finished recommendation', async ({ skip }) => {
    if (!available) skip();
    const app = anApp();
    await new KyselyAppRepository(t.database.db, t.database.dialect).create(app);
    const sessions = new KyselySessionRepository(t.database.db, t.database.dialect);
    const work = new KyselyWorkRepository(t.database.db, t.database.dialect);
    const s = aSession(app.sdkId);
    const [liveness, ffs] = [aCheck(s.id), aCheck(s.id, { type: 'FAMILIAR_FACE_SEARCH', createdAt: 2_001 })];
    await sessions.create(s, [liveness, ffs]);
    expect(await outcomeOf(t, s.id)).toBe('PENDING');
    await work.saveCheck({ ...liveness, state: 'DONE', report: done('APPROVE') });
    expect(await outcomeOf(t, s.id)).toBe('PENDING');
    await work.saveCheck({ ...ffs, state: 'DONE', report: done('NOT_AVAILABLE') });
    expect(await outcomeOf(t, s.id)).toBe('NOT_AVAILABLE');
    await work.saveCheck({ ...ffs, state: 'DONE', report: done('REJECT') });
    expect(await outcomeOf(t, s.id)).toBe('REJECT');
    await work.saveCheck({ ...ffs, state: 'DONE', report: done('APPROVE') });
    expect(await outcomeOf(t, s.id)).toBe('APPROVE');
    const none = aSession(app.sdkId);
    await sessions.create(none, []);
    expect(await outcomeOf(t, none.id)).toBeNull();
  });
});

describe.each(DIALECTS)('migration 0007 backfills the outcome on $name', (dialect) => {
  it('derives each existing session outcome from its checks', async ({ skip }) => {
    if (!(await dialect.available())) skip();
    const t = dialect.name === 'sqlite' ? await sqliteTestDatabase() : await postgresTestDatabase({ migrate: false });
    try {
      // SQLite test databases come migrated: start that one again from an empty file.
      const database = dialect.name === 'sqlite' ? openDatabase(`${t.url}.before-0007`) : t.database;
      await migrate(database, '0006_session_usage');
      const app = anApp();
      await new KyselyAppRepository(database.db, database.dialect).create(app);
      const cases: [string, (string | null)[]][] = [
        ['APPROVE', ['APPROVE', 'APPROVE']],
        ['REJECT', ['APPROVE', 'REJECT']],
        ['NOT_AVAILABLE', ['NOT_AVAILABLE', 'APPROVE']],
        ['PENDING', ['REJECT', null]],
        ['none', []],
      ];
      const ids: Record<string, string> = {};
      for (const [name, reports] of cases) {
        const s = aSession(app.sdkId);
        ids[name] = s.id;
        await database.db
          .insertInto('sessions')
          .values({
            id: s.id,
            app_id: s.appId,
            state: s.state,
            spec: '{}',
            requirements: '[]',
            user_tracking_id: null,
            client_token: s.clientToken,
            token_expires_at: s.tokenExpiresAt,
            resources_expire_at: s.resourcesExpireAt,
            biometric_consent_at: null,
            finished_at: null,
            completed_at: null,
            created_at: s.createdAt,
            updated_at: s.updatedAt,
          })
          .execute();
        for (const r of reports) {
          await database.db
            .insertInto('checks')
            .values(checkRow(aCheck(s.id, { state: r ? 'DONE' : 'CREATED', report: r ? done(r) : null })))
            .execute();
        }
      }
      await migrate(database);
      const read = async (id: string) =>
        (await database.db.selectFrom('sessions').select('outcome').where('id', '=', id).executeTakeFirstOrThrow())
          .outcome;
      for (const [name] of cases) expect(await read(ids[name]!)).toBe(name === 'none' ? null : name);
      if (database !== t.database) await database.close();
    } finally {
      await t.drop();
    }
  });
});
