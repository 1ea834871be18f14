import { DEFAULT_DECODE_LIMITS } from '../../config/image-limits.js';
import { openImage } from '../../infra/image/image-decoder.js';

// STATIC bursts made from one photo at test time, for the tiers that run the real face engine and for the benches that
// send a STATIC capture (bench/pipeline.bench.mjs). The attacks are what a person with only a photo can send: the same
// bytes repeated, the photo re-encoded and rescaled, the photo slid and turned in 2D. The stand-in is not a person:
// each frame is the photo sheared and stretched differently (an affine warp), which moves the nose and mouth against
// the eyes as no 2D similarity does. It passes the STATIC burst rules, which is exactly the limit docs/checks.md states
// (a crafted burst sent by a script is not stopped); it stands for the motion of a live head only in that one respect,
// and says nothing about real users.

export type PhotoBurstKind = 'stand-in' | 'repeated' | 're-encoded' | 'slid' | 'turned';

export interface PhotoBurst {
  image: Buffer;
  frames: Buffer[];
  stillOffsetMs: number;
  frameOffsetsMs: number[];
}

/** Frames 100 ms apart (400 ms in all, so a test waits little); the still is the middle one. */
export const BURST_OFFSETS = [0, 100, 200, 300, 400];
const STILL = 2;
// The still (index 2) is the photo itself, so the checks that read the still (the passive score, face search,
// face match) see the photo as it is; the frames around it carry the warp.
const SHEAR = [0.16, -0.12, 0, 0.18, -0.14];
const STRETCH = [0.1, -0.08, 0, 0.12, -0.08];

async function frame(base: Buffer, kind: PhotoBurstKind, i: number): Promise<Buffer> {
  // Through the decoder door like every other read of image bytes (image-decoder.test.ts).
  const img = (await openImage(base, { limits: DEFAULT_DECODE_LIMITS, failOn: 'truncated' })).image;
  switch (kind) {
    case 'repeated':
      return base;
    case 're-encoded':
      return img
        .resize(Math.round(640 * [1, 0.95, 0.9, 0.8, 0.75][i]!))
        .jpeg({ quality: [95, 80, 70, 60, 50][i]! })
        .toBuffer();
    case 'slid':
      return img
        .extend({ left: i * 8, top: i * 4, right: 32 - i * 8, bottom: 16 - i * 4, background: '#555555' })
        .jpeg({ quality: 90 })
        .toBuffer();
    case 'turned':
      return img
        .rotate((i - 2) * 3, { background: '#555555' })
        .jpeg({ quality: 90 })
        .toBuffer();
    case 'stand-in':
      return img
        .affine(
          [
            [1, SHEAR[i]!],
            [0, 1 + STRETCH[i]!],
          ],
          { background: '#555555' },
        )
        .jpeg({ quality: 90 })
        .toBuffer();
  }
}

/** A burst of `kind` from one photo (brought to 640 px wide first, as the capture page's frames are). */
export async function photoBurst(photo: Buffer, kind: PhotoBurstKind = 'stand-in'): Promise<PhotoBurst> {
  const opened = await openImage(photo, { limits: DEFAULT_DECODE_LIMITS, failOn: 'truncated' });
  const base = await opened.image.resize(640).jpeg({ quality: 92 }).toBuffer();
  const all = await Promise.all(BURST_OFFSETS.map((_, i) => frame(base, kind, i)));
  return {
    image: all[STILL]!,
    frames: all.filter((_, i) => i !== STILL),
    stillOffsetMs: BURST_OFFSETS[STILL]!,
    frameOffsetsMs: BURST_OFFSETS.filter((_, i) => i !== STILL),
  };
}
