import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { CaptureService } from '../../domain/capture/capture.service.js';
import type { HandoffService } from '../../domain/capture/handoff.service.js';
import { errorResponses, Id, SessionParams } from '../schemas/common.schema.js';
import { deviceOf, tokenOf } from './client.routes.js';

// Desktop-to-phone hand-off (sdk_config.allow_handoff), part of openidv's client capture API. Outside the client
// token hook of client.routes.ts: the phone has no client token yet (it trades a claim secret for one) and the
// desktop keeps following the hand-off after finishing has killed the token. See handoff.service.ts.

const TAG = 'client capture (openidv)';
const Secret = () => Type.String({ minLength: 1, maxLength: 128 });

export const handoffRoutes: FastifyPluginAsyncTypebox<{ capture: CaptureService; handoffs: HandoffService }> = async (app, { capture, handoffs }) => {
  app.post(
    '/client/sessions/:sessionId/handoff',
    {
      schema: {
        tags: [TAG],
        summary: 'Create a single-use link that continues this session on a phone (replaces any unclaimed one)',
        security: [{ ClientSessionToken: [] }],
        params: SessionParams,
        response: {
          201: Type.Object({ handoff_id: Type.String(), claim_token: Type.String(), watch_token: Type.String(), expires_at: Type.String() }),
          ...errorResponses(401, 403, 409),
        },
      },
    },
    async (request, reply) => {
      const session = await capture.authenticate(request.params.sessionId, tokenOf(request));
      return reply.status(201).send(await handoffs.start(session));
    },
  );

  app.post(
    '/client/sessions/:sessionId/handoff/claim',
    {
      schema: {
        tags: [TAG],
        summary: "The phone's side: trade the link's claim token, once, for the client session token",
        params: SessionParams,
        body: Type.Object({ claim_token: Secret() }),
        response: { 200: Type.Object({ client_session_token: Type.String() }), ...errorResponses(400, 401) },
      },
    },
    async (request) => handoffs.claim(request.params.sessionId, request.body.claim_token, deviceOf(request)),
  );

  app.get(
    '/client/sessions/:sessionId/handoff/:handoffId',
    {
      schema: {
        tags: [TAG],
        summary: "The desktop's side: the hand-off's state (X-Handoff-Watch-Token header)",
        params: Type.Object({ sessionId: Id(), handoffId: Id() }),
        headers: Type.Object({ 'x-handoff-watch-token': Secret() }),
        response: {
          200: Type.Object({
            state: Type.Union(['WAITING', 'CLAIMED', 'FINISHED', 'LEFT', 'EXPIRED', 'REPLACED'].map((s) => Type.Literal(s))),
            requirements_completed: Type.Integer(),
            requirements_total: Type.Integer(),
            error: Type.Optional(Type.String()),
          }),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request) => handoffs.status(request.params.sessionId, request.params.handoffId, request.headers['x-handoff-watch-token']),
  );
};
