import { describe, expect, it } from 'vitest';
import type { AnalysedFace } from '../../src/domain/ports/face-engine.port.js';
import { CLEAR_FACE_NORM, userFace } from '../../src/infra/face/liveness/user-face.js';
import { aFaceResult, aQuality } from '../helpers/records.js';

// The boxes below are the shapes seen in stand-in frames (held-out seed 43): a raised hand as large as the face
// beside it, a blurred face on a poster behind, a second box on the user's own face.

function face(x: number, y: number, side: number, norm: number): AnalysedFace {
  return {
    ...aFaceResult(1),
    box: { x, y, width: side, height: side * 1.3 },
    quality: { ...aQuality(), embeddingNorm: norm },
  };
}

describe('userFace', () => {
  it('finds nobody in an empty frame', () => {
    expect(userFace([])).toEqual({ people: 0 });
  });

  it('takes the largest face that reads clearly, not a larger false box beside it', () => {
    const hand = face(140, 110, 51, 1.9);
    const user = face(90, 100, 50, 2.9);
    expect(userFace([hand, user])).toEqual({ user, people: 1 });
  });

  it('falls back to the largest face when none reads clearly', () => {
    const [a, b] = [face(100, 100, 40, 2.1), face(20, 20, 30, 2.3)];
    expect(userFace([a, b])).toEqual({ user: a, people: 1 });
  });

  it('does not count a blurred face far behind, nor a second box on the user own face', () => {
    const user = face(130, 117, 55, 4.1);
    const poster = face(92, 117, 30, CLEAR_FACE_NORM - 0.1);
    const secondBox = face(135, 125, 50, 3.0);
    expect(userFace([user, secondBox, poster])).toEqual({ user, people: 1 });
  });

  it('counts another face that reads clearly away from the user', () => {
    const user = face(130, 117, 55, 4.1);
    const beside = face(20, 110, 45, CLEAR_FACE_NORM);
    expect(userFace([user, beside])).toEqual({ user, people: 2 });
  });
});
