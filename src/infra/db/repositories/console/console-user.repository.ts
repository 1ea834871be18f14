import { type Kysely, type Selectable, sql } from 'kysely';
import type { ConsoleUser, Role } from '../../../../domain/console/console-user.types.js';
import type { ConsoleUserRepository } from '../../../../domain/ports/console-repository.port.js';
import type { ConsoleUsersTable, DB } from '../../db.types.js';

const toUser = (row: Selectable<ConsoleUsersTable>, appIds: string[]): ConsoleUser => ({
  id: row.id,
  username: row.username,
  role: row.role as Role,
  passwordHash: row.password_hash,
  oidcSubject: row.oidc_subject,
  allApps: Boolean(row.all_apps),
  appIds,
  failedAttempts: row.failed_attempts,
  lockedUntil: row.locked_until,
  mustChangePassword: Boolean(row.must_change_password),
  disabledAt: row.disabled_at,
  lastLoginAt: row.last_login_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const COLUMNS: Record<string, keyof ConsoleUsersTable> = {
  username: 'username',
  role: 'role',
  passwordHash: 'password_hash',
  oidcSubject: 'oidc_subject',
  allApps: 'all_apps',
  failedAttempts: 'failed_attempts',
  lockedUntil: 'locked_until',
  mustChangePassword: 'must_change_password',
  disabledAt: 'disabled_at',
  lastLoginAt: 'last_login_at',
};

export class KyselyConsoleUserRepository implements ConsoleUserRepository {
  constructor(private readonly db: Kysely<DB>) {}

  private async withApps(row: Selectable<ConsoleUsersTable> | undefined): Promise<ConsoleUser | null> {
    if (!row) return null;
    const apps = await this.db
      .selectFrom('console_user_apps')
      .select('app_id')
      .where('user_id', '=', row.id)
      .orderBy('app_id')
      .execute();
    return toUser(
      row,
      apps.map((a) => a.app_id),
    );
  }

  async create(user: ConsoleUser): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('console_users')
        .values({
          id: user.id,
          username: user.username,
          role: user.role,
          password_hash: user.passwordHash,
          oidc_subject: user.oidcSubject,
          all_apps: user.allApps ? 1 : 0,
          failed_attempts: user.failedAttempts,
          locked_until: user.lockedUntil,
          must_change_password: user.mustChangePassword ? 1 : 0,
          disabled_at: user.disabledAt,
          last_login_at: user.lastLoginAt,
          created_at: user.createdAt,
          updated_at: user.updatedAt,
        })
        .execute();
      if (user.appIds.length)
        await trx
          .insertInto('console_user_apps')
          .values(user.appIds.map((app_id) => ({ user_id: user.id, app_id })))
          .execute();
    });
  }

  async get(id: string): Promise<ConsoleUser | null> {
    return this.withApps(await this.db.selectFrom('console_users').selectAll().where('id', '=', id).executeTakeFirst());
  }

  async getByUsername(username: string): Promise<ConsoleUser | null> {
    return this.withApps(
      await this.db.selectFrom('console_users').selectAll().where('username', '=', username).executeTakeFirst(),
    );
  }

  async getByOidcSubject(subject: string): Promise<ConsoleUser | null> {
    return this.withApps(
      await this.db.selectFrom('console_users').selectAll().where('oidc_subject', '=', subject).executeTakeFirst(),
    );
  }

  async list(): Promise<ConsoleUser[]> {
    const rows = await this.db.selectFrom('console_users').selectAll().orderBy('username').execute();
    const grants = await this.db.selectFrom('console_user_apps').selectAll().orderBy('app_id').execute();
    return rows.map((r) =>
      toUser(
        r,
        grants.filter((g) => g.user_id === r.id).map((g) => g.app_id),
      ),
    );
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('console_users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async update(
    id: string,
    patch: Partial<Omit<ConsoleUser, 'id' | 'createdAt' | 'appIds'>>,
    at: number,
  ): Promise<void> {
    const set: Record<string, unknown> = { updated_at: at };
    for (const [key, value] of Object.entries(patch)) {
      const column = COLUMNS[key];
      if (column) set[column] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    }
    await this.db.updateTable('console_users').set(set).where('id', '=', id).execute();
  }

  async setApps(id: string, appIds: string[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('console_user_apps').where('user_id', '=', id).execute();
      const unique = [...new Set(appIds)];
      if (unique.length)
        await trx
          .insertInto('console_user_apps')
          .values(unique.map((app_id) => ({ user_id: id, app_id })))
          .execute();
    });
  }

  async addFailure(id: string, at: number): Promise<number> {
    // One statement, so concurrent guesses cannot each read the same count.
    await this.db
      .updateTable('console_users')
      .set({ failed_attempts: sql`failed_attempts + 1`, updated_at: at })
      .where('id', '=', id)
      .execute();
    const row = await this.db
      .selectFrom('console_users')
      .select('failed_attempts')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.failed_attempts ?? 0;
  }
}
