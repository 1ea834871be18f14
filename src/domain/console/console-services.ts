import type { AuditService } from '../audit/audit.service.js';
import type { ConsoleRepositories } from '../ports/console-repository.port.js';
import type { SingleSignOn } from '../ports/single-sign-on.port.js';
import type { ReviewService } from '../review/review.service.js';
import type { AppAdminService } from './app-admin.service.js';
import type { ConsoleUserService } from './console-user.service.js';
import type { PoolAdminService } from './pool-admin.service.js';
import type { SessionViewService } from './session-view.service.js';
import type { SignInService } from './sign-in.service.js';

/** The operator console's services (wired in runtime/console-services.ts). */
export interface ConsoleServices {
  repos: ConsoleRepositories;
  users: ConsoleUserService;
  signIns: SignInService;
  reviews: ReviewService;
  audit: AuditService;
  views: SessionViewService;
  poolAdmin: PoolAdminService;
  appAdmin: AppAdminService;
  sso: SingleSignOn | null;
}
