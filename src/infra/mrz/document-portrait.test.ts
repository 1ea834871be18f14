import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { cropPortrait } from './document-portrait.js';

describe('cropPortrait', () => {
  // A 400 × 300 page: transparent paper (its hidden pixels black) around an opaque grey "face" square.
  async function page(): Promise<Buffer> {
    const rgba = Buffer.alloc(400 * 300 * 4);
    for (let y = 100; y < 160; y++) for (let x = 100; x < 160; x++) rgba.set([128, 128, 128, 255], (y * 400 + x) * 4);
    return sharp(rgba, { raw: { width: 400, height: 300, channels: 4 } })
      .png()
      .toBuffer();
  }

  it('cuts ID-photo proportions around the face, transparent paper turned white', async () => {
    const crop = Buffer.from(await cropPortrait(await page(), { x: 100, y: 100, width: 60, height: 60 }));
    const { data, info } = await sharp(crop).raw().toBuffer({ resolveWithObject: true });
    expect(info.height / info.width).toBeCloseTo(45 / 35, 1);
    expect(data[0]).toBeGreaterThan(240); // top-left corner: paper, not the black behind it
    const mid = (Math.round(info.height * 0.55) * info.width + Math.round(info.width / 2)) * info.channels;
    expect(data[mid]).toBeGreaterThan(110);
    expect(data[mid]).toBeLessThan(145);
  });

  it('cuts from the upright page when the photo carries an EXIF orientation', async () => {
    // Four coloured quadrants, stored turned (orientation 6 = show it turned a quarter clockwise).
    const quadrant = (c: string) =>
      sharp({ create: { width: 200, height: 150, channels: 3, background: c } })
        .png()
        .toBuffer();
    const upright = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#ff0000' } })
      .composite([
        { input: await quadrant('#0000ff'), left: 200, top: 0 },
        { input: await quadrant('#00ff00'), left: 0, top: 150 },
        { input: await quadrant('#ffff00'), left: 200, top: 150 },
      ])
      .png()
      .toBuffer();
    const stored = await sharp(upright).rotate(-90).withMetadata({ orientation: 6 }).png().toBuffer();
    const face = { x: 260, y: 180, width: 60, height: 60 }; // in the yellow quadrant of the upright page
    const [a, b] = await Promise.all([cropPortrait(upright, face), cropPortrait(stored, face)]);
    const pixels = async (jpeg: Uint8Array) =>
      (await sharp(Buffer.from(jpeg)).raw().toBuffer({ resolveWithObject: true })).data;
    const [pa, pb] = await Promise.all([pixels(a), pixels(b)]);
    expect(pb.length).toBe(pa.length);
    expect([pb[0], pb[1], pb[2]].map((v) => Math.round((v as number) / 64))).toEqual([4, 4, 0]);
  });

  it('stays inside a page whose face box touches the edge', async () => {
    const crop = await cropPortrait(await page(), { x: 360, y: 250, width: 60, height: 60 });
    // The 78 × 100 window starts at (351, 225) and is cut at the page's right and bottom edges.
    const meta = await sharp(Buffer.from(crop)).metadata();
    expect([meta.width, meta.height]).toEqual([49, 75]);
  });
});
