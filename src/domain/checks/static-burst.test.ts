import { describe, expect, it } from 'vitest';
import type { AnalysedFace, Point } from '../ports/face-engine.port.js';
import { assessBurst, type BurstFrame, similarityResidual } from './static-burst.js';

// The burst rules on hand-made landmarks: the maths, not the model (test/integration/static-burst.test.ts runs
// the real engine on real photos).

const EYES_NOSE_MOUTH: Point[] = [
  { x: 280, y: 200 },
  { x: 360, y: 200 },
  { x: 320, y: 250 },
  { x: 290, y: 290 },
  { x: 350, y: 290 },
];

function embedding(seed: number): Float32Array {
  const v = new Float32Array(8);
  v[seed % 8] = 1;
  return v;
}

function face(points: Point[], seed = 1, size = 200): AnalysedFace {
  return {
    box: { x: 220, y: 120, width: size, height: size },
    landmarks: points as AnalysedFace['landmarks'],
    detectorScore: 0.99,
    quality: {
      faceSizePx: size,
      sharpness: 100,
      brightness: 120,
      clippedFraction: 0,
      frontalness: 1,
      yawDeg: 0,
      rollDeg: 0,
      embeddingNorm: 20,
    },
    embedding: embedding(seed),
  };
}

const moved = (points: Point[], f: (p: Point, k: number) => Point) => points.map(f);
const frames = (make: (i: number) => AnalysedFace[], width = 640): BurstFrame[] =>
  [0, 1, 2, 3, 4].map((i) => ({ sha256: `sha-${i}`, width, height: 480, faces: make(i), offsetMs: i * 200 }));
const timing = { issuedAt: 1_000, usedAt: 4_000, expiresAt: 100_000 };

// A head turning a little: the nose and mouth (nearer the camera) move further than the eyes.
const turn = (i: number) =>
  moved(EYES_NOSE_MOUTH, (p, k) => ({ x: p.x + (k === 2 ? 1.5 : k >= 3 ? 0.8 : 0) * [0, 8, -6, 10, -8][i]!, y: p.y }));

describe('STATIC burst', () => {
  it('passes a burst whose face moves as a turning head does, and reports its measures', () => {
    const verdict = assessBurst(
      frames((i) => [face(turn(i))]),
      timing,
    );
    expect(verdict).toMatchObject({ pass: true, details: { frames: 5, span_ms: 800, identity_min_cosine: '1.0000' } });
    expect(Number(verdict.details.non_rigid_motion_iod)).toBeGreaterThan(0.03);
  });

  it('fits a similarity transform exactly: a slid, turned and zoomed copy leaves no residual', () => {
    const rotated = moved(EYES_NOSE_MOUTH, (p) => ({
      x: 1.1 * (p.x * Math.cos(0.2) - p.y * Math.sin(0.2)) + 30,
      y: 1.1 * (p.x * Math.sin(0.2) + p.y * Math.cos(0.2)) - 12,
    }));
    expect(similarityResidual(EYES_NOSE_MOUTH, rotated)).toBeLessThan(1e-9);
    expect(similarityResidual(EYES_NOSE_MOUTH, turn(3))).toBeGreaterThan(1);
  });

  it.each<[string, (i: number) => AnalysedFace[], string]>([
    ['a still re-sent', () => [face(EYES_NOSE_MOUTH)], 'the frames are one picture re-sent: no motion between them'],
    [
      'a picture slid and turned in 2D',
      (i) => [
        face(
          moved(EYES_NOSE_MOUTH, (p) => ({
            x: p.x * Math.cos(i * 0.03) - p.y * Math.sin(i * 0.03) + i * 9,
            y: p.x * Math.sin(i * 0.03) + p.y * Math.cos(i * 0.03),
          })),
        ),
      ],
      'the face moves only as a flat picture would (one 2D similarity transform)',
    ],
    ['another person from frame 3', (i) => [face(turn(i), i >= 3 ? 2 : 1)], 'the face changes identity between frames'],
    [
      'a frame of two people',
      (i) => (i === 1 ? [face(turn(i)), face(turn(i), 3, 150)] : [face(turn(i))]),
      'frame 2 shows several faces of comparable size',
    ],
    ['a frame with no face', (i) => (i === 4 ? [] : [face(turn(i))]), 'frame 5 shows no face'],
  ])('rejects %s', (_name, make, reason) => {
    expect(assessBurst(frames(make), timing)).toMatchObject({ pass: false, reason });
  });

  it('ignores a much smaller face behind the user', () => {
    expect(
      assessBurst(
        frames((i) => [face(turn(i)), face(EYES_NOSE_MOUTH, 5, 40)]),
        timing,
      ).pass,
    ).toBe(true);
  });

  it('compares frames of different resolutions by where the face is in the frame (the full-resolution still)', () => {
    const burst = frames((i) => [face(turn(i))]);
    burst[2] = {
      ...burst[2]!,
      width: 1280,
      height: 960,
      faces: [face(turn(2).map((p) => ({ x: p.x * 2, y: p.y * 2 })))],
    };
    expect(assessBurst(burst, timing).pass).toBe(true);
  });

  it('rejects byte-identical frames, and frames out of order, too few, too many, too short or too long', () => {
    const live = frames((i) => [face(turn(i))]);
    expect(
      assessBurst(
        live.map((f) => ({ ...f, sha256: 'same' })),
        timing,
      ).reason,
    ).toBe('two frames of the burst are byte-identical');
    expect(
      assessBurst(
        live.map((f, i) => ({ ...f, offsetMs: [0, 200, 100, 600, 800][i]! })),
        timing,
      ).reason,
    ).toBe('the frame times do not increase');
    expect(assessBurst(live.slice(0, 2), timing).reason).toMatch(/2 frames; 3 to 8/);
    expect(
      assessBurst([...live, ...live.map((f, i) => ({ ...f, sha256: `x${i}`, offsetMs: 1000 + i }))], timing).reason,
    ).toMatch(/10 frames/);
    expect(
      assessBurst(
        live.map((f, i) => ({ ...f, offsetMs: i * 10 })),
        timing,
      ).reason,
    ).toMatch(/span 40 ms/);
    expect(
      assessBurst(
        live.map((f, i) => ({ ...f, offsetMs: i * 2000 })),
        { ...timing, usedAt: 20_000 },
      ).reason,
    ).toMatch(/span 8000 ms/);
  });

  it('holds the burst to its challenge: not after expiry, not sooner after the challenge than it lasts', () => {
    const live = frames((i) => [face(turn(i))]);
    expect(assessBurst(live, { ...timing, usedAt: 100_001 }).reason).toBe(
      'the capture arrived after its challenge expired',
    );
    expect(assessBurst(live, { ...timing, usedAt: 1_500 }).reason).toBe(
      'the capture arrived sooner after its challenge than the burst lasts',
    );
  });
});
