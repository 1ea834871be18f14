import { type TSchema, Type } from '@sinclair/typebox';
import { ErrorSchema } from './schemas/common.schema.js';

// What the route schemas cannot say, keyed by `METHOD <route url>`: the multipart request bodies (uploads are
// parsed by hand, because the request signature covers their raw bytes, so they have no body schema to
// validate with), and the routes served without a schema of their own (the Swagger UI's, the capture page's,
// this document's). openapi.ts applies them in @fastify/swagger's transform; test/integration/openapi.test.ts
// fails when a served route or an upload is missing from the document.

const image = (description: string) => Type.String({ format: 'binary', description });
const IMAGE = 'JPEG, PNG or WebP image (the type is read from the bytes)';

export const MULTIPART_BODIES: Record<string, TSchema> = {
  'POST /idverify/v1/client/sessions/:sessionId/documents/:resourceId/pages': Type.Object({
    image: image(IMAGE),
    frames: Type.Optional(Type.Array(image('extra frames of the same page (repeat the part)'), { maxItems: 9 })),
    capture_method: Type.Optional(Type.Union([Type.Literal('CAMERA'), Type.Literal('UPLOAD')], { default: 'CAMERA' })),
  }),
  'POST /idverify/v1/client/sessions/:sessionId/supplementary-documents/:resourceId/pages': Type.Object({
    image: image(`${IMAGE}: one page of the bill or statement (PDF is not taken)`),
    capture_method: Type.Optional(Type.Union([Type.Literal('CAMERA'), Type.Literal('UPLOAD')], { default: 'CAMERA' })),
  }),
  'POST /idverify/v1/client/sessions/:sessionId/liveness': Type.Object({
    image: image(`${IMAGE}: the full-resolution still of the burst`),
    frames: Type.Array(image('the other frames of the burst, in time order (repeat the part)'), {
      minItems: 2,
      maxItems: 7,
    }),
    challenge_id: Type.String({
      description: 'from POST …/challenges: single use, bound to this session and requirement',
    }),
    nonce: Type.String({ description: "the challenge's nonce" }),
    still_offset_ms: Type.String({ description: "milliseconds from the burst's first frame to the still" }),
    frame_offsets_ms: Type.String({
      description:
        "milliseconds from the burst's first frame to each frame, comma-separated, in the order of the frames parts",
    }),
    requirement_id: Type.Optional(Type.String({ description: 'the LIVENESS requirement (default: the first)' })),
  }),
  'POST /idverify/v1/client/sessions/:sessionId/challenges/:challengeId/frames': Type.Object({
    image: image(`${IMAGE}: one live camera frame, longest side at most the challenge's frames.max_side`),
    nonce: Type.String({ description: "the challenge's nonce" }),
  }),
  'POST /idverify/v1/client/sessions/:sessionId/face-capture': Type.Object({
    image: image(IMAGE),
    requirement_id: Type.Optional(Type.String({ description: 'the FACE_CAPTURE requirement (default: the first)' })),
    capture_method: Type.Optional(Type.Union([Type.Literal('CAMERA'), Type.Literal('UPLOAD')], { default: 'CAMERA' })),
  }),
  'POST /idverify/v1/client/sessions/:sessionId/analyse': Type.Object({
    image: image(`${IMAGE}; analysed, never stored`),
  }),
  'PUT /idverify/v1/sessions/:sessionId/resources/face-capture/:resourceId/image': Type.Object({
    'binary-content': image(`${IMAGE}, as the Yoti SDKs send it`),
  }),
};

const text = (mediaType: string, description: string) => ({
  description,
  content: { [mediaType]: { schema: { type: 'string' } } },
});
const File = Type.Object({ file: Type.String() });

/** Route schemas for routes that have none of their own (they are hidden from the document otherwise). */
export const UNSCHEMED_ROUTES: Record<string, { url?: string; schema: Record<string, unknown> }> = {
  'GET /idverify/v1/openapi.json': {
    schema: {
      tags: ['documentation'],
      summary: 'This OpenAPI document',
      response: { 200: { description: 'OpenAPI 3.1 document', type: 'object', additionalProperties: true } },
    },
  },
  'GET /idverify/v1/docs/': {
    schema: {
      tags: ['documentation'],
      summary: 'Browsable API documentation (Swagger UI; also without the trailing slash)',
      response: { 200: text('text/html', 'HTML page') },
    },
  },
  'GET /idverify/v1/docs/json': {
    schema: {
      tags: ['documentation'],
      summary: 'This OpenAPI document, as the Swagger UI loads it',
      response: { 200: { description: 'OpenAPI 3.1 document', type: 'object', additionalProperties: true } },
    },
  },
  'GET /idverify/v1/docs/yaml': {
    schema: {
      tags: ['documentation'],
      summary: 'This OpenAPI document in YAML',
      response: { 200: text('application/x-yaml', 'OpenAPI 3.1 document') },
    },
  },
  'GET /idverify/v1/docs/static/index.html': {
    schema: {
      tags: ['documentation'],
      summary: 'Redirect to the Swagger UI',
      response: { 302: { description: 'Redirect to /idverify/v1/docs/', type: 'null' } },
    },
  },
  'GET /idverify/v1/docs/static/swagger-initializer.js': {
    schema: {
      tags: ['documentation'],
      summary: 'Swagger UI start-up script',
      response: { 200: text('application/javascript', 'JavaScript') },
    },
  },
  'GET /idverify/v1/docs/static/*': {
    url: '/idverify/v1/docs/static/{file}',
    schema: {
      tags: ['documentation'],
      summary: 'Swagger UI assets (scripts, styles, icons)',
      params: File,
      response: { 200: text('application/octet-stream', 'the asset'), 404: Type.Ref(ErrorSchema) },
    },
  },
  'GET /idverify/v1/web': {
    schema: {
      tags: ['capture page'],
      summary: 'The end-user capture page: redirects to /idverify/v1/web/index.html, keeping the query',
      response: { 302: { description: 'Redirect', type: 'null' } },
    },
  },
  'GET /idverify/v1/web/': {
    schema: {
      tags: ['capture page'],
      summary: 'The end-user capture page: redirects to /idverify/v1/web/index.html, keeping the query',
      response: { 302: { description: 'Redirect', type: 'null' } },
    },
  },
  'GET /idverify/v1/web/:file': {
    schema: {
      tags: ['capture page'],
      summary:
        'The end-user capture page and its assets: index.html?sessionID=<session id>&sessionToken=<client_session_token>',
      params: File,
      response: {
        200: text('text/html', 'the page or one of its assets (script, style, icon)'),
        304: { description: 'Not modified (ETag)', type: 'null' },
        404: Type.Ref(ErrorSchema),
      },
    },
  },
};

/** `GET /path` (HEAD, which Fastify adds beside GET, is left out of the document). */
export const routeKey = (method: string | string[], url: string) =>
  `${[method]
    .flat()
    .filter((m) => m !== 'HEAD')
    .sort()
    .join(',')} ${url}`;
