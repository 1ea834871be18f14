import type { Kysely } from 'kysely';
import type { ConsoleRepositories } from '../../../../domain/ports/console-repository.port.js';
import type { Dialect } from '../../database.js';
import type { DB } from '../../db.types.js';
import { KyselyAppAdminRepository } from './app-admin.repository.js';
import { KyselyAuditRepository } from './audit.repository.js';
import { KyselyConsoleUserRepository } from './console-user.repository.js';
import { KyselyReviewRepository } from './review.repository.js';
import { KyselySessionListRepository } from './session-list.repository.js';
import { KyselySignInSessionRepository } from './sign-in-session.repository.js';

export function createConsoleRepositories(db: Kysely<DB>, dialect: Dialect): ConsoleRepositories {
  return {
    users: new KyselyConsoleUserRepository(db),
    signIns: new KyselySignInSessionRepository(db),
    reviews: new KyselyReviewRepository(db),
    audit: new KyselyAuditRepository(db),
    sessionList: new KyselySessionListRepository(db, dialect),
    appAdmin: new KyselyAppAdminRepository(db),
  };
}
