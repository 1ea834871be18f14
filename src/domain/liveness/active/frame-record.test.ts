import { describe, expect, it } from 'vitest';
import type { FrameAnalysis } from './frame-analysis.js';
import { frameFromJson, frameToJson } from './frame-record.js';

describe('a streamed frame as stored until its challenge is decided', () => {
  const embedding = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i * 0.37) / 16);
  const analysis: FrameAnalysis = {
    digest: 'ab'.repeat(32),
    perceptualHash: 'cd'.repeat(32),
    width: 640,
    height: 480,
    faceCount: 1,
    face: {
      box: { x: 10.5, y: 20.25, width: 200, height: 240 },
      landmarks: Array.from({ length: 68 }, (_, i) => ({ x: i * 1.1, y: i / 3 })),
      yawDeg: -23.4567,
      pitchDeg: 4.2,
      rollDeg: 0.1,
      embedding,
      passive: 0.8123,
    },
  };

  it('comes back exactly, embedding included, so the tracker rebuilt from it decides as the live one did', () => {
    const back = frameFromJson(frameToJson({ analysis, mediaId: 'm1' }));
    expect(back.mediaId).toBe('m1');
    expect(back.analysis.face!.embedding).toBeInstanceOf(Float32Array);
    expect(Array.from(back.analysis.face!.embedding)).toEqual(Array.from(embedding));
    expect({ ...back.analysis, face: { ...back.analysis.face, embedding: null } }).toEqual({
      ...analysis,
      face: { ...analysis.face, embedding: null },
    });
  });

  it('keeps a frame without a face, and stores the embedding smaller than JSON numbers would', () => {
    const noFace: FrameAnalysis = { digest: 'x', perceptualHash: '', width: 1, height: 1, faceCount: 0 };
    expect(frameFromJson(frameToJson({ analysis: noFace }))).toEqual({ analysis: noFace });
    const naive = JSON.stringify({ ...analysis, face: { ...analysis.face, embedding: Array.from(embedding) } });
    expect(frameToJson({ analysis }).length).toBeLessThan(naive.length / 1.5);
  });
});
