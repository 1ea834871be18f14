import type { FastifyInstance } from 'fastify';
import { SessionSpecSchema } from '../../domain/sessions/session-spec.schema.js';
import { ErrorSchema } from './common.schema.js';
import { ApplicantSchema, PoolDetailSchema, SearchResultSchema } from './pool.schema.js';
import {
  CreateSessionResponseSchema,
  SessionConfigurationSchema,
  SessionResultSchema,
  TrackedDevicesSchema,
} from './session.schema.js';

/**
 * Every schema with an `$id`, registered once on the root instance: routes refer to them with `Type.Ref`, and
 * the OpenAPI document emits each under `components.schemas` (a schema added inside a route plugin would not
 * be visible to the document, which then held dangling references such as `"$ref": "Applicant"`).
 */
export const SHARED_SCHEMAS = [
  ErrorSchema,
  SessionSpecSchema,
  CreateSessionResponseSchema,
  SessionResultSchema,
  SessionConfigurationSchema,
  TrackedDevicesSchema,
  ApplicantSchema,
  PoolDetailSchema,
  SearchResultSchema,
] as const;

export function registerSharedSchemas(app: FastifyInstance): void {
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
}
