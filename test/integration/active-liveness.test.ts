import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceEngine } from '../../src/domain/ports/face-engine.port.js';
import { createFaceEngine } from '../../src/infra/face/face-engine.factory.js';
import { FaceModelFrameAnalyser } from '../../src/infra/face/liveness/face-model.frame-analyser.js';
import { defaultModelsDir } from '../../src/infra/face/model-set.js';
import { LivenessEvaluation, loadSubjects, type Subject } from '../../src/tools/liveness-eval/liveness-evaluation.js';
import { encodeJpeg, TexturedHead } from '../../src/tools/liveness-eval/synthetic-scene.js';
import { seededRng } from '../../src/tools/liveness-eval/triangle-raster.js';
import { dataDir, hasData } from '../helpers/data.js';

// The real analyser (face models, 68 landmarks, pose, hashes) on frames rendered from real LFW photos, through
// the active liveness engine: the head stand-in passes, a still photo and a tilted card do not.
const modelsPresent = existsSync(join(defaultModelsDir(), 'fr_landmark.onnx'));
const ready = modelsPresent && hasData('lfw-dev', 'images');

describe.skipIf(!ready)('active liveness on rendered frames', () => {
  let engine: FaceEngine;
  let subjects: Subject[];
  beforeAll(async () => {
    engine = await createFaceEngine({ inProcess: true });
    subjects = (await loadSubjects(engine, dataDir, 'tuning', 120)).slice(0, 3);
  }, 120_000);
  afterAll(() => engine?.close());

  it('reads the turn direction and a fresh perceptual hash from rendered head frames', async () => {
    const analyser = new FaceModelFrameAnalyser(engine);
    const s = subjects[0]!;
    const head = new TexturedHead(s.photo);
    const rng = seededRng(1);
    const shot = async (yaw: number) =>
      analyser.analyse(
        await encodeJpeg(head.render({ ...s.frontal, yawDeg: s.frontal.yawDeg + yaw }).toImage(2.5, 1, rng)),
      );
    const [front, left, right] = [await shot(0), await shot(30), await shot(-30)];
    expect(front.face!.landmarks).toHaveLength(68);
    expect(Math.abs(front.face!.yawDeg)).toBeLessThan(12);
    expect(left.face!.yawDeg).toBeGreaterThan(18);
    expect(right.face!.yawDeg).toBeLessThan(-18);
    expect(front.perceptualHash).toMatch(/^[0-9a-f]{64}$/);
    expect(front.digest).not.toBe(left.digest);
  }, 60_000);

  it('approves the head stand-in and rejects a still photo and a card tilted in 3D', async () => {
    expect(subjects.length).toBeGreaterThanOrEqual(2);
    const evaluation = new LivenessEvaluation(new FaceModelFrameAnalyser(engine), subjects, {
      dataDir,
      split: 'tuning',
      attempts: 2,
      classes: ['bona_fide', 'still_photo', 'photo_3d'],
      fps: [12, 12],
      seed: 7,
    });
    const results = await evaluation.run();
    const by = (cls: string) => results.filter((r) => r.cls === cls).map((r) => r.decision);
    expect(by('bona_fide')).toEqual(['APPROVE', 'APPROVE']);
    expect(by('still_photo')).toEqual(['REJECT', 'REJECT']);
    expect(by('photo_3d')).toEqual(['REJECT', 'REJECT']);
  }, 300_000);
});
