import { describe, expect, it } from 'vitest';
import { deriveRequirements } from './requirements.js';
import { TEST_SESSION_POLICY as policy } from './session-policy.test-helpers.js';
import { validateSessionSpec } from './session-spec.validator.js';

let n = 0;
const id = () => `r${++n}`;

describe('deriveRequirements', () => {
  it('asks for a selfie for familiar face search and a face capture for face comparison', () => {
    const spec = validateSessionSpec(
      {
        requested_checks: [
          { type: 'LIVENESS', config: { liveness_type: 'STATIC' } },
          { type: 'FAMILIAR_FACE_SEARCH', config: { pool_id: 'p', approval_criteria: 'MATCH' } },
          { type: 'FACE_COMPARISON' },
        ],
      },
      policy,
      0,
    );
    expect(deriveRequirements(spec, id).map((r) => r.type)).toEqual(['LIVENESS', 'FACE_CAPTURE']);
  });

  it('adds an ID document for document checks and tasks unless one is listed', () => {
    const implicit = validateSessionSpec(
      { requested_tasks: [{ type: 'ID_DOCUMENT_TEXT_DATA_EXTRACTION' }] },
      policy,
      0,
    );
    expect(deriveRequirements(implicit, id).map((r) => r.type)).toEqual(['ID_DOCUMENT']);
    const listed = validateSessionSpec(
      {
        requested_checks: [{ type: 'ID_DOCUMENT_AUTHENTICITY' }],
        required_documents: [
          {
            type: 'ID_DOCUMENT',
            filter: {
              type: 'ORTHOGONAL_RESTRICTIONS',
              country_restriction: { inclusion: 'WHITELIST', country_codes: ['GBR'] },
            },
          },
        ],
      },
      policy,
      0,
    );
    const reqs = deriveRequirements(listed, id);
    expect(reqs).toHaveLength(1);
    expect(reqs[0]!.filter?.country_restriction?.country_codes).toEqual(['GBR']);
  });
});
