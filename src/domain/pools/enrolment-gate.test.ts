import { describe, expect, it } from 'vitest';
import type { AnalysedFace, Box, FaceAnalysis } from '../ports/face-engine.port.js';
import { pickSingleFace, requireSingleFace } from './enrolment-gate.js';

// Synthetic analyses: the gate's decision depends only on boxes and quality measures (real photos: pools.e2e).
function face(box: Box, embeddingNorm = 3.6): AnalysedFace {
  const p = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  return {
    box,
    landmarks: [p, p, p, p, p],
    detectorScore: 0.99,
    quality: {
      faceSizePx: box.height,
      sharpness: 200,
      brightness: 120,
      clippedFraction: 0,
      frontalness: 1,
      yawDeg: 0,
      rollDeg: 0,
      embeddingNorm,
    },
    embedding: new Float32Array(4),
  };
}
const photo = (...faces: AnalysedFace[]): FaceAnalysis => ({
  modelSetId: 'm',
  width: 150,
  height: 150,
  rotation: 0,
  faces,
});

// The shape of lfw-dev's Ann_Veneman_0008: the subject centred, a background face of 83% of its size at the edge.
const subject = face({ x: 37, y: 33, width: 63, height: 85 });
const background = face({ x: 98, y: 3, width: 49, height: 71 });

describe('face selection', () => {
  it('uses the clearly main face of a photo with a background face, and reports the other', () => {
    const picked = pickSingleFace(photo(subject, background), undefined, 'dominant');
    expect(picked).toEqual({ face: subject, others: [background.box] });
  });

  it('keeps a selfie strict: the same photo is a reason to retry', () => {
    expect(pickSingleFace(photo(subject, background))).toMatchObject({
      refusal: 'MULTIPLE_FACES_DETECTED',
      problem: 'MULTIPLE_FACES',
    });
  });

  it('refuses two people side by side, equally placed and of similar size', () => {
    const left = face({ x: 10, y: 40, width: 50, height: 62 });
    const right = face({ x: 85, y: 38, width: 52, height: 66 });
    expect(() => requireSingleFace(photo(right, left), undefined, 'dominant')).toThrow(
      expect.objectContaining({ code: 'MULTIPLE_FACES_DETECTED' }),
    );
  });

  it('picks the central face over one as large cut by the frame edge (lfw-dev Colin_Powell_0222), and ignores a small one', () => {
    const edge = face({ x: 0, y: 9, width: 33, height: 85 });
    expect(pickSingleFace(photo(edge, subject), undefined, 'dominant')).toMatchObject({
      face: subject,
      others: [edge.box],
    });
    const small = face({ x: 60, y: 60, width: 20, height: 30 });
    expect(pickSingleFace(photo(subject, small), undefined, 'dominant')).toMatchObject({
      face: subject,
      others: [small.box],
    });
  });

  it('does not let a box the embedder cannot read as a face make the photo ambiguous', () => {
    const unreadable = face({ x: 98, y: 3, width: 49, height: 100 }, 1.5);
    expect(pickSingleFace(photo(subject, unreadable), undefined, 'dominant')).toMatchObject({ face: subject });
    const readable = face({ x: 98, y: 3, width: 49, height: 100 }, 3.0);
    expect(pickSingleFace(photo(subject, readable), undefined, 'dominant')).toMatchObject({
      refusal: 'MULTIPLE_FACES_DETECTED',
    });
  });

  it('applies the quality gate to the face it picked', () => {
    const blurred = { ...subject, quality: { ...subject.quality, sharpness: 2 } };
    expect(pickSingleFace(photo(blurred, background), undefined, 'dominant')).toMatchObject({
      refusal: 'FACE_TOO_BLURRY',
    });
    expect(pickSingleFace(photo(), undefined, 'dominant')).toMatchObject({ refusal: 'NO_FACE_DETECTED' });
  });
});
