import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CaptureService } from '../../domain/capture/capture.service.js';
import type { HandoffService } from '../../domain/capture/handoff.service.js';
import { AppError } from '../../domain/errors.js';
import { parseJsonBody } from '../plugins/raw-body.js';
import type { Admission } from '../plugins/rate-limits.js';
import { errorResponses, SessionParams } from '../schemas/common.schema.js';
import {
  ClaimHandoffBody,
  ClaimHandoffResponse,
  HandoffParams,
  HandoffStatusResponse,
  HandoffWatchHeaders,
  StartHandoffResponse,
} from '../schemas/handoff.schema.js';
import { deviceOf, tokenOf } from './client.routes.js';

// Desktop-to-phone hand-off (sdk_config.allow_handoff), part of openidv's client capture API. Outside the client
// token hook of client.routes.ts: the phone has no client token yet (it trades a claim secret for one) and the
// desktop keeps following the hand-off after finishing has killed the token. See handoff.service.ts.

const TAG = 'client capture (openidv)';

export const handoffRoutes: FastifyPluginAsyncTypebox<{
  capture: CaptureService;
  handoffs: HandoffService;
  admission: Admission;
}> = async (app, { capture, handoffs, admission }) => {
  // Each route authenticates with its own secret (client token, claim or watch token). A wrong one counts against
  // the caller's address, like a bad client token, so guessing is throttled; the small claim body is parsed only
  // after that (JSON is never parsed for strangers before a check).
  const guarded = async <T>(request: FastifyRequest, reply: FastifyReply, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      if (err instanceof AppError && err.code === 'BAD_TOKEN') return admission.refuse(request, reply, err);
      throw err;
    }
  };
  app.addHook('onRequest', async (request, reply) => {
    if (admission.overBudget(request)) await admission.refuse(request, reply, new AppError('RATE_LIMITED'));
  });
  app.addHook('preValidation', async (request) => parseJsonBody(request));

  app.post(
    '/client/sessions/:sessionId/handoff',
    {
      schema: {
        tags: [TAG],
        summary: 'Create a single-use link that continues this session on a phone (replaces any unclaimed one)',
        security: [{ ClientSessionToken: [] }],
        params: SessionParams,
        response: { 201: StartHandoffResponse, ...errorResponses(401, 403, 409) },
      },
    },
    async (request, reply) => {
      const session = await guarded(request, reply, () =>
        capture.authenticate(request.params.sessionId, tokenOf(request)),
      );
      await admission.admit(request, reply, `session:${session.id}`);
      return reply.status(201).send(await handoffs.start(session));
    },
  );

  app.post(
    '/client/sessions/:sessionId/handoff/claim',
    {
      bodyLimit: 4096,
      schema: {
        tags: [TAG],
        summary: "The phone's side: trade the link's claim token, once, for the client session token",
        params: SessionParams,
        body: ClaimHandoffBody,
        response: { 200: ClaimHandoffResponse, ...errorResponses(400, 401) },
      },
    },
    async (request, reply) =>
      guarded(request, reply, () =>
        handoffs.claim(request.params.sessionId, request.body.claim_token, deviceOf(request)),
      ),
  );

  app.get(
    '/client/sessions/:sessionId/handoff/:handoffId',
    {
      schema: {
        tags: [TAG],
        summary: "The desktop's side: the hand-off's state (X-Handoff-Watch-Token header)",
        params: HandoffParams,
        headers: HandoffWatchHeaders,
        response: { 200: HandoffStatusResponse, ...errorResponses(400, 401) },
      },
    },
    async (request, reply) =>
      guarded(request, reply, () =>
        handoffs.status(request.params.sessionId, request.params.handoffId, request.headers['x-handoff-watch-token']),
      ),
  );
};
