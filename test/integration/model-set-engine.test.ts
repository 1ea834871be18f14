import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/domain/ports/face-engine.port.js';
import { createFaceEngine } from '../../src/infra/face/face-engine.factory.js';
import { defaultModelsDir, type EmbedderSpec, MODEL_SET_ID } from '../../src/infra/face/model-set.js';
import { hasData } from '../helpers/data.js';
import { lfwPeople } from '../helpers/lfw.js';

// The engine embedding with an installed set, on real photos: the shipped weights installed under two other ids,
// one fed as the shipped embedder is (BGR, /128: its embeddings must be the shipped ones) and one as insightface's
// ArcFace models are (RGB, /127.5: other vectors, still a face embedding). Faces found are the same under every set.

const FILE = join(defaultModelsDir(), 'fr_feature.onnx');
const withData = existsSync(FILE) && hasData('lfw-dev', 'images');
const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);

describe.skipIf(!withData)('face engine with installed model sets', () => {
  const sha256 = withData ? createHash('sha256').update(readFileSync(FILE)).digest('hex') : '';
  const specs: Record<string, EmbedderSpec> = {
    'copy-bgr': { id: 'copy-bgr', file: FILE, sha256, template: 'shipped', inputSize: 112, dimensions: 512 },
    'copy-rgb': { id: 'copy-rgb', file: FILE, sha256, template: 'arcface112', inputSize: 112, dimensions: 512 },
    tampered: {
      id: 'tampered',
      file: FILE,
      sha256: '0'.repeat(64),
      template: 'arcface112',
      inputSize: 112,
      dimensions: 512,
    },
  };
  const [alice, bob] = withData ? lfwPeople(2, 2, 3) : [];
  let inProcess: FaceEngine;
  let pooled: FaceEngine;

  beforeAll(async () => {
    const modelSets = async (id: string) => specs[id] ?? null;
    inProcess = await createFaceEngine({ inProcess: true, modelSets });
    pooled = await createFaceEngine({ threads: 1, modelSets });
  }, 120_000);
  afterAll(async () => {
    await inProcess?.close();
    await pooled?.close();
  });

  it('embeds the same faces under the set asked for and the others named, saying which set made the embedding', async () => {
    const image = readFileSync(alice!.photos[0]!);
    const shipped = await inProcess.analyse(image, { liveness: false });
    const analysis = await inProcess.analyse(image, {
      liveness: false,
      modelSetId: 'copy-bgr',
      alsoEmbedWith: [MODEL_SET_ID, 'copy-rgb'],
    });
    expect(analysis.modelSetId).toBe('copy-bgr');
    expect(analysis.faces.map((f) => [f.box, f.quality])).toEqual(shipped.faces.map((f) => [f.box, f.quality]));
    const [face] = analysis.faces;
    expect(cosine(face!.embedding, shipped.faces[0]!.embedding)).toBeGreaterThan(0.99999);
    expect(Object.keys(face!.alsoEmbedded!).sort()).toEqual([MODEL_SET_ID, 'copy-rgb'].sort());
    expect(Array.from(face!.alsoEmbedded![MODEL_SET_ID]!)).toEqual(Array.from(shipped.faces[0]!.embedding));
    const rgb = face!.alsoEmbedded!['copy-rgb']!;
    expect(Math.hypot(...rgb)).toBeCloseTo(1, 5);
    // Another input convention, another vector: it must never be compared with the shipped set's.
    expect(cosine(rgb, shipped.faces[0]!.embedding)).toBeLessThan(0.999);
  });

  it('keeps a set consistent with itself: the same person scores above a stranger under copy-rgb too', async () => {
    const embed = async (path: string) =>
      (await inProcess.analyse(readFileSync(path), { liveness: false, modelSetId: 'copy-rgb' })).faces[0]!.embedding;
    const [a1, a2, b1] = await Promise.all([
      embed(alice!.photos[0]!),
      embed(alice!.photos[1]!),
      embed(bob!.photos[0]!),
    ]);
    expect(cosine(a1, a2)).toBeGreaterThan(cosine(a1, b1) + 0.1);
  });

  it('passes the set to the face threads: the pooled engine gives the in-process embedding', async () => {
    const image = readFileSync(bob!.photos[1]!);
    const [a, b] = await Promise.all([
      inProcess.analyse(image, { liveness: false, modelSetId: 'copy-rgb' }),
      pooled.analyse(image, { liveness: false, modelSetId: 'copy-rgb' }),
    ]);
    expect(b.modelSetId).toBe('copy-rgb');
    expect(cosine(a.faces[0]!.embedding, b.faces[0]!.embedding)).toBeGreaterThan(0.99999);
  });

  it('refuses an unknown set and a file whose checksum changed, on both engines', async () => {
    const image = readFileSync(alice!.photos[1]!);
    for (const engine of [inProcess, pooled]) {
      await expect(engine.analyse(image, { modelSetId: 'never-installed' })).rejects.toMatchObject({
        code: 'ENGINE_UNAVAILABLE',
        message: 'model set never-installed is not installed',
      });
      await expect(engine.analyse(image, { alsoEmbedWith: ['tampered'] })).rejects.toMatchObject({
        code: 'ENGINE_UNAVAILABLE',
        message: expect.stringMatching(/no longer has its installed checksum/),
      });
      // The engine still works afterwards.
      expect((await engine.analyse(image, { liveness: false })).faces.length).toBeGreaterThan(0);
    }
  });
});
