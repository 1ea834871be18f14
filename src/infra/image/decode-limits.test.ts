import { describe, expect, it } from 'vitest';
import { DEFAULT_DECODE_LIMITS } from '../../config/image-limits.js';
import { decodeCost, exceedsLimits, type ImageHeader } from './decode-limits.js';

const MiB = 1024 * 1024;
const header = (h: Partial<ImageHeader>): ImageHeader => ({
  format: 'jpeg',
  width: 4000,
  height: 3000,
  orientation: 1,
  channels: 3,
  bytesPerSample: 1,
  progressive: false,
  jpegSamplesPerPixel: 1.5,
  lossless: false,
  ...h,
});

describe('decodeCost', () => {
  it('charges formats that hold the whole frame for every pixel, and streamed ones for the working size', () => {
    const big = { width: 16000, height: 12000 };
    // Measured (docs/benchmarks.md, MiB): 35 baseline, 585 progressive 4:2:0, 1,134 progressive 4:4:4.
    expect(decodeCost(header(big)) / MiB).toBeLessThan(80);
    expect(decodeCost(header({ ...big, progressive: true })) / MiB).toBeGreaterThan(585);
    expect(decodeCost(header({ ...big, progressive: true, jpegSamplesPerPixel: 3 })) / MiB).toBeGreaterThan(1134);
    // Interlaced PNG holds channels × bytes per sample for every pixel (820 MiB measured for RGBA 192 MP).
    expect(decodeCost(header({ ...big, format: 'png', progressive: true, channels: 4 })) / MiB).toBeGreaterThan(820);
    expect(decodeCost(header({ ...big, format: 'png', channels: 4 })) / MiB).toBeLessThan(220);
    expect(decodeCost(header({ ...big, format: 'webp', lossless: true })) / MiB).toBeGreaterThan(700);
    expect(decodeCost(header({ ...big, format: 'webp' })) / MiB).toBeLessThan(80);
  });

  it('grows with the output only up to the working size', () => {
    expect(decodeCost(header({ width: 100, height: 100 }))).toBeLessThan(
      decodeCost(header({ width: 3000, height: 2000 })),
    );
    expect(decodeCost(header({ width: 6000, height: 4000 }))).toBe(decodeCost(header({ width: 12000, height: 8000 })));
  });
});

describe('exceedsLimits', () => {
  it('lets ordinary photos through: any baseline JPEG up to the pixel limit, a 12 MP progressive one', () => {
    expect(exceedsLimits(header({ width: 16320, height: 12240 }), DEFAULT_DECODE_LIMITS)).toBeNull();
    expect(exceedsLimits(header({ progressive: true }), DEFAULT_DECODE_LIMITS)).toBeNull();
    expect(
      exceedsLimits(header({ format: 'png', width: 16000, height: 9000, channels: 3 }), DEFAULT_DECODE_LIMITS),
    ).toBeNull();
  });

  it('refuses by pixel count, by side, and by the memory decoding would take', () => {
    expect(exceedsLimits(header({ width: 16384, height: 12300 }), DEFAULT_DECODE_LIMITS)).toMatch(
      /limits are 200000000 pixels/,
    );
    expect(exceedsLimits(header({ width: 20000, height: 60 }), DEFAULT_DECODE_LIMITS)).toMatch(/16384 px per side/);
    expect(exceedsLimits(header({ width: 16000, height: 12000, progressive: true }), DEFAULT_DECODE_LIMITS)).toMatch(
      /progressive jpeg .* about 6\d\d MiB to decode; the limit is 192 MiB/,
    );
    expect(
      exceedsLimits(
        header({ format: 'png', width: 12000, height: 12000, progressive: true, channels: 4 }),
        DEFAULT_DECODE_LIMITS,
      ),
    ).toMatch(/interlaced png/);
  });
});
