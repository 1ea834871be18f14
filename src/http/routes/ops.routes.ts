import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { ReadinessProbe } from '../../shared/readiness-probe.js';
import { ErrorSchema } from '../schemas/common.schema.js';
import { HealthResponse, MetricsResponse, ReadinessResponse } from '../schemas/ops.schema.js';

export interface OpsOptions {
  /** Null: no /metrics here (the API port without a token: metrics reveal traffic, versions and load). */
  metrics: Registry | null;
  probes: ReadinessProbe[];
  /** When set, /metrics answers only `Authorization: Bearer <token>`. */
  metricsToken?: string | undefined;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

function bearerMatches(request: FastifyRequest, token: string): boolean {
  const header = request.headers.authorization ?? '';
  const given = /^Bearer (.+)$/.exec(header)?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(token));
}

export const opsRoutes: FastifyPluginAsyncTypebox<OpsOptions> = async (app, { metrics, probes, metricsToken }) => {
  app.get(
    '/healthz',
    {
      schema: { tags: ['operations'], summary: 'Liveness: the process is serving', response: { 200: HealthResponse } },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: the database and engines answer',
        response: { 200: ReadinessResponse, 503: ReadinessResponse },
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

  if (!metrics) return;
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics (on the API port only with OPENIDV_METRICS_TOKEN, as a bearer token)',
        response: { 200: MetricsResponse, 401: Type.Ref(ErrorSchema) },
      },
    },
    async (request, reply) => {
      if (metricsToken && !bearerMatches(request, metricsToken)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .send({ code: 'UNAUTHORIZED', message: 'This endpoint needs the metrics token' });
      }
      return reply.header('content-type', metrics.contentType).send(await metrics.metrics());
    },
  );
};
