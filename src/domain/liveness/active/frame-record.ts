import type { FrameAnalysis } from './frame-analysis.js';

// A streamed frame's analysis as it waits in the store until its challenge is decided. The tracker's state is
// rebuilt from these on every frame (frames of one challenge may reach different API processes), so the round trip
// must be exact: the embedding travels as the bytes of its float32 array, a quarter the size of its JSON numbers.

export interface StoredFrame {
  analysis: FrameAnalysis;
  /** The frame kept as audit media: the frame that met a step. */
  mediaId?: string;
}

export function frameToJson(frame: StoredFrame): string {
  const { analysis, mediaId } = frame;
  const face = analysis.face;
  return JSON.stringify({
    ...analysis,
    ...(face && {
      face: { ...face, embedding: Buffer.from(Float32Array.from(face.embedding).buffer).toString('base64') },
    }),
    ...(mediaId && { mediaId }),
  });
}

export function frameFromJson(text: string): StoredFrame {
  const { mediaId, ...analysis } = JSON.parse(text) as FrameAnalysis & { mediaId?: string };
  const face = analysis.face as (FrameAnalysis['face'] & { embedding: unknown }) | undefined;
  if (face && typeof face.embedding === 'string') {
    const bytes = Buffer.from(face.embedding, 'base64');
    face.embedding = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).slice();
  }
  return { analysis, ...(mediaId && { mediaId }) };
}
