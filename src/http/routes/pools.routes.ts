import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { PoolApi } from '../schemas/pool.mapper.js';
import type { PoolSettings } from '../../domain/pools/pool.types.js';
import { UPLOAD } from '../plugins/raw-body.js';
import { callerOf } from '../plugins/signed-auth.js';
import { errorResponses, SIGNED } from '../schemas/common.schema.js';
import {
  AddMemberBody,
  ApplicantListResponse,
  CreatePoolBody,
  CreatePoolResponse,
  PageQuery,
  PoolDetailSchema,
  PoolListResponse,
  PoolMemberParams,
  PoolParams,
  PoolSearchBody,
  PoolSettingsSchema,
  SearchResultSchema,
} from '../schemas/pool.schema.js';

const EXTENSION = "openidv extension (not part of Yoti's documented API)";

const settingsOf = (body: Record<string, unknown>): PoolSettings =>
  Object.fromEntries(
    ['threshold', 'target_fpir', 'top_k'].filter((k) => k in body).map((k) => [k, body[k]]),
  ) as PoolSettings;

export const poolRoutes: FastifyPluginAsyncTypebox<{ pools: PoolApi }> = async (app, { pools }) => {
  app.post(
    '/pools',
    {
      schema: {
        tags: ['pools'],
        summary: 'Create an applicant pool',
        description: 'Yoti documents `label`; `threshold`, `target_fpir` and `top_k` are openidv extensions.',
        security: SIGNED,
        body: CreatePoolBody,
        response: { 201: CreatePoolResponse, ...errorResponses(400, 401) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await pools.createPool(callerOf(request).sdkId, request.body.label, settingsOf(request.body))),
  );

  app.get(
    '/pools',
    {
      schema: {
        tags: ['pools'],
        summary: 'List pools',
        description: EXTENSION,
        security: SIGNED,
        querystring: PageQuery,
        response: { 200: PoolListResponse, ...errorResponses(400, 401) },
      },
    },
    async (request) => pools.listPools(callerOf(request).sdkId, request.query.cursor, request.query.limit),
  );

  app.get(
    '/pools/:poolId',
    {
      schema: {
        tags: ['pools'],
        summary: 'Retrieve a pool with its size and decision threshold',
        description: EXTENSION,
        security: SIGNED,
        params: PoolParams,
        response: { 200: Type.Ref(PoolDetailSchema), ...errorResponses(401, 404) },
      },
    },
    async (request) => pools.getPool(callerOf(request).sdkId, request.params.poolId),
  );

  app.patch(
    '/pools/:poolId',
    {
      schema: {
        tags: ['pools'],
        summary: 'Change the decision settings of a pool (null resets one to its default)',
        description: EXTENSION,
        security: SIGNED,
        params: PoolParams,
        body: PoolSettingsSchema,
        response: { 200: Type.Ref(PoolDetailSchema), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => pools.updatePool(callerOf(request).sdkId, request.params.poolId, settingsOf(request.body)),
  );

  app.delete(
    '/pools/:poolId',
    {
      schema: {
        tags: ['pools'],
        summary: 'Delete a pool',
        security: SIGNED,
        params: PoolParams,
        response: { 204: Type.Null(), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      await pools.deletePool(callerOf(request).sdkId, request.params.poolId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/pools/:poolId/applicants',
    {
      schema: {
        tags: ['pools'],
        summary: 'Add an applicant to a pool',
        security: SIGNED,
        params: PoolParams,
        body: AddMemberBody,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await pools.addMember(callerOf(request).sdkId, request.params.poolId, request.body.applicant_id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/pools/:poolId/applicants',
    {
      schema: {
        tags: ['pools'],
        summary: "List a pool's applicants",
        description: EXTENSION,
        security: SIGNED,
        params: PoolParams,
        querystring: PageQuery,
        response: { 200: ApplicantListResponse, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) =>
      pools.listMembers(callerOf(request).sdkId, request.params.poolId, request.query.cursor, request.query.limit),
  );

  app.delete(
    '/pools/:poolId/applicants/:applicantId',
    {
      schema: {
        tags: ['pools'],
        summary: 'Remove an applicant from a pool',
        security: SIGNED,
        params: PoolMemberParams,
        response: { 204: Type.Null(), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      await pools.removeMember(callerOf(request).sdkId, request.params.poolId, request.params.applicantId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/pools/:poolId/search',
    {
      schema: {
        tags: ['pools'],
        summary: 'Search a pool with an image: the top-k candidates and whether each passes the threshold',
        description: EXTENSION,
        security: SIGNED,
        params: PoolParams,
        body: PoolSearchBody,
        response: { 200: Type.Ref(SearchResultSchema), ...errorResponses(400, 401, 404, 413, 422, 503) },
      },
      config: UPLOAD,
    },
    async (request) =>
      pools.searchImage(callerOf(request).sdkId, request.params.poolId, request.body.image.data, request.body.top_k),
  );
};
