import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { AuditService } from '../domain/audit/audit.service.js';
import { AppAdminService } from '../domain/console/app-admin.service.js';
import { ConsoleUserService } from '../domain/console/console-user.service.js';
import { PoolAdminService } from '../domain/console/pool-admin.service.js';
import { SessionViewService } from '../domain/console/session-view.service.js';
import { SignInService } from '../domain/console/sign-in.service.js';
import type { ConsoleServices } from '../domain/console/console-services.js';
import type { MediaStore } from '../domain/ports/media-store.port.js';
import type { PoolRepository } from '../domain/ports/pool-repository.port.js';
import type { Repositories } from '../domain/ports/repositories.port.js';
import type { ScoreCalibration } from '../domain/ports/score-calibration.port.js';
import type { PoolService } from '../domain/pools/pool.service.js';
import { ReviewService } from '../domain/review/review.service.js';
import { Argon2PasswordHasher } from '../infra/console/argon2-password.hasher.js';
import { OidcSingleSignOn } from '../infra/console/oidc.single-sign-on.js';
import type { Database } from '../infra/db/database.js';
import { createConsoleRepositories } from '../infra/db/repositories/console/index.js';

export function createConsoleServices(deps: {
  config: Config;
  database: Database;
  repos: Repositories;
  poolRepo: PoolRepository;
  pools: PoolService;
  media: MediaStore;
  calibration: ScoreCalibration;
  now: () => number;
  newId: () => string;
  logger: Logger;
}): ConsoleServices {
  const { config, now, newId } = deps;
  const repos = createConsoleRepositories(deps.database.db, deps.database.dialect);
  const users = new ConsoleUserService({
    users: repos.users,
    hasher: new Argon2PasswordHasher(),
    lockout: { maxFailures: config.console.maxFailures, lockoutMs: config.console.lockoutMs },
    now,
    newId,
    appExists: async (id) => Boolean(await deps.repos.apps.get(id)),
  });
  const reviews = new ReviewService({
    reviews: repos.reviews,
    policy: { fourEyesReject: config.console.fourEyesReject },
    now,
    newId,
    onListenerError: (err, item) =>
      deps.logger.error({ err, review: item.id }, 'review decision listener failed; the item stays unapplied'),
  });
  const oidc = config.console.oidc;
  return {
    repos,
    users,
    signIns: new SignInService({
      sessions: repos.signIns,
      users,
      policy: { idleMs: config.console.idleMs, absoluteMs: config.console.absoluteMs },
      now,
    }),
    reviews,
    audit: new AuditService({ audit: repos.audit, now }),
    views: new SessionViewService({
      repos: deps.repos,
      poolRepo: deps.poolRepo,
      pools: deps.pools,
      media: deps.media,
      calibration: deps.calibration,
      reviews,
    }),
    poolAdmin: new PoolAdminService({
      pools: deps.pools,
      poolRepo: deps.poolRepo,
      calibration: deps.calibration,
      media: deps.media,
      now,
    }),
    appAdmin: new AppAdminService(repos.appAdmin),
    sso: oidc
      ? new OidcSingleSignOn({
          issuer: oidc.issuer,
          clientId: oidc.clientId,
          clientSecret: oidc.clientSecret,
          name: oidc.name,
          allowHttp: oidc.allowHttp,
        })
      : null,
  };
}

export type { ConsoleServices };
