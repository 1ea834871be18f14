import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config/config.js';
import type { Registry } from 'prom-client';
import type { ReadinessProbe } from '../shared/readiness-probe.js';
import { opsRoutes } from './routes/ops.routes.js';
import { ErrorSchema } from './schemas/common.schema.js';

/**
 * /healthz, /readyz and /metrics on a port of their own (OPENIDV_METRICS_PORT, `--metrics-port`), so that
 * metrics need not be reachable where the API is: bind it to an internal interface or firewall it.
 */
export async function startOpsServer(
  deps: { config: Config; metrics: Registry; probes: ReadinessProbe[] },
  port: number,
): Promise<FastifyInstance> {
  const ops = Fastify({ logger: false });
  ops.addSchema(ErrorSchema);
  await ops.register(opsRoutes, {
    metrics: deps.metrics,
    probes: deps.probes,
    metricsToken: deps.config.metrics.token,
  });
  await ops.listen({ port, host: deps.config.host });
  return ops;
}
