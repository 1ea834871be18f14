import { randomUUID } from 'node:crypto';
import compress from '@fastify/compress';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type RouteOptions } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config/config.js';
import { ERRORS } from '../domain/errors.js';
import type { Repositories } from '../domain/ports/repositories.port.js';
import type { PoolService } from '../domain/pools/pool.service.js';
import type { SessionService } from '../domain/sessions/session.service.js';
import type { CaptureService } from '../domain/capture/capture.service.js';
import type { HandoffService } from '../domain/capture/handoff.service.js';
import type { PageLinks } from '../domain/capture/page-link.js';
import type { AppService } from '../domain/apps/app.service.js';
import type { PoolRepository } from '../domain/ports/pool-repository.port.js';
import type { ConsoleServices } from '../domain/console/console-services.js';
import { consolePlugin } from './console/console.plugin.js';
import { applicantRoutes } from './routes/applicants.routes.js';
import { clientRoutes } from './routes/client.routes.js';
import { poolRoutes } from './routes/pools.routes.js';
import { PoolApi } from './schemas/pool.mapper.js';
import { clientErrorHandler, registerErrorHandling } from './error-handler.js';
import { openApiOptions } from './openapi.js';
import { registerApiDocs } from './plugins/api-docs.js';
import { registerHttpMetrics } from './plugins/metrics.js';
import { registerRateLimits } from './plugins/rate-limits.js';
import { registerRawBodyParsers } from './plugins/raw-body.js';
import { signedAuth } from './plugins/signed-auth.js';
import { faceCaptureRoutes } from './routes/face-capture.routes.js';
import { handoffRoutes } from './routes/handoff.routes.js';
import { mediaRoutes } from './routes/media.routes.js';
import type { ReadinessProbe } from '../shared/readiness-probe.js';
import { opsRoutes } from './routes/ops.routes.js';
import { sessionRoutes } from './routes/sessions.routes.js';
import { supportedDocumentsRoutes } from './routes/supported-documents.routes.js';
import { webRoutes } from './routes/web.routes.js';
import { registerSharedSchemas } from './schemas/shared.schema.js';
import { requestContext } from '../shared/request-context.js';

export const API_PREFIX = '/idverify/v1';

/** A request whose handler lost an error to the process safety net is answered anyway, so it does not hang. */
function answerEscapedError(reply: FastifyReply): void {
  if (reply.sent) return;
  void reply
    .header('connection', 'close')
    .status(500)
    .send({ code: 'INTERNAL_ERROR', message: ERRORS.INTERNAL_ERROR.message });
}

export interface AppDeps {
  config: Config;
  logger: Logger;
  repos: Repositories;
  sessions: SessionService;
  pools: PoolService;
  capture: CaptureService;
  handoffs: HandoffService;
  pageLinks: PageLinks;
  metrics: Registry;
  probes: ReadinessProbe[];
  now: () => number;
  /** The operator console at /console (optional: absent in API-only test setups). */
  console?: ConsoleServices;
  apps?: AppService;
  poolRepo?: PoolRepository;
  /** Sees every route as it is added (the OpenAPI test lists what is served, to compare with the document). */
  onRoute?: (route: RouteOptions) => void;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Per route: this for JSON, OPENIDV_BODY_LIMIT for the routes marked UPLOAD (plugins/raw-body.ts).
    bodyLimit: deps.config.jsonBodyLimit,
    requestTimeout: deps.config.requestTimeoutMs,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // request.ip (rate budgets of strangers, the ip_address of tracked devices) comes from X-Forwarded-For only
    // when the connection is from a configured proxy.
    trustProxy: deps.config.trustProxy.length > 0 ? [...deps.config.trustProxy] : false,
    // Long ids reach schema validation (a Yoti-shaped 400) instead of the router's bare 414.
    routerOptions: { maxParamLength: 1000 },
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      void reply.code(400).send({
        code: 'PAYLOAD_VALIDATION',
        message: error.code === 'FST_ERR_BAD_URL' ? 'The request URL is malformed' : error.message,
      });
    },
    clientErrorHandler,
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  if (deps.onRoute) app.addHook('onRoute', deps.onRoute);

  // Schemas document responses; serialising with JSON.stringify means a schema can never drop a field.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-request-id', request.id);
    return payload;
  });

  app.addHook('onRequest', (request, reply, done) =>
    requestContext.run({ requestId: request.id, answerEscapedError: () => answerEscapedError(reply) }, done),
  );
  registerRawBodyParsers(app, deps.config);
  registerErrorHandling(app);
  registerHttpMetrics(app, deps.metrics);
  // Answers (app.js, styles, JSON) are compressed for clients that ask; request bodies are never inflated, so
  // signatures and body limits keep covering the bytes as sent.
  await app.register(compress, { globalDecompression: false, encodings: ['br', 'gzip', 'deflate'] });
  registerSharedSchemas(app);
  await app.register(swagger, openApiOptions(API_PREFIX));
  const admission = await registerRateLimits(app, deps.config, deps.metrics);

  const metricsToken = deps.config.metrics.token;
  await app.register(opsRoutes, { metrics: metricsToken ? deps.metrics : null, probes: deps.probes, metricsToken });
  if (deps.config.console.enabled && deps.console && deps.apps && deps.poolRepo) {
    const { config, repos, pools, sessions, console, apps, poolRepo } = deps;
    await app.register(consolePlugin, { prefix: '/console', config, console, repos, pools, sessions, apps, poolRepo });
  }

  await app.register(
    async (api) => {
      await api.register(supportedDocumentsRoutes);
      api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
      await registerApiDocs(api, API_PREFIX);

      await api.register(clientRoutes, { capture: deps.capture, admission });
      await api.register(handoffRoutes, { capture: deps.capture, handoffs: deps.handoffs, admission });
      await api.register(webRoutes, { links: deps.pageLinks });

      await api.register(async (signed) => {
        const auth = signedAuth({
          repos: deps.repos,
          config: deps.config,
          prefix: API_PREFIX,
          now: deps.now,
          admission,
        });
        signed.addHook('onRequest', auth.onRequest);
        signed.addHook('preParsing', auth.preParsing);
        signed.addHook('preValidation', auth.preValidation);
        await signed.register(sessionRoutes, { sessions: deps.sessions });
        await signed.register(mediaRoutes, { sessions: deps.sessions });
        await signed.register(faceCaptureRoutes, { sessions: deps.sessions, pools: deps.pools });
        const poolApi = new PoolApi(deps.pools);
        await signed.register(applicantRoutes, { pools: poolApi });
        await signed.register(poolRoutes, { pools: poolApi });
      });
    },
    { prefix: API_PREFIX },
  );

  return app;
}
