import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { SessionSpecSchema } from '../../domain/sessions/session-spec.schema.js';
import type { SessionService } from '../../domain/sessions/session.service.js';
import { callerOf } from '../plugins/signed-auth.js';
import { errorResponses, SessionParams, SIGNED } from '../schemas/common.schema.js';
import { sessionConfigurationJson, sessionResultJson } from '../schemas/session.mapper.js';
import {
  CreateSessionResponseSchema,
  NotificationLogResponse,
  SessionConfigurationSchema,
  SessionResultSchema,
  TrackedDevicesSchema,
} from '../schemas/session.schema.js';

export const sessionRoutes: FastifyPluginAsyncTypebox<{ sessions: SessionService }> = async (app, { sessions }) => {
  app.post(
    '/sessions',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Create a session',
        security: SIGNED,
        body: Type.Ref(SessionSpecSchema),
        response: { 201: Type.Ref(CreateSessionResponseSchema), ...errorResponses(400, 401, 404, 413, 415) },
      },
    },
    async (request, reply) => reply.status(201).send(await sessions.create(callerOf(request).sdkId, request.body)),
  );

  app.get(
    '/sessions/:sessionId',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Retrieve a session result',
        security: SIGNED,
        params: SessionParams,
        response: { 200: Type.Ref(SessionResultSchema), ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const { bundle, at } = await sessions.result(callerOf(request).sdkId, request.params.sessionId);
      return sessionResultJson(bundle, at);
    },
  );

  app.delete(
    '/sessions/:sessionId',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Delete a session and erase all of its media and derived data',
        security: SIGNED,
        params: SessionParams,
        response: { 204: Type.Null(), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      await sessions.delete(callerOf(request).sdkId, request.params.sessionId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/sessions/:sessionId/configuration',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Retrieve the capture configuration of a session',
        security: SIGNED,
        params: SessionParams,
        response: { 200: Type.Ref(SessionConfigurationSchema), ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const { session, resources, at } = await sessions.configuration(
        callerOf(request).sdkId,
        request.params.sessionId,
      );
      return sessionConfigurationJson(session, resources, at);
    },
  );

  app.get(
    '/sessions/:sessionId/notifications',
    {
      schema: {
        tags: ['sessions'],
        summary: 'The webhook delivery log of a session',
        description: "openidv extension (not part of Yoti's documented API)",
        security: SIGNED,
        params: SessionParams,
        response: { 200: NotificationLogResponse, ...errorResponses(401, 404) },
      },
    },
    async (request) => sessions.notifications(callerOf(request).sdkId, request.params.sessionId),
  );

  app.get(
    '/sessions/:sessionId/tracked-devices',
    {
      schema: {
        tags: ['sessions'],
        summary: 'List the device events of a session',
        security: SIGNED,
        params: SessionParams,
        response: { 200: Type.Ref(TrackedDevicesSchema), ...errorResponses(401, 404) },
      },
    },
    async (request) => sessions.trackedDevices(callerOf(request).sdkId, request.params.sessionId),
  );

  app.delete(
    '/sessions/:sessionId/tracked-devices',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Delete the device events of a session',
        security: SIGNED,
        params: SessionParams,
        response: { 204: Type.Null(), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      await sessions.deleteTrackedDevices(callerOf(request).sdkId, request.params.sessionId);
      return reply.status(204).send(null);
    },
  );
};
