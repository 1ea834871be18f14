import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { validationError } from '../../domain/errors.js';
import type { FaceInput } from '../../domain/pools/pool.service.js';
import type { PoolApi } from '../schemas/pool.mapper.js';
import { UPLOAD } from '../plugins/raw-body.js';
import { callerOf } from '../plugins/signed-auth.js';
import { errorResponses, SIGNED } from '../schemas/common.schema.js';
import {
  AddFaceBody,
  AddFaceResponse,
  ApplicantFaceParams,
  ApplicantFaceResponse,
  ApplicantListResponse,
  ApplicantParams,
  ApplicantSchema,
  CreateApplicantBody,
  PageQuery,
} from '../schemas/pool.schema.js';

const EXTENSION = "openidv extension (not part of Yoti's documented API)";

function faceInput(
  face: { data?: string; source?: { session_id: string; media_id: string } } | undefined,
  required: boolean,
): FaceInput | undefined {
  if (!face) {
    if (required) throw validationError([{ property: 'face', message: 'is required' }]);
    return undefined;
  }
  if (Boolean(face.data) === Boolean(face.source))
    throw validationError([{ property: 'face', message: 'give exactly one of data or source' }]);
  return face.data ? { data: face.data } : { source: face.source! };
}

export const applicantRoutes: FastifyPluginAsyncTypebox<{ pools: PoolApi }> = async (app, { pools }) => {
  app.post(
    '/applicants',
    {
      schema: {
        tags: ['applicants'],
        summary: 'Create an applicant, optionally with a face',
        security: SIGNED,
        body: CreateApplicantBody,
        response: { 201: Type.Ref(ApplicantSchema), ...errorResponses(400, 401, 404, 413, 422, 503) },
      },
      config: UPLOAD,
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await pools.createApplicant(callerOf(request).sdkId, faceInput(request.body?.face, false))),
  );

  app.get(
    '/applicants',
    {
      schema: {
        tags: ['applicants'],
        summary: 'List applicants',
        description: EXTENSION,
        security: SIGNED,
        querystring: PageQuery,
        response: { 200: ApplicantListResponse, ...errorResponses(400, 401) },
      },
    },
    async (request) => pools.listApplicants(callerOf(request).sdkId, request.query.cursor, request.query.limit),
  );

  for (const prefix of ['/applicants', '/applicant']) {
    app.get(
      `${prefix}/:applicantId`,
      {
        schema: {
          tags: ['applicants'],
          summary: 'Retrieve an applicant (both /applicant/ and /applicants/ spellings are served)',
          security: SIGNED,
          params: ApplicantParams,
          response: { 200: Type.Ref(ApplicantSchema), ...errorResponses(401, 404) },
        },
      },
      async (request) => pools.getApplicant(callerOf(request).sdkId, request.params.applicantId),
    );

    app.get(
      `${prefix}/:applicantId/faces/:faceId`,
      {
        schema: {
          tags: ['applicants'],
          summary: 'Retrieve a face image of an applicant',
          security: SIGNED,
          params: ApplicantFaceParams,
          response: { 200: ApplicantFaceResponse, ...errorResponses(401, 404) },
        },
      },
      async (request) => pools.getFace(callerOf(request).sdkId, request.params.applicantId, request.params.faceId),
    );
  }

  app.post(
    '/applicants/:applicantId/faces',
    {
      schema: {
        tags: ['applicants'],
        summary: 'Add a face to an applicant, from a base64 image or from an earlier session media',
        security: SIGNED,
        params: ApplicantParams,
        body: AddFaceBody,
        response: { 201: AddFaceResponse, ...errorResponses(400, 401, 404, 413, 422, 503) },
      },
      config: UPLOAD,
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await pools.addFace(callerOf(request).sdkId, request.params.applicantId, faceInput(request.body.face, true)!),
        ),
  );

  app.delete(
    '/applicants/:applicantId',
    {
      schema: {
        tags: ['applicants'],
        summary: 'Delete an applicant with all of its faces and pool memberships',
        security: SIGNED,
        params: ApplicantParams,
        response: { 204: Type.Null(), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      await pools.deleteApplicant(callerOf(request).sdkId, request.params.applicantId);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/applicants/:applicantId/faces/:faceId',
    {
      schema: {
        tags: ['applicants'],
        summary: 'Delete one face of an applicant',
        security: SIGNED,
        params: ApplicantFaceParams,
        response: { 204: Type.Null(), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      await pools.deleteFace(callerOf(request).sdkId, request.params.applicantId, request.params.faceId);
      return reply.status(204).send(null);
    },
  );
};
