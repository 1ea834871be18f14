import { Type } from '@sinclair/typebox';
import { Id, Loose } from './common.schema.js';

// Requests and answers of the end-user capture API (client.routes.ts). The multipart upload bodies are
// described in openapi-extras.ts: they are parsed by hand, not validated by a schema.

export const CaptureFeedback = Loose({
  face_count: Type.Integer(),
  usable: Type.Boolean(),
  issues: Type.Array(Type.String()),
});

export const CaptureConfigurationResponse = Loose({});
export const ConsentResponse = Type.Object({ biometric_consent: Type.String() });
export const ChallengeQuery = Type.Object({ requirement_id: Type.Optional(Id()) });
export const ChallengeStepJson = Type.Object({
  index: Type.Integer(),
  kind: Type.String({ description: 'BURST: a short burst of live frames around the shutter (STATIC)' }),
  frames: Type.Integer({ description: 'frames to take, the full-resolution still included' }),
  span_ms: Type.Integer({ description: 'the time the frames should span' }),
  min_frames: Type.Integer(),
  max_frames: Type.Integer(),
});
const ZOOM_STEPS = 'CENTER, TURN_LEFT (the user turns to their left), TURN_RIGHT, TURN_UP (chin up) or NEAR (closer)';
export const ZoomStepJson = Type.Object({
  index: Type.Integer(),
  kind: Type.String({ description: `ZOOM: ${ZOOM_STEPS}; only the current step is ever revealed` }),
  timeout_ms: Type.Integer({ description: 'the step fails the attempt when not met within this long of its reveal' }),
});
export const ChallengeResponse = Type.Object({
  challenge_id: Type.String(),
  nonce: Type.String({ description: 'echo it with the capture; single use' }),
  requirement_id: Type.String(),
  liveness_type: Type.Union([Type.Literal('STATIC'), Type.Literal('ZOOM')]),
  expires_at: Type.String(),
  steps_total: Type.Integer(),
  step: Type.Union([ChallengeStepJson, ZoomStepJson]),
  frames: Type.Optional(
    Type.Object(
      {
        max_side: Type.Integer({ description: 'longest side of a streamed frame, px' }),
        interval_ms: Type.Integer({ description: "pause after a frame's answer before the next send" }),
        max_frames: Type.Integer({ description: 'the challenge is decided as it stands after this many frames' }),
      },
      { description: 'ZOOM: how to stream frames to POST …/challenges/{id}/frames' },
    ),
  ),
});
export const ChallengeParams = Type.Object({ sessionId: Id(), challengeId: Id() });
export const ZoomFrameResponse = Type.Object({
  frame_index: Type.Integer(),
  state: Type.Union(
    [Type.Literal('IN_PROGRESS'), Type.Literal('PASSED'), Type.Literal('RETRY'), Type.Literal('FAILED')],
    {
      description:
        'IN_PROGRESS: send the next frame. PASSED: the attempt is accepted. RETRY: it failed and an attempt remains ' +
        '(start a new challenge). FAILED: it failed and none remains.',
    },
  ),
  steps_met: Type.Integer(),
  steps_total: Type.Integer(),
  step: ZoomStepJson,
  step_met: Type.Boolean({ description: 'this frame completed a step (the next one is now in `step`)' }),
  face: Type.Union([Type.Literal('OK'), Type.Literal('NO_FACE'), Type.Literal('SEVERAL_FACES')]),
  reason: Type.Optional(
    Type.Union(
      ['STEP_LATE', 'WRONG_MOVE', 'TOO_EARLY', 'EXPIRED', 'NOT_CONFIRMED'].map((r) => Type.Literal(r)),
      { description: 'why a RETRY or FAILED attempt failed; the anti-spoofing tests all read NOT_CONFIRMED' },
    ),
  ),
  attempts_remaining: Type.Optional(Type.Integer()),
});
export const CreateDocumentBody = Type.Object({
  requirement_id: Id(),
  document_type: Type.String({ maxLength: 64 }),
  issuing_country: Type.String({ pattern: '^[A-Z]{3}$' }),
});
export const CreateSupplementaryDocumentBody = Type.Object({
  requirement_id: Id(),
  document_type: Type.String({
    maxLength: 64,
    description: "One of the requirement's document_types (UTILITY_BILL, BANK_STATEMENT, COUNCIL_TAX_BILL, PHONE_BILL)",
  }),
  issuing_country: Type.Optional(
    Type.String({ pattern: '^[A-Z]{3}$', description: 'Required when the requirement lists country_codes' }),
  ),
});
export const CreateDocumentResponse = Type.Object({ id: Type.String() });
export const PageUploadResponse = Type.Object({ page: Type.Integer(), media_id: Type.String() });
export const CompleteDocumentResponse = Type.Object({
  id: Type.String(),
  state: Type.Union([Type.Literal('COMPLETED'), Type.Literal('RETRY')], {
    description:
      'RETRY: the reading failed with a try left (attempts_configuration); the pages were discarded, capture the document again',
  }),
  reading: Type.Optional(
    Type.Object(
      {
        category: Type.Union([Type.Literal('GENERIC'), Type.Literal('RECLASSIFICATION'), Type.Null()]),
        reason: Type.Union([Type.String(), Type.Null()]),
      },
      { description: 'How reading the ID document went, where the session sets attempts_configuration (null: read)' },
    ),
  ),
  attempts_remaining: Type.Optional(
    Type.Record(Type.String(), Type.Integer(), { description: 'Tries left per configured category' }),
  ),
});
export const LivenessUploadResponse = Type.Object({
  resource_id: Type.String(),
  media_id: Type.String(),
  attempts_remaining: Type.Integer(),
  feedback: CaptureFeedback,
});
export const FaceCaptureUploadResponse = Type.Object({
  resource_id: Type.String(),
  media_id: Type.String(),
  feedback: CaptureFeedback,
});
export const ProgressBody = Type.Object({ step: Type.String({ minLength: 1, maxLength: 64 }) });
export const ProgressResponse = Type.Object({ ok: Type.Boolean() });
export const FinishResponse = Type.Object({
  complete: Type.Boolean(),
  redirect_url: Type.Union([Type.String(), Type.Null()]),
});
