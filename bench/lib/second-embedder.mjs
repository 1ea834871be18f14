// The second opinion evaluated in docs/accuracy.md: the 128-d ResNet of @vladmandic/face-api (dlib's face
// recognition network) on the TensorFlow.js WebAssembly backend, fed a 150×150 chip aligned by openidv's own five
// landmarks onto dlib's chip template. Bench-only (devDependencies): the product does not use it.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { invertAffine } from '../../dist/infra/face/geometry/affine.js';
import { estimateSimilarity } from '../../dist/infra/face/geometry/similarity-transform.js';
import { warpAffine } from '../../dist/infra/face/image/affine-warp.js';
import { ImagePyramid } from '../../dist/infra/face/image/image-pyramid.js';

const require = createRequire(import.meta.url);
export const CHIP = 150;

/**
 * dlib's get_face_chip_details(size 150, padding 0.25) maps its mean face shape (unit square) to the chip; these
 * are that shape's eye centres, nose tip and mouth corners (mean of outer and inner lip corners, as openidv's
 * five points are), at (v + 0.25) / 1.5 × 150.
 */
const DLIB_TEMPLATE = [
  { x: 47.54, y: 46.6 },
  { x: 100.48, y: 46.6 },
  { x: 74.01, y: 76.56 },
  { x: 52.23, y: 103.25 },
  { x: 95.8, y: 103.25 },
];

export async function loadSecondEmbedder() {
  let faceapi;
  let wasm;
  try {
    wasm = require('@tensorflow/tfjs-backend-wasm');
    faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  } catch {
    throw new Error(
      'the second embedder needs the devDependencies @vladmandic/face-api, @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm (npm ci)',
    );
  }
  wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
  await faceapi.tf.setBackend('wasm');
  await faceapi.tf.ready();
  await faceapi.nets.faceRecognitionNet.loadFromDisk(
    join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model'),
  );
  const tf = faceapi.tf;
  return {
    name: '@vladmandic/face-api 1.7.15 faceRecognitionNet (dlib ResNet, 128-d), tfjs-wasm',
    dimensions: 128,
    /** Decoded upright RGB of one image file, for align(). */
    async decode(path) {
      const { data, info } = await sharp(path, { autoOrient: true })
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      return new ImagePyramid({
        data: new Uint8Array(data.buffer, data.byteOffset, data.length),
        width: info.width,
        height: info.height,
      });
    },
    align(pyramid, landmarks) {
      return warpAffine(pyramid, invertAffine(estimateSimilarity(landmarks, DLIB_TEMPLATE)), CHIP, CHIP, 'replicate');
    },
    /** L2-normalised 128-d descriptor of an aligned chip. */
    async embed(chip) {
      const input = tf.tidy(() => tf.tensor4d(Float32Array.from(chip), [1, CHIP, CHIP, 3]));
      const out = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(input);
      input.dispose();
      const v = Float32Array.from(out);
      const n = Math.hypot(...v) || 1;
      for (let i = 0; i < v.length; i++) v[i] /= n;
      return v;
    },
  };
}

/**
 * The second embedder's descriptor of every face of every analysed photo (same order as the analysis), cached to a
 * file; also the time per face (align + embed, one thread), whose median is the cost a fusion would add.
 */
export async function secondOpinionAll(images, cachePath, log = (s) => process.stderr.write(s)) {
  const { existsSync, readFileSync, writeFileSync } = await import('node:fs');
  const faces = images.reduce((n, im) => n + im.faces.length, 0);
  if (cachePath && existsSync(cachePath)) {
    const cached = JSON.parse(readFileSync(cachePath, 'utf8'));
    if (cached.faces === faces) {
      const all = new Float32Array(Buffer.from(cached.descriptors, 'base64').buffer.slice(0));
      let k = 0;
      return { ...cached, perImage: images.map((im) => im.faces.map(() => all.subarray(128 * k, 128 * ++k))) };
    }
  }
  const embedder = await loadSecondEmbedder();
  const all = new Float32Array(faces * 128);
  const ms = [];
  let k = 0;
  const started = Date.now();
  for (const [i, im] of images.entries()) {
    if (!im.faces.length) continue;
    const pyramid = await embedder.decode(im.path);
    for (const f of im.faces) {
      const t = performance.now();
      all.set(await embedder.embed(embedder.align(pyramid, f.landmarks)), 128 * k++);
      ms.push(performance.now() - t);
    }
    if ((i + 1) % 250 === 0)
      log(
        `\rsecond embedder ${i + 1}/${images.length} (${((i + 1) / ((Date.now() - started) / 1000)).toFixed(1)} photos/s)`,
      );
  }
  log('\n');
  ms.sort((a, b) => a - b);
  const result = {
    embedder: embedder.name,
    faces,
    msPerFace: { p50: ms[Math.floor(ms.length / 2)], p95: ms[Math.floor(ms.length * 0.95)] },
  };
  if (cachePath)
    writeFileSync(cachePath, JSON.stringify({ ...result, descriptors: Buffer.from(all.buffer).toString('base64') }));
  let j = 0;
  return { ...result, perImage: images.map((im) => im.faces.map(() => all.subarray(128 * j, 128 * ++j))) };
}

/**
 * Cost per face of each embedder on the same faces, interleaved in one thread so both see the same machine load:
 * openidv's (align to 112 + fr_feature) and the second one (align to 150 + ResNet). Medians in ms.
 */
export async function embedderCost(images, count = 150) {
  const { loadFaceSessions, releaseFaceSessions } = await import(
    '../../dist/infra/face/models/onnx-sessions.loader.js'
  );
  const { defaultModelsDir } = await import('../../dist/infra/face/model-set.js');
  const { FaceEmbedder, alignFace } = await import('../../dist/infra/face/models/face-embedder.js');
  const sessions = await loadFaceSessions(defaultModelsDir());
  const first = new FaceEmbedder(sessions.feature, false, 'bgr');
  const second = await loadSecondEmbedder();
  const picked = images
    .filter((im) => im.faces.length)
    .filter((_, i) => i % 7 === 0)
    .slice(0, count);
  const t1 = [];
  const t2 = [];
  for (const [k, im] of picked.entries()) {
    const pyramid = await second.decode(im.path);
    const f = im.faces[0];
    let t = performance.now();
    await first.embed(alignFace(pyramid, f.landmarks));
    if (k >= 10) t1.push(performance.now() - t); // the first runs warm the runtimes up
    t = performance.now();
    await second.embed(second.align(pyramid, f.landmarks));
    if (k >= 10) t2.push(performance.now() - t);
  }
  await releaseFaceSessions(sessions);
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return {
    faces: t1.length,
    openidv_ms: Math.round(median(t1) * 10) / 10,
    second_ms: Math.round(median(t2) * 10) / 10,
  };
}
