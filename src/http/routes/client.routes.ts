import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { CaptureService } from '../../domain/capture/capture.service.js';
import { AppError, validationError } from '../../domain/errors.js';
import type { SessionRecord } from '../../domain/sessions/session.types.js';
import { parseMultipart } from '../multipart.js';
import { errorResponses, Id, Loose, SessionParams } from '../schemas/common.schema.js';

// The end-user capture API used by the web client: openidv's own (Yoti's is not public). Every route takes the
// session's client token (X-Client-Session-Token or Authorization: Bearer) and works on that one session only.

declare module 'fastify' {
  interface FastifyRequest {
    clientSession?: SessionRecord;
  }
}

const CLIENT = [{ ClientSessionToken: [] }];
const TAG = 'client capture (openidv)';

export function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers['x-client-session-token'];
  if (typeof header === 'string' && header) return header;
  const auth = request.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
}

export function deviceOf(request: FastifyRequest): Record<string, string> {
  const ua = request.headers['user-agent'] ?? '';
  const browser = /(Firefox|Edg|Chrome|Safari)\/([\d.]+)/.exec(ua);
  const os = /(Android|iPhone OS|Mac OS X|Windows NT|Linux)[ /]?([\d._]*)/.exec(ua);
  const locale = request.headers['accept-language']?.split(',')[0];
  return {
    ip_address: request.ip,
    ...(browser ? { browser_name: browser[1]!, browser_version: browser[2]! } : {}),
    ...(os ? { os_name: os[1]!, ...(os[2] ? { os_version: os[2].replace(/_/g, '.') } : {}) } : {}),
    ...(locale ? { locale } : {}),
  };
}

async function upload(request: FastifyRequest) {
  if (!Buffer.isBuffer(request.body)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'multipart/form-data is required');
  const { files, fields } = await parseMultipart(request.body, request.headers['content-type']);
  const image = files.find((f) => f.field === 'image');
  if (!image?.data.length) throw validationError([{ property: 'image', message: 'a non-empty file part is required' }]);
  return { image, frames: files.filter((f) => f.field === 'frames' && f.data.length), fields };
}

const Feedback = Loose({ face_count: Type.Integer(), usable: Type.Boolean(), issues: Type.Array(Type.String()) });
const MULTIPART = ['multipart/form-data'];

export const clientRoutes: FastifyPluginAsyncTypebox<{ capture: CaptureService }> = async (app, { capture }) => {
  // Before validation, so a stranger learns nothing about payload rules.
  app.addHook('preValidation', async (request) => {
    const { sessionId } = request.params as { sessionId: string };
    request.clientSession = await capture.authenticate(sessionId, tokenOf(request));
    if (request.bodyParseError) throw new AppError('PAYLOAD_VALIDATION', 'The request body is not valid JSON');
  });
  const session = (request: FastifyRequest) => request.clientSession!;

  app.get(
    '/client/sessions/:sessionId/configuration',
    { schema: { tags: [TAG], summary: 'What the capture page must collect, and its theme', security: CLIENT, params: SessionParams, response: { 200: Loose({}), ...errorResponses(401) } } },
    async (request) => capture.configuration(session(request), deviceOf(request)),
  );

  app.post(
    '/client/sessions/:sessionId/consent',
    { schema: { tags: [TAG], summary: 'Record biometric consent', security: CLIENT, params: SessionParams, response: { 200: Type.Object({ biometric_consent: Type.String() }), ...errorResponses(401, 403) } } },
    async (request) => capture.consent(session(request)),
  );

  app.post(
    '/client/sessions/:sessionId/challenges',
    {
      schema: {
        tags: [TAG],
        summary: 'Obtain a single-use capture challenge for the next selfie upload',
        security: CLIENT,
        params: SessionParams,
        response: { 201: Type.Object({ challenge_id: Type.String(), expires_at: Type.String() }), ...errorResponses(401) },
      },
    },
    async (request, reply) => reply.status(201).send(await capture.challenge(session(request))),
  );

  app.post(
    '/client/sessions/:sessionId/documents',
    {
      schema: {
        tags: [TAG],
        summary: 'Start an ID document capture',
        security: CLIENT,
        params: SessionParams,
        body: Type.Object({ requirement_id: Id(), document_type: Type.String({ maxLength: 64 }), issuing_country: Type.String({ pattern: '^[A-Z]{3}$' }) }),
        response: { 201: Type.Object({ id: Type.String() }), ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => reply.status(201).send(await capture.createDocument(session(request), request.body)),
  );

  app.post(
    '/client/sessions/:sessionId/documents/:resourceId/pages',
    {
      schema: {
        tags: [TAG],
        summary: 'Upload a document page (multipart: image, optional frames, capture_method CAMERA|UPLOAD)',
        security: CLIENT,
        params: Type.Object({ sessionId: Id(), resourceId: Id() }),
        consumes: MULTIPART,
        response: { 201: Type.Object({ page: Type.Integer(), media_id: Type.String() }), ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const { image, frames, fields } = await upload(request);
      const method = fields.capture_method === 'UPLOAD' ? 'UPLOAD' : 'CAMERA';
      return reply.status(201).send(await capture.uploadPage(session(request), request.params.resourceId, image, frames, method));
    },
  );

  app.post(
    '/client/sessions/:sessionId/documents/:resourceId/complete',
    {
      schema: {
        tags: [TAG],
        summary: 'Mark a document as fully captured',
        security: CLIENT,
        params: Type.Object({ sessionId: Id(), resourceId: Id() }),
        response: { 200: Type.Object({ id: Type.String(), state: Type.String() }), ...errorResponses(401, 404, 409) },
      },
    },
    async (request) => capture.completeDocument(session(request), request.params.resourceId),
  );

  app.post(
    '/client/sessions/:sessionId/liveness',
    {
      schema: {
        tags: [TAG],
        summary: 'Upload a selfie for the LIVENESS requirement (multipart: image, challenge_id); returns feedback for a retry',
        security: CLIENT,
        params: SessionParams,
        consumes: MULTIPART,
        response: {
          201: Type.Object({ resource_id: Type.String(), media_id: Type.String(), attempts_remaining: Type.Integer(), feedback: Feedback }),
          ...errorResponses(400, 401, 403, 413, 415, 422, 503),
        },
      },
    },
    async (request, reply) => {
      const { image, fields } = await upload(request);
      return reply.status(201).send(await capture.uploadLiveness(session(request), image, fields.challenge_id, fields.requirement_id));
    },
  );

  app.post(
    '/client/sessions/:sessionId/face-capture',
    {
      schema: {
        tags: [TAG],
        summary: 'Upload an end-user face capture (multipart: image)',
        security: CLIENT,
        params: SessionParams,
        consumes: MULTIPART,
        response: { 201: Type.Object({ resource_id: Type.String(), media_id: Type.String(), feedback: Feedback }), ...errorResponses(400, 401, 403, 413, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      const { image, fields } = await upload(request);
      return reply.status(201).send(await capture.uploadFaceCapture(session(request), image, fields.requirement_id));
    },
  );

  app.post(
    '/client/sessions/:sessionId/analyse',
    {
      schema: {
        tags: [TAG],
        summary: 'Live feedback on a preview frame (multipart: image); nothing is stored',
        security: CLIENT,
        params: SessionParams,
        consumes: MULTIPART,
        response: { 200: Feedback, ...errorResponses(400, 401, 403, 413, 415, 422, 503) },
      },
    },
    async (request) => capture.analyse(session(request), (await upload(request)).image),
  );

  app.post(
    '/client/sessions/:sessionId/progress',
    {
      schema: {
        tags: [TAG],
        summary: 'Report the step the user reached',
        security: CLIENT,
        params: SessionParams,
        body: Type.Object({ step: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: Type.Object({ ok: Type.Boolean() }), ...errorResponses(400, 401) },
      },
    },
    async (request) => capture.progress(session(request), request.body.step),
  );

  app.post(
    '/client/sessions/:sessionId/finish',
    {
      schema: {
        tags: [TAG],
        summary: 'Finish: the token stops working, checks start, and the page learns where to redirect',
        security: CLIENT,
        params: SessionParams,
        response: { 200: Type.Object({ complete: Type.Boolean(), redirect_url: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(401) },
      },
    },
    async (request) => capture.finish(session(request)),
  );
};
