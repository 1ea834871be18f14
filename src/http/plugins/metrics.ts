import type { FastifyInstance } from 'fastify';
import { Histogram, type Registry } from 'prom-client';

// Route labels use the route pattern, never the raw URL, so ids and tokens cannot leak into metrics or blow up
// cardinality. The registry itself is the container's (runtime/metrics.ts): workers and the safety net count there too.
export function registerHttpMetrics(app: FastifyInstance, registry: Registry): void {
  const duration = new Histogram({
    name: 'openidv_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}
