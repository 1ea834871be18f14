import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import sharp, { type JpegOptions } from 'sharp';
import { describe, expect, it } from 'vitest';
import { losslessWebpBomb, palettePngBomb, progressiveJpegBomb } from '../../../bench/lib/hostile-images.mjs';
import { FaceEngineError } from '../../domain/ports/face-engine.port.js';
import { DEFAULT_DECODE_LIMITS } from '../../config/image-limits.js';
import { asImageError, inspectImage, jpegSamplesPerPixel, openImage, readImageHeader } from './image-decoder.js';

const jpeg = (options: JpegOptions, channels: 3 | 4 = 3) =>
  sharp({ create: { width: 64, height: 48, channels, background: '#d8d2c4' } })
    .jpeg(options)
    .toBuffer();
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (err: FaceEngineError) => err,
  );

describe('image headers', () => {
  it('counts the samples a progressive decoder keeps, from the frame header', async () => {
    expect(jpegSamplesPerPixel(await jpeg({ chromaSubsampling: '4:2:0' }))).toBe(1.5);
    expect(jpegSamplesPerPixel(await jpeg({ chromaSubsampling: '4:4:4' }))).toBe(3);
    const grey = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#888' } })
      .toColourspace('b-w')
      .jpeg()
      .toBuffer();
    expect(jpegSamplesPerPixel(grey)).toBe(1);
    const cmyk = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#abc' } })
      .toColourspace('cmyk')
      .jpeg()
      .toBuffer();
    expect(jpegSamplesPerPixel(cmyk)).toBe(4);
    expect(jpegSamplesPerPixel(Buffer.from([0xff, 0xd8, 0xff, 0xd9]))).toBeNull();
  });

  it('sees what makes the hostile files expensive: progressive scans, interlacing, lossless WebP', async () => {
    expect(await readImageHeader(await progressiveJpegBomb(16000, 12000))).toMatchObject({
      format: 'jpeg',
      width: 16000,
      height: 12000,
      progressive: true,
      jpegSamplesPerPixel: 1.5,
    });
    expect(await readImageHeader(palettePngBomb(12000, 12000))).toMatchObject({
      format: 'png',
      progressive: true,
      channels: 4,
      bytesPerSample: 1,
    });
    expect(await readImageHeader(palettePngBomb(12000, 12000, { interlaced: false, alpha: false }))).toMatchObject({
      progressive: false,
      channels: 3,
    });
    expect(await readImageHeader(await losslessWebpBomb(16383, 16383))).toMatchObject({
      format: 'webp',
      width: 16383,
      lossless: true,
    });
  });

  it('refuses what is not a JPEG, PNG or WebP, and a header that contradicts the content', async () => {
    expect((await refusal(readImageHeader(Buffer.from('GIF89a\x01\x00\x01\x00'))))?.code).toBe(
      'IMAGE_UNSUPPORTED_FORMAT',
    );
    expect((await refusal(readImageHeader(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))))?.code).toBe(
      'IMAGE_UNSUPPORTED_FORMAT',
    );
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    expect(
      (await refusal(readImageHeader(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), png.subarray(3)]))))?.code,
    ).toMatch(/IMAGE_CORRUPT|IMAGE_UNSUPPORTED_FORMAT/);
  });
});

describe('opening images', () => {
  it('refuses small files declaring huge images from their header, with the estimate in the message', async () => {
    for (const bytes of [
      await progressiveJpegBomb(16000, 12000),
      palettePngBomb(12000, 12000),
      await losslessWebpBomb(12000, 12000),
    ]) {
      const err = await refusal(openImage(bytes, { limits: DEFAULT_DECODE_LIMITS, maxSide: 3000 }));
      expect(err).toBeInstanceOf(FaceEngineError);
      expect(err?.code).toBe('IMAGE_TOO_LARGE');
      expect(err?.message).toMatch(/MiB to decode/);
      expect((await refusal(inspectImage(bytes, DEFAULT_DECODE_LIMITS)))?.code).toBe('IMAGE_TOO_LARGE');
    }
  });

  it('opens an image upright and shrunk to the side asked for, and reports both sizes', async () => {
    // 400 × 200 stored with orientation 6 (shown turned a quarter clockwise): 200 × 400 upright.
    const stored = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#f00' } })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const opened = await openImage(stored, { limits: DEFAULT_DECODE_LIMITS, maxSide: 100 });
    expect([opened.uprightWidth, opened.uprightHeight, opened.width, opened.height]).toEqual([200, 400, 50, 100]);
    const { info } = await opened.image.raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([50, 100]);
  });

  it('keeps the decoder’s own words for logs only: the code is stable, the message is not for clients', () => {
    const err = asImageError(
      new Error('VipsJpeg: Corrupt JPEG data: premature end of data segment\nvips2png: unable to write'),
    );
    expect(err.code).toBe('IMAGE_CORRUPT');
    expect(err.message).not.toContain('\n');
  });
});

describe('the decoder door', () => {
  it('is the only file that calls sharp() on bytes (tests aside)', () => {
    const root = join(import.meta.dirname, '..', '..');
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
      );
    const callers = files(root)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .filter((f) => /\bsharp\s*\(/.test(readFileSync(f, 'utf8').replace(/\/\/.*$/gm, '')))
      .map((f) => relative(root, f));
    expect(callers).toEqual([join('infra', 'image', 'image-decoder.ts')]);
  });
});
