import { collectDefaultMetrics, Registry } from 'prom-client';

// One registry per server instance (tests run several in one process); the HTTP layer adds its request
// histogram to it (http/plugins/metrics.ts).
export function createMetrics(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'openidv_' });
  return registry;
}
