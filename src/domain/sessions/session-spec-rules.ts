import { type PropertyError, validationError } from '../errors.js';
import type { PoolRepository } from '../ports/pool-repository.port.js';
import type { SessionSpecRules } from './session.service.js';
import type { SessionSpec } from './session-spec.validator.js';

/**
 * The rules of a specification that need the outside world: a webhook endpoint must be one the sender will call,
 * and a familiar face search must name a pool of the same app (a foreign pool reads exactly like an unknown one).
 */
export class AdapterSpecRules implements SessionSpecRules {
  constructor(
    private readonly deps: {
      pools: Pick<PoolRepository, 'getPool'>;
      /** Why the webhook sender would refuse this endpoint, or null. */
      endpointProblem: (url: string) => string | null;
    },
  ) {}

  async check(appId: string, spec: SessionSpec): Promise<void> {
    const errors: PropertyError[] = [];
    const endpoint = spec.notifications && this.deps.endpointProblem(spec.notifications.endpoint);
    if (endpoint) errors.push({ property: 'notifications.endpoint', message: endpoint });
    for (const [i, check] of spec.requested_checks.entries()) {
      if (check.type === 'FAMILIAR_FACE_SEARCH' && !(await this.deps.pools.getPool(appId, String(check.config.pool_id)))) {
        errors.push({ property: `requested_checks[${i}].config.pool_id`, message: 'no pool with this id' });
      }
    }
    if (errors.length) throw validationError(errors);
  }
}
