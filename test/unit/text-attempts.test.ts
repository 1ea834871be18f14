import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { decodeMrzLines } from '../../src/domain/mrz/mrz-decoder.js';
import type { DocumentRead, DocumentReader } from '../../src/domain/ports/document-reader.port.js';
import { sessionConfigurationJson, sessionResultJson } from '../../src/http/schemas/session.mapper.js';
import { sessionWorld } from '../fakes/session-world.js';
import { SPECIMEN, td3 } from '../helpers/synthetic-passport.js';

// sdk_config.attempts_configuration.ID_DOCUMENT_TEXT_DATA_EXTRACTION: completing an ID document reads it; a failed
// reading with a try left in its category (GENERIC: nothing readable; RECLASSIFICATION: another document than the
// one chosen) discards the pages and asks again, and attempts_remaining counts down in the session configuration.
// The reader is scripted per page (the OCR is tested in the integration tier); the rest is the real domain.

const BLURRY = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 1]);
const PASSPORT = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 2]);
const BLURRY_TOO = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 3]);
const LICENCE = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 4]);

function scriptedReader(): DocumentReader & { reads: number } {
  const decoded = decodeMrzLines(td3(SPECIMEN), { today: new Date('2026-01-01') });
  if (!decoded.ok) throw new Error('the test MRZ does not decode');
  const reader = {
    reads: 0,
    read: async (image: Buffer): Promise<DocumentRead> => {
      reader.reads++;
      if (image.equals(PASSPORT))
        return { mrz: decoded.reading, engines: { agreed: ['test'], consulted: ['test'] }, ms: 1 };
      return {
        failure: { reason: 'PHOTO_TOO_BLURRY', detail: 'no MRZ found; image blurred' },
        engines: { agreed: [], consulted: ['test'] },
        ms: 1,
      };
    },
    cropPortrait: async () => PASSPORT,
    close: async () => undefined,
  };
  return reader;
}

const spec = (attempts?: Record<string, number>) => ({
  requested_checks: [{ type: 'ID_DOCUMENT_AUTHENTICITY' }],
  requested_tasks: [{ type: 'ID_DOCUMENT_TEXT_DATA_EXTRACTION', config: { manual_check: 'NEVER' } }],
  sdk_config: {
    allowed_capture_methods: 'CAMERA_AND_UPLOAD' as const,
    ...(attempts ? { attempts_configuration: { ID_DOCUMENT_TEXT_DATA_EXTRACTION: attempts } } : {}),
  },
});

async function started(attempts?: Record<string, number>) {
  const reader = scriptedReader();
  const w = sessionWorld({ reader });
  const { session_id } = await w.sessions.create('app-1', spec(attempts));
  const session = (await w.store.sessions.getById(session_id))!;
  const requirement = session.requirements.find((r) => r.type === 'ID_DOCUMENT')!;
  const configured = async () =>
    sessionConfigurationJson(
      session,
      await w.store.resources.list(session.id),
      w.now(),
    ).capture.required_resources.find((r) => r.type === 'ID_DOCUMENT') as {
      state: string;
      attempts_remaining: Record<string, number>;
    };
  const capture = async (type: string, page: Buffer) => {
    const { id } = await w.capture.createDocument(session, {
      requirement_id: requirement.id,
      document_type: type,
      issuing_country: 'GBR',
    });
    await w.capture.uploadPage(session, id, { data: page }, [], 'UPLOAD');
    return { id, completion: await w.capture.completeDocument(session, id) };
  };
  return { w, reader, session, capture, configured };
}

describe('attempts_configuration (ID document text extraction)', () => {
  it('asks for the document again while GENERIC tries remain, counts them down, then sends the last capture on', async () => {
    const { w, reader, session, capture, configured } = await started({ GENERIC: 2, RECLASSIFICATION: 1 });
    expect((await configured()).attempts_remaining).toEqual({ GENERIC: 2, RECLASSIFICATION: 1 });

    const first = await capture('PASSPORT', BLURRY);
    expect(first.completion).toEqual({
      id: first.id,
      state: 'RETRY',
      reading: { category: 'GENERIC', reason: 'PHOTO_TOO_BLURRY' },
      attempts_remaining: { GENERIC: 1, RECLASSIFICATION: 1 },
    });
    expect((await configured()).attempts_remaining).toEqual({ GENERIC: 1, RECLASSIFICATION: 1 });
    expect((await configured()).state).toBe('REQUIRED');
    expect((await w.store.resources.get(session.id, first.id))!.data.pages, 'the unreadable page is discarded').toEqual(
      [],
    );
    expect(
      (await w.store.media.list(session.id)).map((m) => m.sha256),
      'and erased',
    ).toEqual([]);
    expect(w.store.usageRows.get(session.id)?.get('upload_bytes'), 'its bytes no longer count as stored').toBe(0);
    expect(w.store.usageRows.get(session.id)?.get('uploads'), 'the image still counts as received').toBe(1);

    const second = await capture('PASSPORT', BLURRY_TOO);
    expect(second.id, 'taken again in the same resource, so its tries stay counted').toBe(first.id);
    expect(second.completion).toMatchObject({
      state: 'RETRY',
      attempts_remaining: { GENERIC: 0, RECLASSIFICATION: 1 },
    });
    const last = await capture('PASSPORT', BLURRY);
    expect(last.completion).toEqual({
      id: first.id,
      state: 'COMPLETED',
      reading: { category: 'GENERIC', reason: 'PHOTO_TOO_BLURRY' },
      attempts_remaining: { GENERIC: 0, RECLASSIFICATION: 1 },
    });
    expect((await configured()).state).toBe('COMPLETED');
    expect(
      await w.capture.uploadPage(session, first.id, { data: PASSPORT }, [], 'UPLOAD').catch((e: AppError) => e.code),
    ).toBe('CONFLICT');

    await w.capture.finish(session);
    await w.drain();
    const result = sessionResultJson(
      await w.store.sessions.bundle((await w.store.sessions.getById(session.id))!),
      w.now(),
    );
    expect(result.state).toBe('COMPLETED');
    expect(result.resources.id_documents).toHaveLength(1);
    expect(result.resources.id_documents[0]!.tasks[0]!.recommendation).toMatchObject({
      value: 'NOT_AVAILABLE',
      reason: 'PHOTO_TOO_BLURRY',
    });
    expect(reader.reads, 'the text extraction uses the reading made at completion').toBe(3);
    const tracked = (await w.store.devices.list(session.id)).map((e) => e.event);
    expect(tracked.filter((e) => e === 'DOCUMENT_RETRY:GENERIC')).toHaveLength(2);
  });

  it('counts RECLASSIFICATION when the document read is not the one chosen, and lets the user choose again', async () => {
    const { w, reader, session, capture, configured } = await started({ RECLASSIFICATION: 1 });
    const wrong = await capture('NATIONAL_ID', PASSPORT);
    expect(wrong.completion).toMatchObject({
      state: 'RETRY',
      reading: { category: 'RECLASSIFICATION', reason: 'INCORRECT_DOCUMENT_TYPE' },
      attempts_remaining: { RECLASSIFICATION: 0 },
    });
    const right = await capture('PASSPORT', PASSPORT);
    expect(right).toEqual({
      id: wrong.id,
      completion: {
        id: wrong.id,
        state: 'COMPLETED',
        reading: { category: null, reason: null },
        attempts_remaining: { RECLASSIFICATION: 0 },
      },
    });
    expect((await configured()).attempts_remaining).toEqual({ RECLASSIFICATION: 0 });
    await w.capture.finish(session);
    await w.drain();
    const result = sessionResultJson(
      await w.store.sessions.bundle((await w.store.sessions.getById(session.id))!),
      w.now(),
    );
    expect(result.resources.id_documents[0]).toMatchObject({ document_type: 'PASSPORT' });
    // The document checked is the one captured again: recognised (the scripted engine finds no portrait on it).
    const authenticity = result.checks.find((c) => c.type === 'ID_DOCUMENT_AUTHENTICITY')!.report!;
    expect(authenticity.breakdown.find((b) => b.sub_check === 'document_recognition')?.result).toBe('PASS');
    expect(authenticity.recommendation).toEqual({ value: 'NOT_AVAILABLE', reason: 'PARTIAL_PHOTO' });
    expect(reader.reads).toBe(2);
  });

  it('gives no GENERIC retry in a category the session does not set, nor for a document with no machine-readable zone', async () => {
    const generic = await started({ RECLASSIFICATION: 2 });
    expect((await generic.capture('PASSPORT', BLURRY)).completion).toMatchObject({
      state: 'COMPLETED',
      reading: { category: 'GENERIC' },
      attempts_remaining: { RECLASSIFICATION: 2 },
    });
    const licence = await started({ GENERIC: 3 });
    expect((await licence.capture('DRIVING_LICENCE', LICENCE)).completion).toMatchObject({
      state: 'COMPLETED',
      reading: { category: null },
      attempts_remaining: { GENERIC: 3 },
    });
  });

  it('reads nothing at completion and reports no tries without attempts_configuration', async () => {
    const { reader, capture, configured } = await started();
    expect((await capture('PASSPORT', BLURRY)).completion).toEqual({ id: expect.any(String), state: 'COMPLETED' });
    expect(reader.reads).toBe(0);
    expect((await configured()).attempts_remaining).toEqual({});
  });

  it('refuses a category it cannot tell apart, naming the field', async () => {
    const w = sessionWorld();
    const error = await w.sessions.create('app-1', spec({ GENERIC: 1, BLUR: 2 })).catch((e: AppError) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).errors).toEqual([
      {
        property: 'sdk_config.attempts_configuration.ID_DOCUMENT_TEXT_DATA_EXTRACTION.BLUR',
        message: expect.stringContaining('GENERIC, RECLASSIFICATION'),
      },
    ]);
  });
});
