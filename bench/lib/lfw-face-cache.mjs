// Every face the engine finds in every photo of an LFW-layout folder, analysed once and cached to a file so the
// search, selection, fusion and quality evaluations can be re-run without the models (~2 min on 2 cores).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFaceEngine } from '../../dist/infra/face/face-engine.factory.js';

const toB64 = (f32) => Buffer.from(f32.buffer, f32.byteOffset, f32.byteLength).toString('base64');
const fromB64 = (s) => {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

/** LFW photos, person by person, sorted (the order the gallery/probe split relies on). */
export function lfwPhotos(lfw) {
  const root = join(lfw, 'images');
  return readdirSync(root)
    .sort()
    .flatMap((person) =>
      readdirSync(join(root, person))
        .sort()
        .map((f) => ({ person, path: join(root, person, f) })),
    );
}

/**
 * Analysis of every photo: { person, path, width, height, faces: [{ box, landmarks, detectorScore, quality,
 * embedding }] } with faces largest first (the engine's order, up to its 10-face cap).
 */
export async function analyseAll(photos, cachePath, log = (s) => process.stderr.write(s)) {
  if (cachePath && existsSync(cachePath)) {
    const cached = JSON.parse(readFileSync(cachePath, 'utf8'));
    if (cached.length === photos.length) {
      for (const im of cached) for (const f of im.faces) f.embedding = fromB64(f.embedding);
      return cached;
    }
  }
  const engine = await createFaceEngine({});
  const out = new Array(photos.length);
  let next = 0;
  let done = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < photos.length) {
        const i = next++;
        const { person, path } = photos[i];
        try {
          const a = await engine.analyse(readFileSync(path), { liveness: false });
          out[i] = {
            person,
            path,
            width: a.width,
            height: a.height,
            rotation: a.rotation,
            faces: a.faces.map(({ box, landmarks, detectorScore, quality, embedding }) => ({
              box,
              landmarks,
              detectorScore,
              quality,
              embedding,
            })),
          };
        } catch (err) {
          out[i] = { person, path, width: 0, height: 0, rotation: 0, faces: [], error: String(err) };
        }
        if (++done % 250 === 0)
          log(`\ranalysed ${done}/${photos.length} (${(done / ((Date.now() - started) / 1000)).toFixed(1)}/s)`);
      }
    }),
  );
  log('\n');
  await engine.close();
  if (cachePath) {
    const serial = out.map((im) => ({ ...im, faces: im.faces.map((f) => ({ ...f, embedding: toB64(f.embedding) })) }));
    writeFileSync(cachePath, JSON.stringify(serial));
  }
  return out;
}

/** LFW crops are centred on the labelled person: the face nearest the centre is the ground truth. */
export function centralFaceIndex(image) {
  let best = -1;
  let bestD = Infinity;
  image.faces.forEach((f, i) => {
    const d = Math.hypot(f.box.x + f.box.width / 2 - image.width / 2, f.box.y + f.box.height / 2 - image.height / 2);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}
