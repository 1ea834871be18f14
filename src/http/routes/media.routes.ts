import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { SessionService } from '../../domain/sessions/session.service.js';
import { callerOf } from '../plugins/signed-auth.js';
import { errorResponses, MediaParams, SIGNED } from '../schemas/common.schema.js';
import { MediaContentResponse } from '../schemas/media.schema.js';

export const mediaRoutes: FastifyPluginAsyncTypebox<{ sessions: SessionService }> = async (app, { sessions }) => {
  app.get(
    '/sessions/:sessionId/media/:mediaId/content',
    {
      schema: {
        tags: ['media'],
        summary: 'Retrieve media content (raw bytes with their content type)',
        security: SIGNED,
        params: MediaParams,
        response: { 200: MediaContentResponse, ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const { contentType, data } = await sessions.mediaContent(
        callerOf(request).sdkId,
        request.params.sessionId,
        request.params.mediaId,
      );
      return reply.header('content-type', contentType).header('cache-control', 'no-store').send(data);
    },
  );

  app.delete(
    '/sessions/:sessionId/media/:mediaId/content',
    {
      schema: {
        tags: ['media'],
        summary: 'Delete media content',
        security: SIGNED,
        params: MediaParams,
        response: { 204: Type.Null(), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      await sessions.deleteMedia(callerOf(request).sdkId, request.params.sessionId, request.params.mediaId);
      return reply.status(204).send(null);
    },
  );
};
