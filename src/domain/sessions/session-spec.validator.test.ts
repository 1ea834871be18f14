import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { TEST_SESSION_POLICY as policy } from './session-policy.test-helpers.js';
import { validateSessionSpec } from './session-spec.validator.js';

const now = Date.parse('2026-01-01T00:00:00Z');

function errorsOf(fn: () => unknown): { code: string; properties: string[] } {
  try {
    fn();
  } catch (err) {
    const e = err as AppError;
    return { code: e.code, properties: (e.errors ?? []).map((x) => x.property) };
  }
  throw new Error('expected a validation error');
}

describe('validateSessionSpec', () => {
  it('applies defaults: 900 s token, one week of resources, camera only, liveness max_retries 1', () => {
    const spec = validateSessionSpec(
      { requested_checks: [{ type: 'LIVENESS', config: { liveness_type: 'STATIC' } }] },
      policy,
      now,
    );
    expect(spec.client_session_token_ttl).toBe(900);
    expect(spec.resources_ttl).toBe(7 * 86400);
    expect(spec.sdk_config.allowed_capture_methods).toBe('CAMERA');
    expect(spec.requested_checks[0]!.config.max_retries).toBe(1);
  });

  it('enforces the token lifetime bounds and the resources margin', () => {
    expect(errorsOf(() => validateSessionSpec({ client_session_token_ttl: 299 }, policy, now)).properties).toEqual([
      'client_session_token_ttl',
    ]);
    expect(
      errorsOf(() => validateSessionSpec({ client_session_token_ttl: 600, resources_ttl: 600 + 86399 }, policy, now))
        .properties,
    ).toEqual(['resources_ttl']);
    expect(
      validateSessionSpec({ client_session_token_ttl: 600, resources_ttl: 600 + 86400 }, policy, now).resources_ttl,
    ).toBe(87000);
    expect(
      errorsOf(() => validateSessionSpec({ client_session_token_ttl: 31 * 86400 }, policy, now)).properties,
    ).toEqual(['client_session_token_ttl']);
  });

  it('turns a session deadline into a token lifetime, and refuses both at once', () => {
    const spec = validateSessionSpec({ session_deadline: '2026-01-01T01:00:00Z' }, policy, now);
    expect(spec.client_session_token_ttl).toBe(3600);
    expect(
      errorsOf(() =>
        validateSessionSpec({ session_deadline: '2026-01-01T01:00:00Z', client_session_token_ttl: 600 }, policy, now),
      ).properties,
    ).toContain('session_deadline');
  });

  it('validates each check config by type with precise paths', () => {
    const result = errorsOf(() =>
      validateSessionSpec(
        {
          requested_checks: [
            { type: 'LIVENESS', config: { liveness_type: 'STATIC', max_retries: 0 } },
            { type: 'FAMILIAR_FACE_SEARCH', config: { pool_id: 'p', approval_criteria: 'MAYBE' } },
          ],
        },
        policy,
        now,
      ),
    );
    expect(result.code).toBe('PAYLOAD_VALIDATION');
    expect(result.properties).toEqual([
      'requested_checks[0].config.max_retries',
      'requested_checks[1].config.approval_criteria',
    ]);
  });

  it('refuses checks and tasks openidv does not perform, naming them', () => {
    const result = errorsOf(() =>
      validateSessionSpec(
        {
          requested_checks: [{ type: 'WATCHLIST_SCREENING' }],
          requested_tasks: [{ type: 'SUPPLEMENTARY_DOCUMENT_TEXT_DATA_EXTRACTION' }],
        },
        policy,
        now,
      ),
    );
    expect(result).toEqual({
      code: 'UNSUPPORTED_CHECK',
      properties: ['requested_checks[0].type', 'requested_tasks[0].type'],
    });
  });

  it('refuses FACE_COMPARISON when no check of the session takes the selfie it compares', () => {
    const alone = errorsOf(() => validateSessionSpec({ requested_checks: [{ type: 'FACE_COMPARISON' }] }, policy, now));
    expect(alone).toEqual({ code: 'PAYLOAD_VALIDATION', properties: ['requested_checks[0].type'] });
    const withAuthenticity = errorsOf(() =>
      validateSessionSpec(
        { requested_checks: [{ type: 'ID_DOCUMENT_AUTHENTICITY' }, { type: 'FACE_COMPARISON' }] },
        policy,
        now,
      ),
    );
    expect(withAuthenticity.properties).toEqual(['requested_checks[1].type']);
    const liveness = { type: 'LIVENESS', config: { liveness_type: 'STATIC' } };
    for (const partner of [
      liveness,
      { type: 'ID_DOCUMENT_FACE_MATCH' },
      { type: 'FAMILIAR_FACE_SEARCH', config: { pool_id: 'p', approval_criteria: 'MATCH' } },
    ]) {
      expect(
        validateSessionSpec({ requested_checks: [{ type: 'FACE_COMPARISON' }, partner] }, policy, now).requested_checks,
      ).toHaveLength(2);
    }
    // A LIVENESS refused for its own settings is reported alone, not also as missing.
    const badLiveness = errorsOf(() =>
      validateSessionSpec(
        {
          requested_checks: [
            { type: 'FACE_COMPARISON' },
            { type: 'LIVENESS', config: { liveness_type: 'STATIC', max_retries: 0 } },
          ],
        },
        policy,
        now,
      ),
    );
    expect(badLiveness.properties).toEqual(['requested_checks[1].config.max_retries']);
  });

  it('allows familiar face search against several pools but not the same pool twice', () => {
    const ffs = (pool: string) => ({
      type: 'FAMILIAR_FACE_SEARCH',
      config: { pool_id: pool, approval_criteria: 'NO_MATCH' },
    });
    expect(validateSessionSpec({ requested_checks: [ffs('a'), ffs('b')] }, policy, now).requested_checks).toHaveLength(
      2,
    );
    expect(
      errorsOf(() => validateSessionSpec({ requested_checks: [ffs('a'), ffs('a')] }, policy, now)).properties,
    ).toEqual(['requested_checks[1].type']);
  });
});

describe('validateSessionSpec: check and task configs', () => {
  const deep = (depth: number) => {
    let v: unknown = 'x';
    for (let i = 0; i < depth; i++) v = { a: v };
    return v;
  };

  it('refuses keys a check or task does not have, by name, without walking their values', () => {
    const result = errorsOf(() =>
      validateSessionSpec(
        {
          requested_checks: [
            {
              type: 'LIVENESS',
              config: { liveness_type: 'STATIC', state: 'DONE', report: { recommendation: { value: 'APPROVE' } } },
            },
            { type: 'FACE_COMPARISON', config: { manual_check: 'NEVER', junk: deep(100_000) } },
            {
              type: 'ID_DOCUMENT_FACE_MATCH',
              config: JSON.parse('{"constructor":{"prototype":{"admin":true}},"__proto__":{"x":1}}'),
            },
          ],
          requested_tasks: [
            {
              type: 'ID_DOCUMENT_TEXT_DATA_EXTRACTION',
              config: { manual_check: 'NEVER', big: 'x'.repeat(10_000_000) },
            },
          ],
        },
        policy,
        now,
      ),
    );
    expect(result.code).toBe('PAYLOAD_VALIDATION');
    expect(result.properties).toEqual([
      'requested_checks[0].config.state',
      'requested_checks[0].config.report',
      'requested_checks[1].config.junk',
      'requested_checks[2].config.constructor',
      'requested_checks[2].config.__proto__',
      'requested_tasks[0].config.big',
    ]);
  });

  it('refuses a deep value under a known key as a wrong type', () => {
    const result = errorsOf(() =>
      validateSessionSpec(
        { requested_checks: [{ type: 'ID_DOCUMENT_FACE_MATCH', config: { manual_check: deep(100_000) } }] },
        policy,
        now,
      ),
    );
    expect(result.properties).toEqual(['requested_checks[0].config.manual_check']);
  });

  it('accepts every key the official SDKs send, storing the ones it uses', () => {
    const spec = validateSessionSpec(
      {
        requested_checks: [
          { type: 'LIVENESS', config: { liveness_type: 'STATIC', max_retries: 3, manual_check: 'NEVER' } },
          {
            type: 'ID_DOCUMENT_AUTHENTICITY',
            config: {
              manual_check: 'FALLBACK',
              issuing_authority_sub_check: { requested: false, filter: { type: 'ORTHOGONAL_RESTRICTIONS' } },
            },
          },
          { type: 'ID_DOCUMENT_FACE_MATCH', config: { manual_check: 'FALLBACK' } },
          { type: 'FACE_COMPARISON', config: { manual_check: null } },
        ],
        requested_tasks: [
          {
            type: 'ID_DOCUMENT_TEXT_DATA_EXTRACTION',
            config: { manual_check: 'ALWAYS', chip_data: 'DESIRED', create_expanded_document_fields: true },
          },
        ],
      } as never,
      policy,
      now,
    );
    expect(spec.requested_checks.map((c) => c.config)).toEqual([
      { liveness_type: 'STATIC', max_retries: 3, manual_check: 'NEVER' },
      { manual_check: 'FALLBACK' },
      { manual_check: 'FALLBACK' },
      {},
    ]);
    expect(spec.requested_tasks[0]!.config).toEqual({
      manual_check: 'ALWAYS',
      chip_data: 'DESIRED',
      create_expanded_document_fields: true,
    });
  });

  it('refuses an issuing authority sub-check that is requested: openidv cannot make it', () => {
    const refused = () =>
      validateSessionSpec(
        {
          requested_checks: [
            { type: 'ID_DOCUMENT_AUTHENTICITY', config: { issuing_authority_sub_check: { requested: true } } },
          ],
        } as never,
        policy,
        now,
      );
    expect(refused).toThrow(AppError);
    try {
      refused();
    } catch (err) {
      expect((err as AppError).code).toBe('UNSUPPORTED_CHECK');
      expect((err as AppError).errors?.map((e) => e.property)).toEqual([
        'requested_checks[0].config.issuing_authority_sub_check.requested',
      ]);
    }
  });

  it('stores no unknown key of sdk_config, notifications or required_documents', () => {
    const spec = validateSessionSpec(
      {
        sdk_config: { primary_colour: '#2d9fff', junk: deep(100_000) },
        notifications: { endpoint: 'https://rp.example/hook', extra: 'x'.repeat(1000) },
        required_documents: [
          {
            type: 'ID_DOCUMENT',
            filter: {
              type: 'DOCUMENT_RESTRICTIONS',
              inclusion: 'WHITELIST',
              documents: [{ document_types: ['PASSPORT'], more: deep(10) }],
              extra: 1,
            },
          },
        ],
      } as never,
      policy,
      now,
    );
    expect(JSON.stringify(spec)).not.toMatch(/junk|extra|more/);
    expect(spec.sdk_config.primary_colour).toBe('#2d9fff');
    expect(spec.required_documents[0]!.filter?.documents?.[0]?.document_types).toEqual(['PASSPORT']);
  });
});
