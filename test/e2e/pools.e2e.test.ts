import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataPath, hasData } from '../helpers/data.js';
import { lfwPeople } from '../helpers/lfw.js';
import { type RunningServer, startServer, type TestApp } from '../helpers/server.js';
import { signedCall, yoti } from '../helpers/yoti.js';

// Applicants, faces and pools through the official SDK's signed RequestBuilder, on real photos.
const withData = hasData('lfw-dev', 'images');

const b64 = (path: string) => readFileSync(path).toString('base64');

describe.skipIf(!withData)('applicant pools over HTTP', () => {
  let server: RunningServer;
  let appA: TestApp;
  let appB: TestApp;

  const call = (app: TestApp, method: string, endpoint: string, payload?: unknown) =>
    signedCall(server.apiUrl, app, method, endpoint, payload);

  const people = withData ? lfwPeople(8, 3) : [];
  const enrolled = people.slice(0, 6);
  const strangers = people.slice(6);
  const applicantOf = new Map<string, string>();
  let poolId: string;

  beforeAll(async () => {
    server = await startServer();
    appA = await server.createApp('pools A');
    appB = await server.createApp('pools B');
    poolId = (await call(appA, 'POST', '/pools', { label: 'BLOCKLIST' })).body.id;
    for (const person of enrolled) {
      const created = await call(appA, 'POST', '/applicants', { face: { data: b64(person.photos[0]!) } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      applicantOf.set(person.name, created.body.id);
      expect((await call(appA, 'POST', `/pools/${poolId}/applicants`, { applicant_id: created.body.id })).status).toBe(
        204,
      );
    }
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('finds an enrolled person from another photo and no one for a stranger', async () => {
    for (const person of enrolled.slice(0, 3)) {
      const res = await call(appA, 'POST', `/pools/${poolId}/search`, { image: { data: b64(person.photos[1]!) } });
      expect(res.status).toBe(200);
      expect(res.body.candidates[0]).toMatchObject({ applicant_id: applicantOf.get(person.name), match: true });
      expect(res.body.face_count).toBe(enrolled.length);
    }
    for (const stranger of strangers) {
      const res = await call(appA, 'POST', `/pools/${poolId}/search`, { image: { data: b64(stranger.photos[0]!) } });
      expect(res.status).toBe(200);
      expect(res.body.candidates.filter((c: { match: boolean }) => c.match)).toEqual([]);
    }
  });

  it('shows the applicant with its face and pool under both spellings, and serves the face image', async () => {
    const id = applicantOf.get(enrolled[0]!.name)!;
    for (const prefix of ['/applicant', '/applicants']) {
      const res = await call(appA, 'GET', `${prefix}/${id}`);
      expect(res.status).toBe(200);
      expect(res.body.pools).toEqual([{ id: poolId, label: 'BLOCKLIST' }]);
      const faceId = res.body.faces.archetype_face;
      expect(res.body.faces.faces.map((f: { id: string }) => f.id)).toEqual([faceId]);
      const face = await call(appA, 'GET', `${prefix}/${id}/faces/${faceId}`);
      expect(face.status).toBe(200);
      expect(face.body.face.content_type).toBe('image/jpeg');
      expect(face.body.face.data).toBe(b64(enrolled[0]!.photos[0]!));
    }
  });

  it('never returns a deleted applicant or face to a search that starts after the delete', async () => {
    const [gone, faceless] = [enrolled[3]!, enrolled[4]!];
    expect((await call(appA, 'DELETE', `/applicants/${applicantOf.get(gone.name)}`)).status).toBe(204);
    const afterDelete = await call(appA, 'POST', `/pools/${poolId}/search`, { image: { data: b64(gone.photos[1]!) } });
    expect(afterDelete.body.candidates.map((c: { applicant_id: string }) => c.applicant_id)).not.toContain(
      applicantOf.get(gone.name),
    );

    const applicant = await call(appA, 'GET', `/applicants/${applicantOf.get(faceless.name)}`);
    const faceId = applicant.body.faces.archetype_face;
    expect((await call(appA, 'DELETE', `/applicants/${applicantOf.get(faceless.name)}/faces/${faceId}`)).status).toBe(
      204,
    );
    const afterFace = await call(appA, 'POST', `/pools/${poolId}/search`, {
      image: { data: b64(faceless.photos[1]!) },
    });
    expect(afterFace.body.candidates.map((c: { applicant_id: string }) => c.applicant_id)).not.toContain(
      applicantOf.get(faceless.name),
    );
    expect((await call(appA, 'GET', `/applicants/${applicantOf.get(faceless.name)}/faces/${faceId}`)).status).toBe(404);
  });

  it('refuses unusable enrolment images with 422 and a specific code', async () => {
    const noFace = await call(appA, 'POST', '/applicants', {
      face: { data: b64(dataPath('hard-misc', 'white_noface.png')) },
    });
    expect(noFace).toMatchObject({ status: 422, body: { code: 'NO_FACE_DETECTED' } });
    const couple = await call(appA, 'POST', '/applicants', {
      face: { data: b64(dataPath('faces-deepface', 'couple.jpg')) },
    });
    expect(couple).toMatchObject({ status: 422, body: { code: 'MULTIPLE_FACES_DETECTED' } });
    const tiny = await sharp(enrolled[0]!.photos[0]!).resize(48, 48).jpeg().toBuffer();
    const small = await call(appA, 'POST', '/applicants', { face: { data: tiny.toString('base64') } });
    expect(small.status).toBe(422);
    expect(['FACE_TOO_SMALL', 'NO_FACE_DETECTED']).toContain(small.body.code);
    const garbage = await call(appA, 'POST', '/applicants', {
      face: { data: Buffer.from('not an image').toString('base64') },
    });
    expect(garbage).toMatchObject({ status: 422, body: { code: 'UNPROCESSABLE_IMAGE' } });
    const list = await call(appA, 'GET', '/applicants?limit=500');
    expect(list.body.items).toHaveLength(enrolled.length - 1);
  });

  it('enrols and searches with the main face of a photo with a background face, reporting the other; refuses an ambiguous pair', async () => {
    const app = await server.createApp('pools selection');
    const lfw = (name: string) => dataPath('lfw-dev', 'images', name.replace(/_\d+\.jpg$/, ''), name);
    const pool = (await call(app, 'POST', '/pools', { label: 'SELECTION' })).body.id;
    // Ann Veneman centred, a colleague's face (83% of her face's size) behind her at the right edge.
    const created = await call(app, 'POST', '/applicants', { face: { data: b64(lfw('Ann_Veneman_0008.jpg')) } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const selection = created.body.face_selection;
    expect(selection.other_face_count).toBe(1);
    expect(selection.other_face_boxes[0].x).toBeGreaterThan(90);
    expect(selection.used_face_box.x).toBeLessThan(50);
    expect((await call(app, 'POST', `/pools/${pool}/applicants`, { applicant_id: created.body.id })).status).toBe(204);
    // The enrolled face is hers: other photos of her find the applicant.
    const found = await call(app, 'POST', `/pools/${pool}/search`, {
      image: { data: b64(lfw('Ann_Veneman_0001.jpg')) },
    });
    expect(found.body.candidates[0]).toMatchObject({ applicant_id: created.body.id, match: true });
    expect(found.body.face_selection.other_face_count).toBe(0);
    const added = await call(app, 'POST', `/applicants/${created.body.id}/faces`, {
      face: { data: b64(lfw('Ann_Veneman_0002.jpg')) },
    });
    expect(added).toMatchObject({ status: 201, body: { face_selection: { other_face_count: 0 } } });
    // A probe with a face as large as the subject's, cut by the frame edge, searches with the subject's.
    const probe = await call(app, 'POST', `/pools/${pool}/search`, {
      image: { data: b64(lfw('Colin_Powell_0222.jpg')) },
    });
    expect(probe.status, JSON.stringify(probe.body)).toBe(200);
    expect(probe.body.face_selection).toMatchObject({ other_face_count: 1, other_face_boxes: [{ x: 0 }] });
    expect(probe.body.candidates.filter((c: { match: boolean }) => c.match)).toEqual([]);
    // Two people side by side: no main face, so no guess.
    const pair = dataPath('faces-face_recognition', 'test', 'kit_with_rose.jpg');
    expect(await call(app, 'POST', `/pools/${pool}/search`, { image: { data: b64(pair) } })).toMatchObject({
      status: 422,
      body: { code: 'MULTIPLE_FACES_DETECTED' },
    });
    expect(await call(app, 'POST', '/applicants', { face: { data: b64(pair) } })).toMatchObject({
      status: 422,
      body: { code: 'MULTIPLE_FACES_DETECTED' },
    });
  });

  it('enrols a face from an earlier session of the same app only', async () => {
    const client = new yoti.IDVClient(appA.sdkId, appA.privateKeyPem, { apiUrl: server.apiUrl });
    const spec = new yoti.SessionSpecificationBuilder()
      .withRequestedCheck(new yoti.RequestedLivenessCheckBuilder().forStaticLiveness().build())
      .withRequestedCheck(new yoti.RequestedFaceComparisonCheckBuilder().withManualCheckNever().build())
      .build();
    const sessionId = (await client.createSession(spec)).getSessionId();
    const config = await client.getSessionConfiguration(sessionId);
    const requirement = config
      .getCapture()
      .getRequiredResources()
      .find((r: { getType(): string }) => r.getType() === 'FACE_CAPTURE');
    const resource = await client.createFaceCaptureResource(
      sessionId,
      new yoti.CreateFaceCaptureResourcePayloadBuilder().withRequirementId(requirement.getId()).build(),
    );
    await client.uploadFaceCaptureImage(
      sessionId,
      resource.getId(),
      new yoti.UploadFaceCaptureImagePayloadBuilder()
        .forJpegImage()
        .withImageContents(readFileSync(dataPath('faces-deepface', 'img1.jpg')))
        .build(),
    );
    const mediaId = (await client.getSession(sessionId))
      .getResources()
      .getFaceCaptureResources()[0]
      .getImage()
      .getMedia()
      .getId();
    const applicant = (await call(appA, 'POST', '/applicants', {})).body.id;
    const added = await call(appA, 'POST', `/applicants/${applicant}/faces`, {
      face: { source: { session_id: sessionId, media_id: mediaId } },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(typeof added.body.id).toBe('string');
    const applicantB = (await call(appB, 'POST', '/applicants', {})).body.id;
    const foreign = await call(appB, 'POST', `/applicants/${applicantB}/faces`, {
      face: { source: { session_id: sessionId, media_id: mediaId } },
    });
    expect(foreign.status).toBe(404);

    // F11: the applicant's face becomes the FACE_COMPARISON reference of a new session.
    const second = (await client.createSession(spec)).getSessionId();
    const req2 = (await client.getSessionConfiguration(second))
      .getCapture()
      .getRequiredResources()
      .find((r: { getType(): string }) => r.getType() === 'FACE_CAPTURE');
    const res2 = await client.createFaceCaptureResource(
      second,
      new yoti.CreateFaceCaptureResourcePayloadBuilder().withRequirementId(req2.getId()).build(),
    );
    const put = await call(appA, 'PUT', `/sessions/${second}/resources/face-capture/${res2.getId()}/applicant`, {
      applicant_id: applicant,
    });
    expect(put.status).toBe(200);
    const state = (await client.getSessionConfiguration(second))
      .getCapture()
      .getRequiredResources()
      .find((r: { getType(): string }) => r.getType() === 'FACE_CAPTURE')
      .getState();
    expect(state).toBe('COMPLETED');
  });

  it("keeps apps apart: another app's ids read as unknown", async () => {
    const id = applicantOf.get(enrolled[0]!.name)!;
    expect((await call(appB, 'GET', `/applicants/${id}`)).status).toBe(404);
    expect((await call(appB, 'GET', `/pools/${poolId}`)).status).toBe(404);
    expect(
      (await call(appB, 'POST', `/pools/${poolId}/search`, { image: { data: b64(enrolled[0]!.photos[1]!) } })).status,
    ).toBe(404);
    expect((await call(appB, 'DELETE', `/pools/${poolId}`)).status).toBe(404);
    const poolB = (await call(appB, 'POST', '/pools', { label: 'B' })).body.id;
    expect((await call(appB, 'POST', `/pools/${poolB}/applicants`, { applicant_id: id })).status).toBe(404);
    expect((await call(appB, 'GET', '/pools')).body.items.map((p: { id: string }) => p.id)).toEqual([poolB]);
    const ffs = {
      requested_checks: [{ type: 'FAMILIAR_FACE_SEARCH', config: { pool_id: poolId, approval_criteria: 'NO_MATCH' } }],
    };
    const session = await call(appB, 'POST', '/sessions', ffs);
    expect(session.status).toBe(400);
    expect(session.body.errors[0].property).toBe('requested_checks[0].config.pool_id');
    expect((await call(appA, 'POST', '/sessions', ffs)).status).toBe(201);
  });

  it('pages through pools and members with cursors, and reports the decision policy', async () => {
    for (const label of ['P1', 'P2', 'P3']) await call(appA, 'POST', '/pools', { label });
    const first = await call(appA, 'GET', '/pools?limit=2');
    expect(first.body.items).toHaveLength(2);
    const rest = await call(appA, 'GET', `/pools?limit=2&cursor=${first.body.next_cursor}`);
    const labels = [...first.body.items, ...rest.body.items].map((p: { label: string }) => p.label);
    expect(labels).toContain('P3');
    expect(new Set(labels).size).toBe(labels.length);
    const members = await call(appA, 'GET', `/pools/${poolId}/applicants?limit=2`);
    expect(members.body.items).toHaveLength(2);
    expect(members.body.next_cursor).toBeTruthy();
    const detail = await call(appA, 'GET', `/pools/${poolId}`);
    expect(detail.body.decision.source).toBe('derived');
    const pinned = await call(appA, 'PATCH', `/pools/${poolId}`, { threshold: 0.5 });
    expect(pinned.body.decision).toMatchObject({ threshold: 0.5, source: 'pinned' });
    expect((await call(appA, 'GET', '/pools?cursor=garbage')).status).toBe(400);
  });
});
