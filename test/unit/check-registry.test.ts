import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { AppError } from '../../src/domain/errors.js';
import { CHECK_DEFINITIONS, CHECKS, CheckRegistry } from '../../src/domain/checks/registry.js';
import { sessionResultJson } from '../../src/http/schemas/session.mapper.js';
import { validateSessionSpec } from '../../src/domain/sessions/session-spec.validator.js';
import type { SessionRecord } from '../../src/domain/sessions/session.types.js';
import { sessionWorld } from '../fakes/session-world.js';
import { TOY_CHECKS } from '../fixtures/checks/registry.js';

const policy = loadConfig({}).sessions;
const toy = (config: Record<string, unknown> = {}) => ({ requested_checks: [{ type: 'SELFIE_PRESENT', config }] });

function refusal(f: () => unknown): { code: string; properties: string[] } {
  try {
    f();
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, properties: (err.errors ?? []).map((e) => e.property) };
    throw err;
  }
  throw new Error('not refused');
}

/** A session of the toy check whose user uploaded a selfie, with its checks started. */
async function withSelfie(w: ReturnType<typeof sessionWorld>, config: Record<string, unknown> = {}) {
  const session = await w.lifecycle.create('app-1', w.spec(toy(config)));
  const media = await w.sessionMedia.storeImage(session, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
  await w.store.resources.create({
    id: w.newId(),
    sessionId: session.id,
    type: 'LIVENESS',
    requirementId: session.requirements[0]!.id,
    source: 'END_USER',
    data: { image_media_id: media.id },
    createdAt: w.now(),
    updatedAt: w.now(),
  });
  await w.lifecycle.capturesChanged(session);
  await w.drain();
  return { session, media };
}

const result = async (w: ReturnType<typeof sessionWorld>, session: SessionRecord) =>
  sessionResultJson(await w.store.sessions.bundle((await w.store.sessions.getById(session.id))!), w.now());

describe('check registry', () => {
  it('lists each check openidv performs once, by type', () => {
    expect(CHECKS.types).toEqual([
      'ID_DOCUMENT_AUTHENTICITY',
      'ID_DOCUMENT_FACE_MATCH',
      'FACE_COMPARISON',
      'LIVENESS',
      'FAMILIAR_FACE_SEARCH',
      'ID_DOCUMENT_TEXT_DATA_CHECK',
    ]);
    expect(() => new CheckRegistry([...CHECK_DEFINITIONS, CHECK_DEFINITIONS[0]!])).toThrow('share a type');
  });

  describe('a toy check added with one definition file and one registry line', () => {
    it('is refused by the built-in registry and validated by its own config schema in the new one', () => {
      expect(refusal(() => validateSessionSpec(toy(), policy, 0))).toEqual({
        code: 'PAYLOAD_VALIDATION',
        properties: ['requested_checks[0].type'],
      });
      expect(
        validateSessionSpec(toy({ note: 'hi', manual_check: null }), policy, 0, TOY_CHECKS).requested_checks,
      ).toEqual([{ type: 'SELFIE_PRESENT', config: { note: 'hi' } }]);
      expect(refusal(() => validateSessionSpec(toy({ colour: 'red' }), policy, 0, TOY_CHECKS)).properties).toEqual([
        'requested_checks[0].config.colour',
      ]);
      expect(
        refusal(() => validateSessionSpec(toy({ note: 'x'.repeat(21) }), policy, 0, TOY_CHECKS)).properties,
      ).toEqual(['requested_checks[0].config.note']);
      const twice = { requested_checks: [{ type: 'SELFIE_PRESENT' }, { type: 'SELFIE_PRESENT' }] };
      expect(refusal(() => validateSessionSpec(twice, policy, 0, TOY_CHECKS)).properties).toEqual([
        'requested_checks[1].type',
      ]);
    });

    it('creates the capture it needs, is evaluated by the pipeline and shows in the session result', async () => {
      const w = sessionWorld({ checks: TOY_CHECKS });
      const { session, media } = await withSelfie(w);
      expect(session.requirements.map((r) => r.type)).toEqual(['LIVENESS']);
      const shown = await result(w, session);
      expect(shown.state).toBe('COMPLETED');
      expect(shown.checks).toEqual([
        expect.objectContaining({
          type: 'SELFIE_PRESENT',
          state: 'DONE',
          report: {
            recommendation: { value: 'APPROVE' },
            breakdown: [
              {
                sub_check: 'selfie_present',
                result: 'PASS',
                process: 'AUTOMATED',
                details: [{ name: 'media_id', value: media.id }],
              },
            ],
          },
        }),
      ]);
    });

    it('sends its result to a person when its own review rule says so', async () => {
      const w = sessionWorld({ checks: TOY_CHECKS });
      const { session } = await withSelfie(w, { manual_check: 'ALWAYS' });
      expect((await result(w, session)).checks[0]).toMatchObject({ state: 'CREATED' });
      const [item] = await w.reviews.queue({ appIds: null, states: ['OPEN'], limit: 10 });
      await w.reviews.decide(item!.id, 'rita', 'APPROVE', 'looked at it');
      await w.drain();
      const shown = await result(w, session);
      expect(shown.state).toBe('COMPLETED');
      expect(shown.checks[0]).toMatchObject({
        state: 'DONE',
        report: { recommendation: { value: 'APPROVE' }, breakdown: [{ process: 'EXPERT_REVIEW', result: 'PASS' }] },
      });
    });
  });
});
