import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { aFaceResult } from '../helpers/records.js';
import { findResidue, needlesOf } from '../helpers/residue.js';
import { type InProcess, inProcessApp } from '../helpers/in-process.js';

// Erasure by DELETE must leave nothing on disk, as erasure by TTL does: neither the image bytes nor the face
// embedding (as stored: plain, or AES-GCM ciphertext under OPENIDV_EMBEDDING_KEY) in the SQLite file, its WAL,
// its shared-memory file or the media folder, as soon as DELETE has answered.

async function noiseJpeg(seed: number): Promise<Buffer> {
  const raw = randomBytes(96 * 96 * 3);
  raw[0] = seed;
  return sharp(raw, { raw: { width: 96, height: 96, channels: 3 } })
    .jpeg({ quality: 95 })
    .toBuffer();
}

/** A session with a relying-business face capture and a stored face analysis, as the pipeline leaves them. */
async function sessionWithFace(h: InProcess, seed: number) {
  const created = await h.signed(
    'POST',
    '/sessions',
    JSON.stringify({
      requested_checks: [
        { type: 'LIVENESS', config: { liveness_type: 'STATIC' } },
        { type: 'FACE_COMPARISON', config: { manual_check: 'NEVER' } },
      ],
    }),
  );
  expect(created.statusCode).toBe(201);
  const sessionId = created.json<{ session_id: string }>().session_id;
  const session = await h.container.sessions.require(h.sdkId, sessionId);
  const requirement = session.requirements.find((r) => r.type === 'FACE_CAPTURE')!;
  const resource = await h.container.sessions.createFaceCapture(h.sdkId, sessionId, requirement.id);
  const image = await noiseJpeg(seed);
  await h.container.sessions.uploadFaceCaptureImage(h.sdkId, sessionId, resource.id, image);
  const [media] = await h.container.repos.media.list(sessionId);
  const face = aFaceResult(seed);
  await h.container.repos.analyses.save({
    mediaId: media!.id,
    sessionId,
    analysis: { modelSetId: 'test-models', width: 96, height: 96, rotation: 0, faces: [face] },
    imageError: null,
    createdAt: Date.now(),
  });
  const row = await h.container.database.db
    .selectFrom('face_analyses')
    .select('embeddings')
    .where('media_id', '=', media!.id)
    .executeTakeFirstOrThrow();
  return { sessionId, image, embedding: face.embedding, stored: Buffer.from(row.embeddings!) };
}

describe.each<{ name: string; env: Record<string, string> }>([
  { name: 'plain embeddings', env: {} },
  { name: 'encrypted embeddings', env: { OPENIDV_EMBEDDING_KEY: randomBytes(32).toString('base64') } },
])('DELETE /sessions/{id} erasure on disk ($name)', ({ env }) => {
  let h: InProcess | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('leaves no image or embedding bytes in the database, WAL, shm or media files once it answered', async () => {
    h = await inProcessApp(env);
    const dataDir = h.container.config.dataDir;
    // Neighbours share pages with the victim's rows, and a checkpoint runs first so that the victim's rows
    // are in the main file too, not only in the WAL.
    for (let i = 0; i < 3; i++) await sessionWithFace(h, i);
    const victim = await sessionWithFace(h, 100);
    for (let i = 3; i < 6; i++) await sessionWithFace(h, i);
    await h.container.database.checkpoint();
    const plainEmbedding = Buffer.from(victim.embedding.buffer);
    const needles = [
      ...needlesOf('image', victim.image, { skip: 1024 }),
      ...needlesOf('embedding as stored', victim.stored),
      ...needlesOf('embedding floats', plainEmbedding),
    ];
    // The test can see the bytes before the erasure (otherwise it would prove nothing).
    expect(findResidue(dataDir, needlesOf('image', victim.image, { skip: 1024 })).length).toBeGreaterThan(0);
    expect(findResidue(dataDir, needlesOf('embedding as stored', victim.stored)).length).toBeGreaterThan(0);

    // More writes after the checkpoint: the victim's pages are rewritten into the WAL by unrelated work too.
    await sessionWithFace(h, 7);
    const deleted = await h.signed('DELETE', `/sessions/${victim.sessionId}`);
    expect(deleted.statusCode).toBe(204);

    expect(findResidue(dataDir, needles)).toEqual([]);
    // Erasure did not take the neighbours with it.
    expect((await h.container.repos.sessions.listPurgeable(Number.MAX_SAFE_INTEGER, 100)).length).toBe(7);
  });

  it('DELETE of one media erases its face analysis (the embedding) with the image', async () => {
    h = await inProcessApp(env);
    const victim = await sessionWithFace(h, 1);
    await h.container.database.checkpoint();
    const [media] = await h.container.repos.media.list(victim.sessionId);
    const needles = [
      ...needlesOf('image', victim.image, { skip: 1024 }),
      ...needlesOf('embedding as stored', victim.stored),
    ];
    expect(findResidue(h.container.config.dataDir, needles).length).toBeGreaterThan(0);

    expect((await h.signed('DELETE', `/sessions/${victim.sessionId}/media/${media!.id}/content`)).statusCode).toBe(204);

    expect(await h.container.repos.analyses.get(media!.id)).toBeNull();
    expect(findResidue(h.container.config.dataDir, needles)).toEqual([]);
  });
});
