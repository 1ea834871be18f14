import { describe, expect, it } from 'vitest';
import { decodeMrzLines } from '../../src/domain/mrz/mrz-decoder.js';
import type { DocumentRead, DocumentReader } from '../../src/domain/ports/document-reader.port.js';
import type { SessionRecord } from '../../src/domain/sessions/session.types.js';
import { sessionResultJson } from '../../src/http/schemas/session.mapper.js';
import { sessionWorld } from '../fakes/session-world.js';
import { SPECIMEN, td3 } from '../helpers/synthetic-passport.js';

// ID_DOCUMENT_TEXT_DATA_EXTRACTION and the ID_DOCUMENT_TEXT_DATA_CHECK it makes for each document whose fields it
// extracted, as Yoti's does (so the SDK's getIdDocumentTextDataChecks() is populated), and the task's options. The
// reader is scripted with a real decoded MRZ (the OCR itself is tested in the integration tier); the task, pipeline,
// lifecycle and mapper are the real ones.

const PAGE = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);

/** A reader that reads `lines` as the MRZ of every page (or finds none). */
function readerOf(lines: string[] | null): DocumentReader & { reads: number } {
  const decoded = lines ? decodeMrzLines(lines, { today: new Date('2026-01-01') }) : null;
  if (decoded && !decoded.ok) throw new Error('the test MRZ does not decode');
  const read: DocumentRead = decoded?.ok
    ? { mrz: decoded.reading, engines: { agreed: ['test'], consulted: ['test'] }, ms: 1 }
    : {
        failure: { reason: 'DOCUMENT_NOT_SUPPORTED', detail: 'no MRZ found' },
        engines: { agreed: [], consulted: ['test'] },
        ms: 1,
      };
  const reader = {
    reads: 0,
    read: async () => {
      reader.reads++;
      return read;
    },
    cropPortrait: async () => PAGE,
    close: async () => undefined,
  };
  return reader;
}

/** A session with text extraction whose user uploaded one page of the document they chose, then finished. */
async function documentSession(
  w: ReturnType<typeof sessionWorld>,
  chosen: { type: string; country: string },
  taskConfig: Record<string, unknown> = {},
) {
  const session = await w.lifecycle.create(
    'app-1',
    w.spec({
      requested_checks: [{ type: 'ID_DOCUMENT_AUTHENTICITY' }],
      requested_tasks: [{ type: 'ID_DOCUMENT_TEXT_DATA_EXTRACTION', config: { manual_check: 'NEVER', ...taskConfig } }],
    }),
  );
  const media = await w.sessionMedia.storeImage(session, PAGE);
  await w.store.resources.create({
    id: w.newId(),
    sessionId: session.id,
    type: 'ID_DOCUMENT',
    requirementId: session.requirements[0]!.id,
    source: 'END_USER',
    data: {
      document_type: chosen.type,
      issuing_country: chosen.country,
      pages: [{ capture_method: 'UPLOAD', media_id: media.id, frames: [] }],
      complete: true,
    },
    createdAt: w.now(),
    updatedAt: w.now(),
  });
  await w.lifecycle.userFinished(session);
  return session;
}

const resultOf = async (w: ReturnType<typeof sessionWorld>, session: SessionRecord) =>
  sessionResultJson(await w.store.sessions.bundle((await w.store.sessions.getById(session.id))!), w.now());

const subChecks = (check: { report?: { breakdown: { sub_check: string; result: string }[] } }) =>
  Object.fromEntries(check.report!.breakdown.map((b) => [b.sub_check, b.result]));

describe('ID_DOCUMENT_TEXT_DATA_CHECK', () => {
  it('is made by the text extraction of a read document, lists its fields and passes the MRZ check digits one by one', async () => {
    const w = sessionWorld({ reader: readerOf(td3(SPECIMEN)) });
    const session = await documentSession(w, { type: 'PASSPORT', country: 'GBR' });
    await w.drain();
    const result = await resultOf(w, session);
    expect(result.state).toBe('COMPLETED');

    const textData = result.checks.filter((c) => c.type === 'ID_DOCUMENT_TEXT_DATA_CHECK');
    expect(textData).toHaveLength(1);
    const [check] = textData;
    const [document] = result.resources.id_documents;
    const [task] = document!.tasks;
    expect(task!.generated_checks).toEqual([{ id: check!.id, type: 'ID_DOCUMENT_TEXT_DATA_CHECK' }]);
    expect(check).toMatchObject({
      state: 'DONE',
      resources_used: [document!.id],
      generated_media: [{ id: document!.document_fields!.media.id, type: 'JSON' }],
    });
    expect(check!.report!.recommendation).toEqual({ value: 'APPROVE' });
    expect(subChecks(check!)).toEqual({
      text_data_readable: 'PASS',
      mrz_check_digit_document_number: 'PASS',
      mrz_check_digit_date_of_birth: 'PASS',
      mrz_check_digit_expiration_date: 'PASS',
      mrz_check_digit_personal_number: 'PASS',
      mrz_check_digit_composite: 'PASS',
      document_recognition: 'PASS',
    });
    // Never requested, so never echoed as a requested check with a config.
    expect(check).not.toHaveProperty('config');
  });

  it('flags a Czech passport uploaded as a British driving licence in the text data and authenticity checks', async () => {
    const w = sessionWorld({ reader: readerOf(td3({ ...SPECIMEN, issuingState: 'CZE' })) });
    const session = await documentSession(w, { type: 'DRIVING_LICENCE', country: 'GBR' });
    await w.drain();
    const result = await resultOf(w, session);
    expect(result.state).toBe('COMPLETED');
    const check = (type: string) => result.checks.find((c) => c.type === type)!;
    const expected = [
      { name: 'document_type_expected', value: 'DRIVING_LICENCE' },
      { name: 'document_type_read', value: 'PASSPORT' },
      { name: 'document_code_read', value: 'P' },
      { name: 'issuing_country_expected', value: 'GBR' },
      { name: 'issuing_country_read', value: 'CZE' },
    ];
    for (const type of ['ID_DOCUMENT_TEXT_DATA_CHECK', 'ID_DOCUMENT_AUTHENTICITY']) {
      expect(check(type).report!.recommendation, type).toEqual({
        value: 'NOT_AVAILABLE',
        reason: 'INCORRECT_DOCUMENT_TYPE',
      });
      expect(
        check(type).report!.breakdown.find((b) => b.sub_check === 'document_recognition'),
        type,
      ).toMatchObject({ result: 'FAIL', details: expected });
    }
    // The check digits themselves are fine: the document is readable, it is just not the one chosen.
    expect(subChecks(check('ID_DOCUMENT_TEXT_DATA_CHECK'))).toMatchObject({
      text_data_readable: 'PASS',
      mrz_check_digit_composite: 'PASS',
      document_recognition: 'FAIL',
    });
  });

  it('is not made when no fields were extracted; the task says why', async () => {
    const w = sessionWorld({ reader: readerOf(null) });
    const session = await documentSession(w, { type: 'PASSPORT', country: 'GBR' });
    await w.drain();
    const result = await resultOf(w, session);
    expect(result.state).toBe('COMPLETED');
    expect(result.checks.map((c) => c.type)).toEqual(['ID_DOCUMENT_AUTHENTICITY']);
    expect(result.resources.id_documents[0]!.tasks[0]).toMatchObject({
      generated_checks: [],
      recommendation: { value: 'NOT_AVAILABLE', reason: 'DOCUMENT_NOT_SUPPORTED' },
    });
  });

  it('is made once when the task runs again after a worker died before saving it', async () => {
    const w = sessionWorld({ reader: readerOf(td3(SPECIMEN)) });
    const session = await documentSession(w, { type: 'PASSPORT', country: 'GBR' });
    // The worker dies as it saves the finished task: its check is made, the task is not saved DONE.
    const saveTask = w.store.work.saveTask.bind(w.store.work);
    w.store.work.saveTask = async (task) => {
      if (task.state === 'DONE') throw new Error('worker died');
      return saveTask(task);
    };
    await expect(w.drain()).rejects.toThrow('worker died');
    expect(
      (await w.store.work.listChecks(session.id)).filter((c) => c.type === 'ID_DOCUMENT_TEXT_DATA_CHECK'),
    ).toHaveLength(1);
    w.store.work.saveTask = saveTask;
    await w.drain();
    const result = await resultOf(w, session);
    expect(result.checks.filter((c) => c.type === 'ID_DOCUMENT_TEXT_DATA_CHECK')).toHaveLength(1);
    expect(result.resources.id_documents[0]!.tasks[0]!.generated_checks).toHaveLength(1);
    expect(result.state).toBe('COMPLETED');
  });

  it('cannot be requested: the task makes it', () => {
    const w = sessionWorld();
    expect(() => w.spec({ requested_checks: [{ type: 'ID_DOCUMENT_TEXT_DATA_CHECK' }] })).toThrow(
      expect.objectContaining({
        code: 'PAYLOAD_VALIDATION',
        errors: [
          {
            property: 'requested_checks[0].type',
            message: expect.stringContaining('ID_DOCUMENT_TEXT_DATA_EXTRACTION task'),
          },
        ],
      }),
    );
  });
});

describe('ID_DOCUMENT_TEXT_DATA_EXTRACTION options', () => {
  const fieldsOf = async (w: ReturnType<typeof sessionWorld>, session: SessionRecord, id: string) =>
    JSON.parse((await w.media.get((await w.store.media.get(session.id, id))!.storageKey))!.toString('utf8'));

  it("create_expanded_document_fields: adds Yoti's expanded fields media, each field with its source and script", async () => {
    const w = sessionWorld({ reader: readerOf(td3(SPECIMEN)) });
    const session = await documentSession(
      w,
      { type: 'PASSPORT', country: 'GBR' },
      { create_expanded_document_fields: true },
    );
    await w.drain();
    const [document] = (await resultOf(w, session)).resources.id_documents;
    const expandedId = document!.expanded_document_fields!.media.id;
    expect(document!.tasks[0]!.generated_media).toContainEqual({ id: expandedId, type: 'JSON' });
    const expanded = await fieldsOf(w, session, expandedId);
    expect(expanded.fields).toEqual(
      expect.arrayContaining([
        { name: 'family_name', value: 'SAMPLE', locale: 'la', source: 'MRZ' },
        { name: 'given_names', value: 'JANE MARY', locale: 'la', source: 'MRZ' },
        { name: 'date_of_birth', value: '1990-02-14', locale: 'la', source: 'MRZ' },
        { name: 'document_number', value: SPECIMEN.documentNumber, locale: 'la', source: 'MRZ' },
        { name: 'expiration_date', value: '2033-09-17', locale: 'la', source: 'MRZ' },
        { name: 'issuing_country', value: 'GBR', locale: 'la', source: 'MRZ' },
      ]),
    );
    // Every expanded field is one of document_fields, with the same value.
    const fields = await fieldsOf(w, session, document!.document_fields!.media.id);
    for (const f of expanded.fields) expect(fields[f.name], f.name).toBe(f.value);
  });

  it('without create_expanded_document_fields, or with false, there is no expanded fields media', async () => {
    for (const config of [{}, { create_expanded_document_fields: false }]) {
      const w = sessionWorld({ reader: readerOf(td3(SPECIMEN)) });
      const session = await documentSession(w, { type: 'PASSPORT', country: 'GBR' }, config);
      await w.drain();
      const [document] = (await resultOf(w, session)).resources.id_documents;
      expect(document!.document_fields).toBeDefined();
      expect(document!.expanded_document_fields).toBeUndefined();
    }
  });

  it('chip_data: DESIRED and IGNORE are accepted and give the same result (no chip is read: the images are)', async () => {
    const runWith = async (chip: string) => {
      const w = sessionWorld({ reader: readerOf(td3(SPECIMEN)) });
      const session = await documentSession(w, { type: 'PASSPORT', country: 'GBR' }, { chip_data: chip });
      await w.drain();
      const result = await resultOf(w, session);
      const fields = await fieldsOf(w, session, result.resources.id_documents[0]!.document_fields!.media.id);
      return { state: result.state, reports: result.checks.map((c) => [c.type, c.report]), fields };
    };
    expect(await runWith('DESIRED')).toEqual(await runWith('IGNORE'));
  });
});
