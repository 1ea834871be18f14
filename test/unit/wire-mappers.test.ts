import { type TSchema, Type } from '@sinclair/typebox';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { ApplicantView, ImageSearch, PoolView } from '../../src/domain/pools/pool.service.js';
import {
  applicantJson,
  faceSelectionJson,
  pageJson,
  poolJson,
  poolSummaryJson,
  searchResultJson,
} from '../../src/http/schemas/pool.mapper.js';
import {
  ApplicantSchema,
  FaceSelectionSchema,
  pageOf,
  PoolDetailSchema,
  SearchResultSchema,
} from '../../src/http/schemas/pool.schema.js';
import { sessionConfigurationJson, sessionResultJson } from '../../src/http/schemas/session.mapper.js';
import { SessionConfigurationSchema, SessionResultSchema } from '../../src/http/schemas/session.schema.js';
import type { SessionBundle } from '../../src/domain/sessions/session.types.js';
import { decadeCalibration } from '../fakes/decade-calibration.js';
import { aCheck, aFace, aFaceResult, aMedia, aPool, aResource, aSession, aTask } from '../helpers/records.js';

// Each wire mapper's output against the response schema that documents it (and that the OpenAPI document
// publishes), checked as JSON Schema by Ajv (Fastify's validator: enums and formats included): a field renamed,
// retyped or dropped on one side fails here, before an SDK meets it.

const validators = new Map<TSchema, ValidateFunction>();

/** Where `value` breaks `schema` (one validator per schema: schemas embed others under the same $id). */
function violations(schema: TSchema, value: unknown): string[] {
  let validate = validators.get(schema);
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate(JSON.parse(JSON.stringify(value)))
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

function expectMatches(schema: TSchema, value: unknown) {
  expect(violations(schema, value)).toEqual([]);
}

const report = {
  recommendation: { value: 'APPROVE' as const },
  breakdown: [
    {
      sub_check: 'liveness_auth',
      result: 'PASS' as const,
      process: 'AUTOMATED' as const,
      details: [{ name: 'confidence_score', value: '0.91' }],
    },
  ],
};

/** A session that shows every part of the result: each resource kind, a done check, one in review, a task. */
function fullBundle(state: 'ONGOING' | 'AWAITING_REVIEW' | 'COMPLETED' = 'COMPLETED'): SessionBundle {
  const session = aSession('app-1', {
    state,
    biometricConsentAt: 2_500,
    requirements: [
      { id: 'r-doc', type: 'ID_DOCUMENT' },
      {
        id: 'r-supp',
        type: 'SUPPLEMENTARY_DOCUMENT',
        document_types: ['UTILITY_BILL'],
        country_codes: ['GBR'],
        objective: { type: 'PROOF_OF_ADDRESS' },
      },
      { id: 'r-live', type: 'LIVENESS', liveness_type: 'STATIC', max_retries: 1 },
      { id: 'r-face', type: 'FACE_CAPTURE' },
    ],
  });
  const [page, frame, photo, fields, selfie, reference] = [
    'page',
    'frame',
    'photo',
    'fields',
    'selfie',
    'reference',
  ].map((id) => aMedia(session, { id }));
  const doc = aResource(session.id, {
    type: 'ID_DOCUMENT',
    requirementId: 'r-doc',
    data: {
      document_type: 'PASSPORT',
      issuing_country: 'GBR',
      complete: true,
      pages: [{ capture_method: 'CAMERA', media_id: page!.id, frames: [frame!.id] }],
      document_id_photo_media_id: photo!.id,
      document_fields_media_id: fields!.id,
    },
  });
  return {
    session,
    checks: [
      aCheck(session.id, { state: 'DONE', report, resourcesUsed: ['x'] }),
      aCheck(session.id, {
        type: 'FAMILIAR_FACE_SEARCH',
        state: 'AWAITING_REVIEW',
        report,
        config: { pool_id: 'p', approval_criteria: 'NO_MATCH' },
      }),
      aCheck(session.id, { type: 'FACE_COMPARISON', config: {} }),
    ],
    tasks: [
      aTask(session.id, doc.id, {
        state: 'DONE',
        recommendation: { value: 'PROGRESS' },
        generatedMedia: [{ id: fields!.id, type: 'JSON' }],
      }),
    ],
    resources: [
      doc,
      aResource(session.id, { type: 'SUPPLEMENTARY_DOCUMENT', requirementId: 'r-supp', data: { pages: [] } }),
      aResource(session.id, {
        requirementId: 'r-live',
        data: { liveness_type: 'STATIC', image_media_id: selfie!.id, attempts: 1 },
      }),
      aResource(session.id, {
        type: 'FACE_CAPTURE',
        requirementId: 'r-face',
        source: 'RELYING_BUSINESS',
        data: { image_media_id: reference!.id },
      }),
    ],
    media: [page!, frame!, photo!, fields!, selfie!, reference!],
  };
}

describe('session wire mappers match their schemas', () => {
  it('GET /sessions/{id}: a full session, an empty one, and one waiting in review', () => {
    for (const state of ['COMPLETED', 'AWAITING_REVIEW', 'ONGOING'] as const)
      expectMatches(SessionResultSchema, sessionResultJson(fullBundle(state), 5_000));
    const empty = aSession('app-1', { requirements: [], spec: { ...aSession('x').spec, requested_checks: [] } });
    expectMatches(
      SessionResultSchema,
      sessionResultJson({ session: empty, checks: [], tasks: [], resources: [], media: [] }, 5_000),
    );
    expect(
      sessionResultJson(fullBundle('AWAITING_REVIEW'), 5_000).state,
      'the review state never reaches the wire',
    ).toBe('ONGOING');
  });

  it('GET /sessions/{id}/configuration with every requirement type', () => {
    const bundle = fullBundle('ONGOING');
    expectMatches(SessionConfigurationSchema, sessionConfigurationJson(bundle.session, bundle.resources, 5_000));
  });

  it('fails on a result that breaks its schema (the check can fail)', () => {
    const broken = { ...sessionResultJson(fullBundle(), 5_000), state: 'AWAITING_REVIEW' };
    expect(violations(SessionResultSchema, broken)).toEqual(['/state must be equal to one of the allowed values']);
    const undated = { ...sessionResultJson(fullBundle(), 5_000), biometric_consent: 'yesterday' };
    expect(violations(SessionResultSchema, undated)).toEqual(['/biometric_consent must match format "date-time"']);
  });
});

const POOL_LIST = pageOf(Type.Object({ id: Type.String(), label: Type.String(), created_at: Type.String() }));
const APPLICANT_PAGE = pageOf(ApplicantSchema);

describe('pool wire mappers match their schemas', () => {
  const pool = aPool('app-1', { settings: { top_k: 5, target_fpir: 0.01 } });
  const policy = {
    threshold: 0.61234,
    source: 'derived' as const,
    targetFpir: 0.01,
    expectedFpir: 0.0099871,
    expectedFnir: 0.0412345,
    poolSize: 3,
  };
  const face = { ...aFace('app-1', 'a-1'), key: 1 };
  const applicant: ApplicantView = {
    applicant: { id: 'a-1', appId: 'app-1', createdAt: 1_000, updatedAt: 2_000 },
    faces: [face],
    pools: [{ id: pool.id, label: pool.label }],
  };
  const selected = { face: aFaceResult(1), others: [{ x: 1, y: 2, width: 30, height: 40 }] };

  it('pool detail', () => {
    const view: PoolView = {
      pool,
      size: 3,
      policy,
      topK: 5,
      modelSetId: 'm-1',
      calibrationDataset: 'lfw-dev',
      calibration: decadeCalibration(),
    };
    expectMatches(PoolDetailSchema, poolJson(view));
    expect(poolJson(view).decision).toMatchObject({ threshold: 0.6123, expected_fpir: 0.00999, expected_fnir: 0.0412 });
  });

  it('applicants, alone, with the face used from their image, and in pages', () => {
    expectMatches(ApplicantSchema, applicantJson(applicant));
    expectMatches(ApplicantSchema, applicantJson({ ...applicant, faces: [], pools: [] }));
    expectMatches(ApplicantSchema, applicantJson(applicant, selected));
    expectMatches(
      APPLICANT_PAGE,
      pageJson({ items: [applicant], nextCursor: 'c' }, (a) => applicantJson(a)),
    );
    expectMatches(FaceSelectionSchema, faceSelectionJson(selected));
  });

  it('pool list items and search results', () => {
    expectMatches(POOL_LIST, pageJson({ items: [pool] }, poolSummaryJson));
    const search: ImageSearch = {
      pool,
      policy,
      modelSetId: 'm-1',
      candidates: [{ applicantId: 'a-1', faceId: face.id, similarity: 0.7345 }],
      selected,
    };
    expectMatches(SearchResultSchema, searchResultJson(search));
    expect(searchResultJson(search).candidates).toEqual([
      { applicant_id: 'a-1', face_id: face.id, similarity: 0.73, match: true },
    ]);
  });
});
