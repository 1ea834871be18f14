import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { CaptureService, LivenessBurst } from '../../domain/capture/capture.service.js';
import { AppError, validationError } from '../../domain/errors.js';
import type { SessionRecord } from '../../domain/sessions/session.types.js';
import { multipartUpload } from '../multipart.js';
import type { Admission } from '../plugins/rate-limits.js';
import { parseJsonBody, UPLOAD } from '../plugins/raw-body.js';
import {
  CaptureConfigurationResponse,
  CaptureFeedback,
  ChallengeParams,
  ChallengeQuery,
  ChallengeResponse,
  CompleteDocumentResponse,
  ConsentResponse,
  CreateDocumentBody,
  CreateDocumentResponse,
  CreateSupplementaryDocumentBody,
  FaceCaptureUploadResponse,
  FinishResponse,
  LivenessUploadResponse,
  PageUploadResponse,
  ProgressBody,
  ProgressResponse,
  ZoomFrameResponse,
} from '../schemas/client.schema.js';
import { errorResponses, ResourceParams, SessionParams } from '../schemas/common.schema.js';

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
  const { file, files, fields } = await multipartUpload(request.body, request.headers['content-type'], 'image', [
    'frames',
  ]);
  return { image: file, frames: files.filter((f) => f.field === 'frames' && f.data.length), fields };
}

/** One image and nothing else: a supplementary document's page (nothing would read frames), a ZOOM frame. */
async function singleImage(request: FastifyRequest) {
  const { file, files, fields } = await multipartUpload(request.body, request.headers['content-type'], 'image');
  const extra = files.find((f) => f.field !== 'image');
  if (extra)
    throw validationError([
      { property: extra.field.slice(0, 64), message: 'is not a part of this upload: send one image per page' },
    ]);
  return { image: file, fields };
}

const MULTIPART = ['multipart/form-data'];

const OFFSET = /^\d{1,5}$/;

/** The fields of a liveness burst, each required and checked here (a multipart body has no schema of its own). */
function livenessBurst(
  image: { data: Buffer },
  frames: { data: Buffer }[],
  fields: Record<string, string>,
): LivenessBurst {
  const errors: { property: string; message: string }[] = [];
  const required = (name: string) => {
    const value = fields[name];
    if (!value)
      errors.push({
        property: name,
        message: 'is required: a liveness capture answers a challenge from POST …/challenges',
      });
    return value ?? '';
  };
  const challengeId = required('challenge_id');
  const nonce = required('nonce');
  const still = required('still_offset_ms');
  const offsets = (fields.frame_offsets_ms ?? '').split(',').filter(Boolean);
  if (still && !OFFSET.test(still))
    errors.push({ property: 'still_offset_ms', message: 'must be a whole number of milliseconds' });
  if (offsets.length !== frames.length || offsets.some((o) => !OFFSET.test(o))) {
    errors.push({
      property: 'frame_offsets_ms',
      message: 'must give one whole number of milliseconds per frame, comma-separated',
    });
  }
  if (errors.length) throw validationError(errors);
  return {
    image,
    frames,
    stillOffsetMs: Number(still),
    frameOffsetsMs: offsets.map(Number),
    challengeId,
    nonce,
    ...(fields.requirement_id ? { requirementId: fields.requirement_id } : {}),
  };
}

export const clientRoutes: FastifyPluginAsyncTypebox<{ capture: CaptureService; admission: Admission }> = async (
  app,
  { capture, admission },
) => {
  // The token is checked before a byte of the body is read: a stranger's upload is neither buffered nor parsed,
  // and a refusal counts against the stranger's address, not the session it names. The budget of a session is
  // keyed by its id as stored, so no spelling of the id in the path opens a fresh one.
  app.addHook('onRequest', async (request, reply) => {
    const { sessionId } = request.params as { sessionId?: string };
    try {
      request.clientSession = await capture.authenticate(sessionId ?? '', tokenOf(request));
    } catch (err) {
      if (err instanceof AppError && err.code === 'BAD_TOKEN') return admission.refuse(request, reply, err);
      throw err;
    }
    await admission.admit(request, reply, `session:${request.clientSession.id}`);
  });
  app.addHook('preValidation', async (request) => parseJsonBody(request));
  const session = (request: FastifyRequest) => request.clientSession!;

  app.get(
    '/client/sessions/:sessionId/configuration',
    {
      schema: {
        tags: [TAG],
        summary: 'What the capture page must collect, and its theme',
        security: CLIENT,
        params: SessionParams,
        response: { 200: CaptureConfigurationResponse, ...errorResponses(401) },
      },
    },
    async (request) => capture.configuration(session(request), deviceOf(request)),
  );

  app.post(
    '/client/sessions/:sessionId/consent',
    {
      schema: {
        tags: [TAG],
        summary: 'Record biometric consent',
        security: CLIENT,
        params: SessionParams,
        response: { 200: ConsentResponse, ...errorResponses(401, 403) },
      },
    },
    async (request) => capture.consent(session(request)),
  );

  app.post(
    '/client/sessions/:sessionId/challenges',
    {
      schema: {
        tags: [TAG],
        summary:
          'Obtain a single-use liveness challenge (nonce, time window, first step) for the next liveness capture',
        security: CLIENT,
        params: SessionParams,
        querystring: ChallengeQuery,
        response: { 201: ChallengeResponse, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await capture.challenge(session(request), request.query.requirement_id)),
  );

  app.post(
    '/client/sessions/:sessionId/documents',
    {
      schema: {
        tags: [TAG],
        summary: 'Start an ID document capture',
        security: CLIENT,
        params: SessionParams,
        body: CreateDocumentBody,
        response: { 201: CreateDocumentResponse, ...errorResponses(400, 401, 409) },
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
        params: ResourceParams,
        consumes: MULTIPART,
        response: { 201: PageUploadResponse, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
      config: UPLOAD,
    },
    async (request, reply) => {
      const { image, frames, fields } = await upload(request);
      const method = fields.capture_method === 'UPLOAD' ? 'UPLOAD' : 'CAMERA';
      return reply
        .status(201)
        .send(await capture.uploadPage(session(request), request.params.resourceId, image, frames, method));
    },
  );

  app.post(
    '/client/sessions/:sessionId/documents/:resourceId/complete',
    {
      schema: {
        tags: [TAG],
        summary: 'Mark a document as fully captured',
        security: CLIENT,
        params: ResourceParams,
        response: { 200: CompleteDocumentResponse, ...errorResponses(401, 404, 409) },
      },
    },
    async (request) => capture.completeDocument(session(request), request.params.resourceId),
  );

  // Proof of address (SUPPLEMENTARY_DOCUMENT requirements): images only, stored as pages; no text is read.
  app.post(
    '/client/sessions/:sessionId/supplementary-documents',
    {
      schema: {
        tags: [TAG],
        summary: 'Start a supplementary document (proof of address) capture',
        security: CLIENT,
        params: SessionParams,
        body: CreateSupplementaryDocumentBody,
        response: { 201: CreateDocumentResponse, ...errorResponses(400, 401, 409) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await capture.createSupplementaryDocument(session(request), request.body)),
  );

  app.post(
    '/client/sessions/:sessionId/supplementary-documents/:resourceId/pages',
    {
      schema: {
        tags: [TAG],
        summary:
          'Upload a page of a supplementary document (multipart: image, capture_method CAMERA|UPLOAD); at most 4 pages',
        security: CLIENT,
        params: ResourceParams,
        consumes: MULTIPART,
        response: { 201: PageUploadResponse, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
      config: UPLOAD,
    },
    async (request, reply) => {
      const { image, fields } = await singleImage(request);
      const method = fields.capture_method === 'UPLOAD' ? 'UPLOAD' : 'CAMERA';
      return reply
        .status(201)
        .send(
          await capture.uploadPage(
            session(request),
            request.params.resourceId,
            image,
            [],
            method,
            'SUPPLEMENTARY_DOCUMENT',
          ),
        );
    },
  );

  app.post(
    '/client/sessions/:sessionId/supplementary-documents/:resourceId/complete',
    {
      schema: {
        tags: [TAG],
        summary: 'Mark a supplementary document as fully captured',
        security: CLIENT,
        params: ResourceParams,
        response: { 200: CompleteDocumentResponse, ...errorResponses(401, 404, 409) },
      },
    },
    async (request) => capture.completeDocument(session(request), request.params.resourceId, 'SUPPLEMENTARY_DOCUMENT'),
  );

  app.post(
    '/client/sessions/:sessionId/liveness',
    {
      schema: {
        tags: [TAG],
        summary:
          'Upload a STATIC liveness burst answering a challenge (multipart: image, frames, challenge_id, nonce, offsets)',
        description:
          "The only way a liveness capture comes in: the live camera's burst around the shutter, bound to a challenge from POST …/challenges. " +
          "An upload without a usable challenge (unknown, used, expired, another session's, wrong nonce) is refused with 409.",
        security: CLIENT,
        params: SessionParams,
        consumes: MULTIPART,
        response: {
          201: LivenessUploadResponse,
          ...errorResponses(400, 401, 403, 409, 413, 415, 422, 503),
        },
      },
      config: UPLOAD,
    },
    async (request, reply) => {
      const { image, frames, fields } = await upload(request);
      return reply
        .status(201)
        .send(await capture.uploadLiveness(session(request), livenessBurst(image, frames, fields)));
    },
  );

  app.post(
    '/client/sessions/:sessionId/challenges/:challengeId/frames',
    {
      schema: {
        tags: [TAG],
        summary: 'Stream one camera frame of an active (ZOOM) liveness challenge (multipart: image, nonce)',
        description:
          'Frames go one at a time, in order; the server tracks the head against its secret plan and reveals the next ' +
          'step in the answer once the current one is met. When the plan is done or has failed, the server decides ' +
          'the attempt itself and answers PASSED, RETRY or FAILED. A concurrent frame of the same challenge, or an ' +
          'unusable challenge (unknown, decided, expired, wrong nonce), is refused with 409.',
        security: CLIENT,
        params: ChallengeParams,
        consumes: MULTIPART,
        response: {
          200: ZoomFrameResponse,
          ...errorResponses(400, 401, 403, 409, 413, 415, 422, 429, 503),
        },
      },
      config: UPLOAD,
    },
    async (request) => {
      const { image, fields } = await singleImage(request);
      const nonce = fields.nonce;
      if (!nonce) throw validationError([{ property: 'nonce', message: "is required: the challenge's nonce" }]);
      return capture.zoomFrame(session(request), request.params.challengeId, nonce, image);
    },
  );

  app.post(
    '/client/sessions/:sessionId/face-capture',
    {
      schema: {
        tags: [TAG],
        summary: 'Upload an end-user face capture (multipart: image, capture_method CAMERA|UPLOAD)',
        security: CLIENT,
        params: SessionParams,
        consumes: MULTIPART,
        response: { 201: FaceCaptureUploadResponse, ...errorResponses(400, 401, 403, 409, 413, 415, 422, 503) },
      },
      config: UPLOAD,
    },
    async (request, reply) => {
      const { image, fields } = await upload(request);
      return reply
        .status(201)
        .send(
          await capture.uploadFaceCapture(
            session(request),
            image,
            fields.requirement_id,
            fields.capture_method === 'UPLOAD' ? 'UPLOAD' : 'CAMERA',
          ),
        );
    },
  );

  app.post(
    '/client/sessions/:sessionId/analyse',
    {
      schema: {
        tags: [TAG],
        summary: 'Live feedback on a preview frame (multipart: image); nothing is stored',
        description: 'Limited per session, overall and per minute (429 with Retry-After).',
        security: CLIENT,
        params: SessionParams,
        consumes: MULTIPART,
        response: { 200: CaptureFeedback, ...errorResponses(400, 401, 403, 413, 415, 422, 429, 503) },
      },
      config: UPLOAD,
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
        body: ProgressBody,
        response: { 200: ProgressResponse, ...errorResponses(400, 401, 409) },
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
        description: 'Refused (409) while a SUPPLEMENTARY_DOCUMENT requirement is not met.',
        security: CLIENT,
        params: SessionParams,
        response: { 200: FinishResponse, ...errorResponses(401, 409) },
      },
    },
    async (request) => capture.finish(session(request)),
  );
};
