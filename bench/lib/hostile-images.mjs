// Small files that declare huge images: what an attacker uploads to make a decoder spend memory. Each one is a
// valid image (or a valid header with its data cut short) of any declared size, and takes milliseconds and a
// few bytes to make, so tests and benchmarks can send many. Shared by test/e2e/hostile-*.e2e.test.ts and
// bench/hostile-uploads.bench.mjs.
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** A solid-colour image of real pixels (slow above a few megapixels: libvips encodes every one). */
export function solidImage(width, height, format = 'png', options = {}) {
  return sharp({ create: { width, height, channels: 3, background: '#d8d2c4' } })
    [format](options)
    .toBuffer();
}

/**
 * A progressive JPEG declaring width × height. A progressive decoder keeps every DCT coefficient of the whole
 * frame (2 bytes a sample, zeroed before the first scan), so the cost is paid before the missing data is noticed:
 * 529 bytes declaring 16000 × 12000 cost about 570 MB.
 */
export async function progressiveJpegBomb(width, height) {
  return withJpegSize(
    await sharp({ create: { width: 64, height: 48, channels: 3, background: '#d8d2c4' } })
      .jpeg({ progressive: true })
      .toBuffer(),
    width,
    height,
  );
}

/** Rewrites the frame size in a JPEG's SOFn header. */
export function withJpegSize(jpeg, width, height) {
  const out = Buffer.from(jpeg);
  for (let i = 2; i + 9 < out.length; ) {
    const marker = out[i + 1];
    if (out[i] !== 0xff) break;
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
    i += 2 + out.readUInt16BE(i + 2);
  }
  throw new Error('no JPEG frame header found');
}

function pngChunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0);
  return Buffer.concat([head, data, crc]);
}

// Adam7 passes: [x0, y0, dx, dy].
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/**
 * A complete, valid 1-bit palette PNG of width × height: the pixels compress about 1000:1 (a 16000 × 16000 file
 * is some 30 KB), and a decoder expands them to 8-bit RGB, or RGBA with `alpha`. Adam7 interlacing (the default)
 * forces a decoder to hold the whole frame; without it, rows can be streamed.
 */
export function palettePngBomb(width, height, { interlaced = true, alpha = true } = {}) {
  const rows = [];
  const passes = interlaced ? ADAM7 : [[0, 0, 1, 1]];
  for (const [x0, y0, dx, dy] of passes) {
    const w = Math.ceil((width - x0) / dx);
    const h = Math.ceil((height - y0) / dy);
    if (w > 0 && h > 0) rows.push(h * (1 + Math.ceil(w / 8)));
  }
  const raw = Buffer.alloc(rows.reduce((a, b) => a + b, 0)); // filter 0, palette index 0 everywhere
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([1, 3, 0, 0, interlaced ? 1 : 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('PLTE', Buffer.from([0xd8, 0xd2, 0xc4])),
    ...(alpha ? [pngChunk('tRNS', Buffer.from([0xf0]))] : []),
    pngChunk('IDAT', deflateSync(raw, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A valid lossless WebP of one colour at width × height (at most 16383 a side): libwebp codes a solid image with
 * zero bits a pixel, so the file is 38 bytes whatever the size, and decoding it without shrinking costs
 * width × height × 4 bytes and more.
 */
export async function losslessWebpBomb(width, height) {
  const out = Buffer.from(
    await sharp({ create: { width: 64, height: 48, channels: 3, background: '#d8d2c4' } })
      .webp({ lossless: true, effort: 0 })
      .toBuffer(),
  );
  const at = out.indexOf('VP8L') + 9; // chunk header (8) + signature byte
  const bits = out.readUInt32LE(at);
  out.writeUInt32LE(((bits & ~0x0fffffff) | (width - 1) | ((height - 1) << 14)) >>> 0, at);
  return out;
}

/** The hostile kinds every upload route is tried with, at the sizes that hurt most. */
export const HOSTILE_KINDS = {
  'progressive JPEG 16000 x 12000': () => progressiveJpegBomb(16000, 12000),
  'interlaced PNG 16000 x 16000': () => palettePngBomb(16000, 16000),
  // Under the 200 MP pixel limit: only the decode-memory estimate refuses it.
  'interlaced PNG 12000 x 12000': () => palettePngBomb(12000, 12000),
  'lossless WebP 16383 x 16383': () => losslessWebpBomb(16383, 16383),
  'lossless WebP 12000 x 12000': () => losslessWebpBomb(12000, 12000),
  // Just under the default decoding budget (192 MiB estimated): decoded, so it shows the budget at work.
  'progressive JPEG 7200 x 5400': () => progressiveJpegBomb(7200, 5400),
};
