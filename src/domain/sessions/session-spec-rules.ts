import { CHECKS, type CheckRegistry } from '../checks/registry.js';
import { type PropertyError, validationError } from '../errors.js';
import type { PoolRepository } from '../ports/pool-repository.port.js';
import type { SessionSpecRules } from './session.service.js';
import type { SessionSpec } from './session-spec.validator.js';

/**
 * The rules of a specification that need the outside world: a webhook endpoint must be one the sender will call,
 * and each check's own such rules (its definition's verify(), e.g. a familiar face search names a pool of the app).
 */
export class AdapterSpecRules implements SessionSpecRules {
  constructor(
    private readonly deps: {
      pools: Pick<PoolRepository, 'getPool'>;
      /** Why the webhook sender would refuse this endpoint, or null. */
      endpointProblem: (url: string) => string | null;
      checks?: CheckRegistry;
    },
  ) {}

  async check(appId: string, spec: SessionSpec): Promise<void> {
    const errors: PropertyError[] = [];
    const endpoint = spec.notifications && this.deps.endpointProblem(spec.notifications.endpoint);
    if (endpoint) errors.push({ property: 'notifications.endpoint', message: endpoint });
    const context = {
      appId,
      poolExists: async (poolId: string) => Boolean(await this.deps.pools.getPool(appId, poolId)),
    };
    for (const [i, check] of spec.requested_checks.entries()) {
      const problem = await (this.deps.checks ?? CHECKS).get(check.type)?.verify?.(check.config, context);
      if (problem)
        errors.push({ property: `requested_checks[${i}].config.${problem.property}`, message: problem.message });
    }
    if (errors.length) throw validationError(errors);
  }
}
