import { Type } from '@sinclair/typebox';

// Answers of the operations routes (ops.routes.ts): /healthz, /readyz, /metrics.

export const HealthResponse = Type.Object({ status: Type.String() });
export const ReadinessResponse = Type.Object({
  status: Type.String(),
  checks: Type.Record(Type.String(), Type.String()),
});
export const MetricsResponse = {
  description: 'Prometheus text format',
  content: { 'text/plain': { schema: { type: 'string' } } },
};
