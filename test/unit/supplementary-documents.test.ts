import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { sessionConfigurationJson, sessionResultJson } from '../../src/http/schemas/session.mapper.js';
import { sessionWorld } from '../fakes/session-world.js';

// SUPPLEMENTARY_DOCUMENT requirements (proof of address) on fakes of every port: the capture API takes only the
// types and countries the requirement allows, stores the pages as a supplementary document resource, and the
// session neither finishes nor completes while a required one is missing.

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
const page = (n: number) => ({ data: Buffer.concat([PNG, Buffer.from([n])]) });

const SPEC = {
  required_documents: [
    {
      type: 'SUPPLEMENTARY_DOCUMENT' as const,
      objective: { type: 'PROOF_OF_ADDRESS' as const },
      document_types: ['UTILITY_BILL', 'BANK_STATEMENT'],
      country_codes: ['GBR', 'IRL'],
    },
  ],
  sdk_config: { allowed_capture_methods: 'CAMERA_AND_UPLOAD' as const },
  notifications: { endpoint: 'https://hooks.example/idv' },
};

const code = async (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (err: unknown) =>
      err instanceof AppError
        ? `${err.code} ${err.errors?.map((e) => e.property).join(',') ?? ''}`.trim()
        : String(err),
  );

async function started(spec: object = SPEC) {
  const w = sessionWorld();
  const { session_id } = await w.sessions.create('app-1', spec);
  const session = (await w.store.sessions.getById(session_id))!;
  return { w, session, requirement: session.requirements[0]! };
}

describe('supplementary documents (proof of address)', () => {
  it('stores the pages of an allowed document as a supplementary document, and completes only once it is in', async () => {
    const { w, session, requirement } = await started();
    expect(await code(w.capture.finish(session)), 'no finishing without the proof of address').toBe('CONFLICT');
    const { id } = await w.capture.createSupplementaryDocument(session, {
      requirement_id: requirement.id,
      document_type: 'BANK_STATEMENT',
      issuing_country: 'IRL',
    });
    await w.capture.uploadPage(session, id, page(1), [], 'UPLOAD', 'SUPPLEMENTARY_DOCUMENT');
    await w.capture.uploadPage(session, id, page(2), [], 'UPLOAD', 'SUPPLEMENTARY_DOCUMENT');
    expect(
      sessionConfigurationJson(session, await w.store.resources.list(session.id), w.now()).capture
        .required_resources[0],
    ).toMatchObject({ type: 'SUPPLEMENTARY_DOCUMENT', state: 'REQUIRED' });
    expect(await code(w.capture.finish(session)), 'pages without "complete" are not the document yet').toBe('CONFLICT');
    await w.capture.completeDocument(session, id, 'SUPPLEMENTARY_DOCUMENT');
    expect(
      sessionConfigurationJson(session, await w.store.resources.list(session.id), w.now()).capture
        .required_resources[0],
    ).toMatchObject({
      state: 'COMPLETED',
      document_types: ['UTILITY_BILL', 'BANK_STATEMENT'],
      country_codes: ['GBR', 'IRL'],
      objective: { type: 'PROOF_OF_ADDRESS' },
    });
    expect(await w.capture.finish(session)).toMatchObject({ complete: true });
    await w.drain();
    const shown = sessionResultJson(
      await w.store.sessions.bundle((await w.store.sessions.getById(session.id))!),
      w.now(),
    );
    expect(shown.state).toBe('COMPLETED');
    expect(shown.resources.supplementary_documents).toEqual([
      expect.objectContaining({
        id,
        document_type: 'BANK_STATEMENT',
        issuing_country: 'IRL',
        tasks: [],
        pages: [
          expect.objectContaining({ capture_method: 'UPLOAD', media: expect.objectContaining({ type: 'IMAGE' }) }),
          expect.objectContaining({ capture_method: 'UPLOAD' }),
        ],
      }),
    ]);
    expect(shown.resources.id_documents).toEqual([]);
    expect(await w.topics(session.id)).toContain('RESOURCE_UPDATE');
  });

  it('refuses a type or country the requirement does not allow, and asks for a country only where it lists some', async () => {
    const { w, session, requirement } = await started();
    const create = (body: { document_type: string; issuing_country?: string }) =>
      code(w.capture.createSupplementaryDocument(session, { requirement_id: requirement.id, ...body }));
    expect(await create({ document_type: 'PHONE_BILL', issuing_country: 'GBR' })).toBe(
      'PAYLOAD_VALIDATION document_type',
    );
    expect(await create({ document_type: 'PASSPORT', issuing_country: 'GBR' })).toBe(
      'PAYLOAD_VALIDATION document_type',
    );
    expect(await create({ document_type: 'UTILITY_BILL', issuing_country: 'FRA' })).toBe(
      'PAYLOAD_VALIDATION issuing_country',
    );
    expect(await create({ document_type: 'UTILITY_BILL' })).toBe('PAYLOAD_VALIDATION issuing_country');
    expect(await create({ document_type: 'UTILITY_BILL', issuing_country: 'GBR' })).toBe('resolved');

    const open = await started({ required_documents: [{ type: 'SUPPLEMENTARY_DOCUMENT' }] });
    const any = (body: { document_type: string; issuing_country?: string }) =>
      code(open.w.capture.createSupplementaryDocument(open.session, { requirement_id: open.requirement.id, ...body }));
    expect(await any({ document_type: 'COUNCIL_TAX_BILL' }), 'no countries listed: none asked').toBe('resolved');
    expect(await any({ document_type: 'PHONE_BILL', issuing_country: 'XYZ' })).toBe(
      'PAYLOAD_VALIDATION issuing_country',
    );
    expect(await any({ document_type: 'DRIVING_LICENCE' })).toBe('PAYLOAD_VALIDATION document_type');
  });

  it('keeps ID documents and proofs of address apart, caps pages at four and refuses pages after completion', async () => {
    const { w, session, requirement } = await started({
      ...SPEC,
      required_documents: [...SPEC.required_documents, { type: 'ID_DOCUMENT' }],
    });
    const idRequirement = session.requirements.find((r) => r.type === 'ID_DOCUMENT')!;
    expect(
      await code(
        w.capture.createSupplementaryDocument(session, {
          requirement_id: idRequirement.id,
          document_type: 'UTILITY_BILL',
          issuing_country: 'GBR',
        }),
      ),
    ).toBe('PAYLOAD_VALIDATION requirement_id');
    expect(
      await code(
        w.capture.createDocument(session, {
          requirement_id: requirement.id,
          document_type: 'PASSPORT',
          issuing_country: 'GBR',
        }),
      ),
    ).toBe('PAYLOAD_VALIDATION requirement_id');
    const idDoc = await w.capture.createDocument(session, {
      requirement_id: idRequirement.id,
      document_type: 'PASSPORT',
      issuing_country: 'GBR',
    });
    expect(
      await code(w.capture.uploadPage(session, idDoc.id, page(1), [], 'UPLOAD', 'SUPPLEMENTARY_DOCUMENT')),
      'an ID document is not a proof of address',
    ).toBe('RESOURCE_NOT_FOUND');

    const { id } = await w.capture.createSupplementaryDocument(session, {
      requirement_id: requirement.id,
      document_type: 'UTILITY_BILL',
      issuing_country: 'GBR',
    });
    expect(await code(w.capture.uploadPage(session, id, page(9), [], 'UPLOAD'))).toBe('RESOURCE_NOT_FOUND');
    expect(await code(w.capture.completeDocument(session, id, 'SUPPLEMENTARY_DOCUMENT')), 'a page first').toBe(
      'CONFLICT',
    );
    for (let n = 1; n <= 4; n++)
      await w.capture.uploadPage(session, id, page(n), [], 'CAMERA', 'SUPPLEMENTARY_DOCUMENT');
    expect(await code(w.capture.uploadPage(session, id, page(5), [], 'CAMERA', 'SUPPLEMENTARY_DOCUMENT'))).toBe(
      'CONFLICT',
    );
    await w.capture.completeDocument(session, id, 'SUPPLEMENTARY_DOCUMENT');
    expect(await code(w.capture.uploadPage(session, id, page(6), [], 'CAMERA', 'SUPPLEMENTARY_DOCUMENT'))).toBe(
      'CONFLICT',
    );
    expect(
      await code(
        w.capture.uploadPage(session, id, { data: Buffer.from('%PDF-1.7\n') }, [], 'UPLOAD', 'SUPPLEMENTARY_DOCUMENT'),
      ),
    ).toBe('CONFLICT');
  });

  it('refuses a PDF or any non-image page, and an upload where the session takes camera captures only', async () => {
    const { w, session, requirement } = await started();
    const { id } = await w.capture.createSupplementaryDocument(session, {
      requirement_id: requirement.id,
      document_type: 'UTILITY_BILL',
      issuing_country: 'GBR',
    });
    expect(
      await code(
        w.capture.uploadPage(
          session,
          id,
          { data: Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF') },
          [],
          'UPLOAD',
          'SUPPLEMENTARY_DOCUMENT',
        ),
      ),
    ).toBe('UNPROCESSABLE_IMAGE');
    expect(await w.media.list(`app-1/${session.id}/`)).toEqual([]);
    const camera = await started({ ...SPEC, sdk_config: { allowed_capture_methods: 'CAMERA' } });
    const doc = await camera.w.capture.createSupplementaryDocument(camera.session, {
      requirement_id: camera.requirement.id,
      document_type: 'UTILITY_BILL',
      issuing_country: 'GBR',
    });
    expect(
      await code(camera.w.capture.uploadPage(camera.session, doc.id, page(1), [], 'UPLOAD', 'SUPPLEMENTARY_DOCUMENT')),
    ).toBe('FORBIDDEN');
  });

  it('never completes a session whose proof of address is missing, even when every check is done', async () => {
    const { w, session } = await started({ ...SPEC, requested_checks: [] });
    await w.lifecycle.finalise(session.id);
    expect((await w.store.sessions.getById(session.id))!.state).toBe('ONGOING');
    w.advance(session.tokenExpiresAt - w.now() + 1);
    await w.lifecycle.tokenExpired((await w.store.sessions.getById(session.id))!);
    expect((await w.store.sessions.getById(session.id))!.state, 'the token ran out without it').toBe('EXPIRED');
  });

  it('refuses a filter on a supplementary document, and supplementary settings on an ID document', async () => {
    const w = sessionWorld();
    const refused = (spec: object) => code(w.sessions.create('app-1', spec));
    expect(
      await refused({
        required_documents: [
          {
            type: 'SUPPLEMENTARY_DOCUMENT',
            filter: { type: 'DOCUMENT_RESTRICTIONS', inclusion: 'WHITELIST', documents: [] },
          },
        ],
      }),
    ).toBe('PAYLOAD_VALIDATION required_documents[0].filter');
    expect(
      await refused({ required_documents: [{ type: 'SUPPLEMENTARY_DOCUMENT', document_types: ['PASSPORT'] }] }),
    ).toBe('PAYLOAD_VALIDATION required_documents[0].document_types[0]');
    expect(await refused({ required_documents: [{ type: 'SUPPLEMENTARY_DOCUMENT', country_codes: ['ABC'] }] })).toBe(
      'PAYLOAD_VALIDATION required_documents[0].country_codes[0]',
    );
    expect(
      await refused({
        required_documents: [{ type: 'ID_DOCUMENT', document_types: ['PASSPORT'], country_codes: ['GBR'] }],
      }),
    ).toBe('PAYLOAD_VALIDATION required_documents[0].document_types,required_documents[0].country_codes');
  });
});
