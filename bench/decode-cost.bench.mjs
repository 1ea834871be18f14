// What decoding an image really costs, per format: each case runs in a fresh process that makes the image, resets
// its peak-memory mark (/proc/self/clear_refs), decodes it the way the server does (the face engine's intake at
// 3,000 px, the document reader's at 2,400 px grey, both with the decode limits lifted) and reports the growth of
// VmHWM. Beside each figure: decodeCost(), the estimate the limits are checked against, which must never be lower.
// Usage: npm run bench:decode [-- --sizes 4000x3000,8000x6000,16000x12000 --kinds pjpeg,ipng]
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import {
  palettePngBomb,
  progressiveJpegBomb,
  solidImage,
  withJpegSize,
  losslessWebpBomb,
} from './lib/hostile-images.mjs';

const dist = new URL('../dist/', import.meta.url);
const noise = (w, h) =>
  sharp({ create: { width: w, height: h, channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 30 } } });
const KINDS = {
  'baseline JPEG': (w, h) => solidImage(w, h, 'jpeg'),
  'progressive JPEG 4:2:0': (w, h) => progressiveJpegBomb(w, h),
  'progressive JPEG 4:4:4': async (w, h) =>
    withJpegSize(
      await sharp({ create: { width: 64, height: 48, channels: 3, background: '#d8d2c4' } })
        .jpeg({ progressive: true, chromaSubsampling: '4:4:4' })
        .toBuffer(),
      w,
      h,
    ),
  'plain PNG RGB': (w, h) => palettePngBomb(w, h, { interlaced: false, alpha: false }),
  'plain PNG RGBA': (w, h) => palettePngBomb(w, h, { interlaced: false }),
  'interlaced PNG RGB': (w, h) => palettePngBomb(w, h, { alpha: false }),
  'interlaced PNG RGBA': (w, h) => palettePngBomb(w, h),
  'lossy WebP (noise)': (w, h) => noise(w, h).webp({ quality: 50, effort: 0 }).toBuffer(),
  'lossless WebP (solid)': (w, h) => losslessWebpBomb(w, h),
  'lossless WebP (noise)': (w, h) => noise(w, h).webp({ lossless: true, effort: 0 }).toBuffer(),
};
const MiB = 1024 * 1024;
const vm = (field) =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;

if (process.argv[2] === '--child') {
  const [, , kind, w, h, path] = process.argv.slice(1);
  const bytes = await KINDS[kind](Number(w), Number(h));
  const { decodeImage } = await import(new URL('infra/face/image/image-intake.js', dist));
  const { loadDocumentImage } = await import(new URL('infra/mrz/document-image.js', dist));
  const { readImageHeader } = await import(new URL('infra/image/image-decoder.js', dist));
  const { decodeCost } = await import(new URL('infra/image/decode-limits.js', dist));
  const { DEFAULT_DECODE_LIMITS } = await import(new URL('config/image-limits.js', dist));
  const open = { ...DEFAULT_DECODE_LIMITS, maxPixels: 1e12, maxDecodeBytes: Number.MAX_SAFE_INTEGER };
  const header = await readImageHeader(bytes);
  const measure = async (decode) => {
    globalThis.gc?.();
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync('/proc/self/clear_refs', '5');
    const base = vm('VmRSS');
    const t = performance.now();
    let error = null;
    await decode().catch((err) => (error = err.code ?? err.message));
    return { peak: Math.round(vm('VmHWM') - base), ms: Math.round(performance.now() - t), error };
  };
  const decode =
    path === 'face'
      ? () => decodeImage(bytes, { ...open, minSide: 1, maxWorkingSide: 3000 })
      : () => loadDocumentImage(bytes, { limits: open });
  console.log(
    JSON.stringify({ bytes: bytes.length, estimate: Math.round(decodeCost(header) / MiB), ...(await measure(decode)) }),
  );
} else {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '4000x3000,8000x6000,16000x12000' },
      kinds: { type: 'string', default: 'all' },
    },
  });
  const kinds = Object.keys(KINDS).filter(
    (k) => values.kinds === 'all' || values.kinds.split(',').some((p) => k.includes(p)),
  );
  console.log('| image | size | file | estimate (decodeCost) | face intake peak | document reader peak |');
  console.log('|---|---|---|---|---|---|');
  for (const kind of kinds) {
    for (const size of values.sizes.split(',')) {
      const [w, h] = size.split('x').map(Number);
      if (kind.includes('noise') && w * h > 50e6) continue; // encoding noise that large takes minutes
      // One fresh process per measurement: memory a first decode leaves to the allocator would hide a second's.
      const child = (path) =>
        JSON.parse(
          execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', kind, w, h, path], {
            encoding: 'utf8',
          }),
        );
      const face = child('face');
      const out = { ...face, face, doc: child('doc') };
      const cell = (m) => `${m.peak} MiB${m.error ? ` (${m.error})` : ''}, ${m.ms} ms`;
      const mp = ((w * h) / 1e6).toFixed(0);
      console.log(
        `| ${kind} | ${w} × ${h} (${mp} MP) | ${out.bytes < 1024 ? `${out.bytes} B` : `${Math.round(out.bytes / 1024)} KB`} | ${out.estimate} MiB | ${cell(out.face)} | ${cell(out.doc)} |`,
      );
    }
  }
}
