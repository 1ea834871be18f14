import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { hashDistance } from '../../../domain/liveness/active/frame-ledger.js';
import { perceptualHashOf } from './face-model.frame-analyser.js';

// The replay ledger's hash: stable under re-encoding and resizing, far apart for different pictures.

function scene(seed: number, shift = 0): Promise<Buffer> {
  const w = 320;
  const data = Buffer.alloc(w * w * 3);
  let s = seed;
  const rnd = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  // Smooth blobs on a flat background, the way a face in a room looks at thumbnail scale.
  const blobs = Array.from({ length: 6 }, () => ({ x: rnd() * w, y: rnd() * w, r: 20 + rnd() * 60, c: rnd() * 255 }));
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < w; x++) {
      let v = 128;
      for (const b of blobs) if ((x - b.x - shift) ** 2 + (y - b.y) ** 2 < b.r * b.r) v = b.c;
      data.fill(Math.max(0, Math.min(255, v + (rnd() - 0.5) * 6)), (y * w + x) * 3, (y * w + x) * 3 + 3);
    }
  }
  return sharp(data, { raw: { width: w, height: w, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

describe('perceptualHashOf', () => {
  it('gives 256 bits that survive re-encoding and resizing', async () => {
    const a = await scene(1);
    const h = await perceptualHashOf(a);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    const reencoded = await sharp(a).jpeg({ quality: 70 }).toBuffer();
    const resized = await sharp(a).resize(280).jpeg({ quality: 80 }).toBuffer();
    expect(hashDistance(h, await perceptualHashOf(reencoded))).toBeLessThanOrEqual(3 / 256);
    expect(hashDistance(h, await perceptualHashOf(resized))).toBeLessThanOrEqual(6 / 256);
  });

  it('tells different scenes apart', async () => {
    const h1 = await perceptualHashOf(await scene(1));
    const h2 = await perceptualHashOf(await scene(2));
    expect(hashDistance(h1, h2)).toBeGreaterThan(0.25);
  });

  it('rejects what is not an image', async () => {
    await expect(perceptualHashOf(new Uint8Array([1, 2, 3]))).rejects.toThrow();
  });
});
