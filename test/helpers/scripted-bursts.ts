import type { AnalysedFace, FaceAnalysis } from '../../src/domain/ports/face-engine.port.js';
import type { LivenessBurst } from '../../src/domain/capture/capture.service.js';
import type { ScriptedFaceEngine } from '../fakes/scripted-face-engine.js';
import { aFaceResult } from './records.js';

// Scripted STATIC bursts for the unit tier: what the face engine "finds" in each of five frames. A live burst's
// nose and mouth move against the eyes (a head turning a little); a still re-sent finds the same points in every
// frame; a picture slid in 2D moves all points together. The real engine on real photos is measured in
// test/integration/static-burst.test.ts.

export type BurstKind = 'live' | 'still' | 'slid' | 'two-people';

const OFFSETS = [0, 200, 400, 600, 800];

function faceIn(kind: BurstKind, i: number, seed: number, liveness: number): AnalysedFace {
  const base = { ...aFaceResult(kind === 'two-people' && i >= 3 ? seed + 1000 : seed), liveness };
  const turn = kind === 'live' || kind === 'two-people' ? [0, 3, -2, 4, -3][i]! : 0;
  const slide = kind === 'slid' ? i * 7 : 0;
  const landmarks = base.landmarks.map((p, k) => ({
    // The nose (2) and mouth (3, 4) are nearer the camera than the eyes: a turn moves them further.
    x: p.x + slide + (k === 2 ? turn * 1.5 : k >= 3 ? turn * 0.8 : 0),
    y: p.y + slide / 2,
  })) as AnalysedFace['landmarks'];
  return { ...base, landmarks };
}

/** Five distinct JPEG-looking buffers, scripted as a burst of `kind`; the still is the middle frame. */
export function scriptBurst(
  engine: ScriptedFaceEngine,
  kind: BurstKind,
  seed = 7,
  tag = 0,
  liveness = 0.91,
): Omit<LivenessBurst, 'challengeId' | 'nonce'> {
  const frames = OFFSETS.map((_, i) =>
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, seed & 0xff, tag & 0xff, tag >> 8, i]),
  );
  frames.forEach((bytes, i) => {
    const analysis: Omit<FaceAnalysis, 'modelSetId'> = {
      width: 640,
      height: 480,
      rotation: 0,
      faces: [faceIn(kind, i, seed, liveness)],
    };
    engine.script(bytes, analysis);
  });
  const stillAt = 2;
  return {
    image: { data: frames[stillAt]! },
    frames: frames.filter((_, i) => i !== stillAt).map((data) => ({ data })),
    stillOffsetMs: OFFSETS[stillAt]!,
    frameOffsetsMs: OFFSETS.filter((_, i) => i !== stillAt),
  };
}
