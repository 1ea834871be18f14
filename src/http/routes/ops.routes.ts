import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Registry } from 'prom-client';

export interface ReadinessProbe {
  name: string;
  check(): Promise<void>;
}

export const opsRoutes: FastifyPluginAsyncTypebox<{ metrics: Registry; probes: ReadinessProbe[] }> = async (app, { metrics, probes }) => {
  app.get(
    '/healthz',
    { schema: { tags: ['operations'], summary: 'Liveness: the process is serving', response: { 200: Type.Object({ status: Type.String() }) } } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: the database and engines answer',
        response: { 200: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.String()) }), 503: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.String()) }) },
      },
    },
    async (_request, reply) => {
      const checks: Record<string, string> = {};
      await Promise.all(
        probes.map(async (p) => {
          try {
            await p.check();
            checks[p.name] = 'ok';
          } catch (err) {
            checks[p.name] = err instanceof Error ? err.message : 'failed';
          }
        }),
      );
      const ready = Object.values(checks).every((v) => v === 'ok');
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
    },
  );

  app.get(
    '/metrics',
    { schema: { tags: ['operations'], summary: 'Prometheus metrics', response: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
    async (_request, reply) => reply.header('content-type', metrics.contentType).send(await metrics.metrics()),
  );
};
