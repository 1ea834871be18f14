import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { PoolService } from '../../domain/pools/pool.service.js';
import type { SessionService } from '../../domain/sessions/session.service.js';
import { multipartUpload } from '../multipart.js';
import { UPLOAD } from '../plugins/raw-body.js';
import { callerOf } from '../plugins/signed-auth.js';
import { errorResponses, ResourceParams, SessionParams, SIGNED } from '../schemas/common.schema.js';
import {
  CreateFaceCaptureBody,
  CreateFaceCaptureResponse,
  FaceCaptureApplicantBody,
} from '../schemas/face-capture.schema.js';

export const faceCaptureRoutes: FastifyPluginAsyncTypebox<{ sessions: SessionService; pools: PoolService }> = async (
  app,
  { sessions, pools },
) => {
  app.post(
    '/sessions/:sessionId/resources/face-capture',
    {
      schema: {
        tags: ['face capture'],
        summary: 'Create a face-capture resource for a FACE_CAPTURE requirement',
        security: SIGNED,
        params: SessionParams,
        body: CreateFaceCaptureBody,
        response: { 201: CreateFaceCaptureResponse, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await sessions.createFaceCapture(
            callerOf(request).sdkId,
            request.params.sessionId,
            request.body.requirement_id,
          ),
        ),
  );

  app.put(
    '/sessions/:sessionId/resources/face-capture/:resourceId/image',
    {
      schema: {
        tags: ['face capture'],
        summary: 'Upload the image of a face-capture resource (multipart part "binary-content")',
        description: 'The request signature covers the raw multipart bytes, boundary included.',
        security: SIGNED,
        params: ResourceParams,
        consumes: ['multipart/form-data'],
        response: { 204: Type.Null(), ...errorResponses(400, 401, 404, 409, 413, 415, 422) },
      },
      config: UPLOAD,
    },
    async (request, reply) => {
      const { file } = await multipartUpload(request.body, request.headers['content-type'], 'binary-content');
      await sessions.uploadFaceCaptureImage(
        callerOf(request).sdkId,
        request.params.sessionId,
        request.params.resourceId,
        file.data,
      );
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/sessions/:sessionId/resources/face-capture/:resourceId/applicant',
    {
      schema: {
        tags: ['face capture'],
        summary: "Use an applicant's face as the face-capture image (the FACE_COMPARISON reference)",
        security: SIGNED,
        params: ResourceParams,
        body: FaceCaptureApplicantBody,
        response: { 200: Type.Void({ description: 'No body' }), ...errorResponses(400, 401, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const appId = callerOf(request).sdkId;
      const face = await pools.archetypeFace(appId, request.body.applicant_id);
      await sessions.attachApplicantFace(
        appId,
        request.params.sessionId,
        request.params.resourceId,
        face.applicantId,
        face.id,
      );
      return reply.status(200).send();
    },
  );
};
