import { DEFAULT_DECODE_LIMITS } from '../../config/image-limits.js';
import { openImage, rawImage } from '../../infra/image/image-decoder.js';
import { toGray, type GrayImage } from '../../infra/image/gray-image.js';
import { sampleLine, type LineAxis } from '../../infra/mrz/line-sampler.js';
import {
  cellEdge,
  cellFeatures,
  CELL_H,
  CELL_W,
  fitCells,
  inkMap,
  measureLine,
} from '../../infra/ocr/ocrb/ocrb-cells.js';
import { createMlp, mlpForward, OCRB_ALPHABET, type MlpWeights } from '../../infra/ocr/ocrb/ocrb-network.js';
import { type Rng, seededRandom } from '../../shared/seeded-random.js';
import { OCRB_ADVANCE_EM, OCRB_CAP_EM, renderOcrbLines } from './ocrb-synth.js';
import { LINE_GLYPH_HEIGHT } from '../../infra/ocr/ocrb/ocrb-line-reader.js';

// Training data for the OCR-B classifier: random MRZ-like lines in the OCR-B font, degraded the way phone
// photos and scans degrade them (resolution, blur, stroke weight, background print, uneven light, noise,
// JPEG), then cut into cells by exactly the code that cuts real lines. No real document is used, so the
// specimen images stay a fair test set.

const uniform = (rng: Rng, a: number, b: number): number => a + (b - a) * rng();
const pick = (rng: Rng, items: string): string => items[Math.floor(rng() * items.length)] as string;
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';

/** Text shaped like MRZ lines: words, digit runs and filler runs, with every character well represented. */
export function randomMrzText(length: number, rng: Rng): string {
  let s = '';
  while (s.length < length) {
    const r = rng();
    const n = 1 + Math.floor(rng() * 8);
    if (r < 0.3) s += '<'.repeat(n);
    else if (r < 0.65) s += Array.from({ length: n }, () => pick(rng, LETTERS)).join('');
    else if (r < 0.9) s += Array.from({ length: n }, () => pick(rng, DIGITS)).join('');
    else s += Array.from({ length: n }, () => pick(rng, OCRB_ALPHABET)).join('');
  }
  return s.slice(0, length);
}

export interface SynthLine {
  gray: GrayImage;
  axis: LineAxis;
  /** Where the first cell really starts and the last one ends, and the mean pitch, in source pixels. */
  cellStart: number;
  cellEnd: number;
  pitch: number;
}

/** One degraded line at a random resolution, with the axis a line finder would report (jittered). */
export async function synthLine(text: string, rng: Rng): Promise<SynthLine> {
  const fontSize = 64;
  const r = await renderOcrbLines([text], { fontSize, marginX: 40, marginTop: 30 });
  const hi = await toGray((await openImage(r.png, { limits: DEFAULT_DECODE_LIMITS })).image);
  const { width: W, height: H } = hi;
  // Stroke weight: soften then re-threshold the glyph coverage at a random level.
  const alphaBlur = uniform(rng, 0.3, 2.5);
  const soft = await toGray(rawImage(hi.data, { width: W, height: H, channels: 1 }).blur(alphaBlur));
  const level = uniform(rng, 0.3, 0.75);
  const paper = uniform(rng, 120, 255);
  const ink = uniform(rng, 0, Math.max(0, paper - 60));
  const texAmp = rng() < 0.6 ? uniform(rng, 0, Math.min(50, (paper - ink) * 0.35)) : 0;
  const texPeriod = uniform(rng, 3, 30) * (fontSize / 20);
  const texAngle = uniform(rng, 0, Math.PI);
  const texPhase = uniform(rng, 0, 2 * Math.PI);
  const light = uniform(rng, -0.35, 0.35);
  const out = new Uint8Array(W * H);
  const cos = Math.cos(texAngle);
  const sin = Math.sin(texAngle);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const cover = 1 - (soft.data[i] as number) / 255;
      const a = Math.min(1, Math.max(0, (cover - level) * 4 + 0.5));
      const bg =
        paper * (1 + light * (x / W - 0.5)) +
        texAmp * Math.sin(((x * cos + y * sin) / texPeriod) * 2 * Math.PI + texPhase);
      out[i] = Math.max(0, Math.min(255, Math.round(bg * (1 - a) + ink * a)));
    }
  }
  // Perspective along the line: glyphs shrink (or grow) steadily towards one end, by up to 10 %.
  const persp = rng() < 0.5 ? uniform(rng, -0.1, 0.1) : 0;
  const warped = persp === 0 ? out : warpAlongLine(out, W, H, persp);
  // Resolution: cap height between 8 and 40 pixels, log-uniform (phone photos of ID cards sit at the low end).
  const targetCap = Math.exp(uniform(rng, Math.log(8), Math.log(40)));
  const scale = targetCap / (fontSize * OCRB_CAP_EM);
  const stretch = uniform(rng, 0.9, 1.12);
  const tw = Math.max(16, Math.round(W * scale * stretch));
  const th = Math.max(8, Math.round(H * scale));
  let pipeline = rawImage(warped, { width: W, height: H, channels: 1 }).resize(tw, th, { fit: 'fill' });
  const blur = uniform(rng, 0, 1.4);
  if (blur > 0.3) pipeline = pipeline.blur(blur);
  const noisy = await toGray(pipeline);
  const noise = uniform(rng, 0, 10);
  for (let i = 0; i < noisy.data.length; i++) {
    const g = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    noisy.data[i] = Math.max(0, Math.min(255, Math.round((noisy.data[i] as number) + g * noise)));
  }
  let gray = noisy;
  if (rng() < 0.5) {
    const jpg = await rawImage(noisy.data, { width: tw, height: th, channels: 1 })
      .jpeg({ quality: Math.round(uniform(rng, 30, 95)) })
      .toBuffer();
    gray = await toGray((await openImage(jpg, { limits: DEFAULT_DECODE_LIMITS })).image);
  }
  const sx = scale * stretch;
  const origin = r.lineOrigins[0] as { x: number; baseline: number };
  const pitch = fontSize * OCRB_ADVANCE_EM * sx;
  const cap = fontSize * OCRB_CAP_EM * scale;
  const centreY = (origin.baseline - (fontSize * OCRB_CAP_EM) / 2) * scale;
  // What a line finder reports: axis through the glyph centres, from first to last ink, height ~ glyphs.
  const x0 = warpX(origin.x + fontSize * OCRB_ADVANCE_EM * 0.15, W, persp) * sx;
  const x1 = warpX(origin.x + fontSize * OCRB_ADVANCE_EM * (text.length - 0.17), W, persp) * sx;
  const tilt = uniform(rng, -0.012, 0.012) * (x1 - x0);
  const dy = uniform(rng, -0.12, 0.12) * cap;
  const axis: LineAxis = {
    x0: x0 + uniform(rng, -0.3, 0.3) * pitch,
    y0: centreY + dy - tilt / 2,
    x1: x1 + uniform(rng, -0.3, 0.3) * pitch,
    y1: centreY + dy + tilt / 2,
    height: cap * uniform(rng, 1.0, 1.45),
  };
  const lineEnd = origin.x + fontSize * OCRB_ADVANCE_EM * text.length;
  return { gray, axis, cellStart: warpX(origin.x, W, persp) * sx, cellEnd: warpX(lineEnd, W, persp) * sx, pitch };
}

/** Where the warp moves column x: local scale 1 + persp·(x/W - 1/2), integrated. */
function warpX(x: number, W: number, persp: number): number {
  return x + persp * ((x * x) / (2 * W) - x / 2);
}

/** Applies warpX to the columns and the matching vertical scale about the middle row. */
function warpAlongLine(src: Uint8Array, W: number, H: number, persp: number): Uint8Array {
  const out = new Uint8Array(W * H).fill(255);
  const inverse = new Float32Array(W);
  // warpX is monotonic for |persp| < 1: invert it by walking both together.
  let xs = 0;
  for (let x = 0; x < W; x++) {
    while (xs < W - 1 && warpX(xs + 1, W, persp) <= x) xs++;
    const a = warpX(xs, W, persp);
    const b = warpX(xs + 1, W, persp);
    inverse[x] = xs + (b > a ? (x - a) / (b - a) : 0);
  }
  const cy = H / 2;
  for (let x = 0; x < W; x++) {
    const sx = inverse[x] as number;
    const scale = 1 + persp * (sx / W - 0.5);
    const xi = Math.min(W - 2, Math.floor(sx));
    const fx = sx - xi;
    for (let y = 0; y < H; y++) {
      const sy = cy + (y - cy) / scale;
      if (sy < 0 || sy > H - 2) continue;
      const yi = Math.floor(sy);
      const fy = sy - yi;
      const p = yi * W + xi;
      out[y * W + x] = Math.round(
        (src[p] as number) * (1 - fx) * (1 - fy) +
          (src[p + 1] as number) * fx * (1 - fy) +
          (src[p + W] as number) * (1 - fx) * fy +
          (src[p + W + 1] as number) * fx * fy,
      );
    }
  }
  return out;
}

export interface Sample {
  x: Float32Array;
  label: number;
}

/** Cuts a synthetic line like a real one; drops it when the cell fit is off (its labels would be wrong). */
export function samplesFromLine(line: SynthLine, text: string, rng: Rng): { samples: Sample[]; aligned: boolean } {
  const img = sampleLine(line.gray, line.axis, { glyphHeight: LINE_GLYPH_HEIGHT });
  const map = inkMap(img, LINE_GLYPH_HEIGHT);
  // Training cuts with the true length and the most inclusive extent, as the reader would when it works.
  const geo = measureLine(map)[0];
  if (!geo) return { samples: [], aligned: false };
  const grid = fitCells(map, geo, text.length);
  // Map the true first-cell edge into the sampled line's coordinates.
  const dx = line.axis.x1 - line.axis.x0;
  const dy = line.axis.y1 - line.axis.y0;
  const len = Math.hypot(dx, dy);
  const k = LINE_GLYPH_HEIGHT / line.axis.height;
  const marginX = line.axis.height; // sampleLine's default marginX of one glyph height
  const toLine = (x: number): number => ((x - line.axis.x0) * (dx / len) + marginX) * k;
  const truePitch = line.pitch * k * (dx / len);
  const startError = Math.abs(grid.x0 - toLine(line.cellStart));
  const endError = Math.abs(cellEdge(grid, text.length) - toLine(line.cellEnd));
  if (startError > 0.3 * truePitch || endError > 0.3 * truePitch) return { samples: [], aligned: false };
  const samples: Sample[] = [];
  for (let i = 0; i < text.length; i++) {
    const x = cellFeatures(map, geo, grid, i, uniform(rng, -0.08, 0.08), uniform(rng, -0.05, 0.05));
    samples.push({ x, label: OCRB_ALPHABET.indexOf(text[i] as string) });
  }
  return { samples, aligned: true };
}

export interface TrainOptions {
  hidden?: number;
  epochs?: number;
  learningRate?: number;
  seed?: number;
  log?: (msg: string) => void;
}

/** Mini-batch Adam on softmax cross-entropy. */
export function trainMlp(samples: Sample[], options: TrainOptions = {}): MlpWeights {
  const rng = seededRandom(options.seed ?? 1);
  const m = createMlp(CELL_W * CELL_H, options.hidden ?? 128, OCRB_ALPHABET.length, rng);
  const params = [m.w1, m.b1, m.w2, m.b2];
  const grads = params.map((p) => new Float32Array(p.length));
  const mom = params.map((p) => new Float32Array(p.length));
  const vel = params.map((p) => new Float32Array(p.length));
  const lr0 = options.learningRate ?? 0.002;
  const epochs = options.epochs ?? 12;
  const batch = 32;
  const h = new Float32Array(m.hidden);
  const dh = new Float32Array(m.hidden);
  let step = 0;
  const order = samples.map((_, i) => i);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    const lr = lr0 * (epoch < epochs - 3 ? 1 : 0.3);
    let loss = 0;
    let correct = 0;
    for (let start = 0; start < order.length; start += batch) {
      grads.forEach((g) => g.fill(0));
      const [gW1, gB1, gW2, gB2] = grads as [Float32Array, Float32Array, Float32Array, Float32Array];
      const end = Math.min(order.length, start + batch);
      for (let b = start; b < end; b++) {
        const s = samples[order[b] as number] as Sample;
        const p = mlpForward(m, s.x, h);
        loss -= Math.log(Math.max(1e-9, p[s.label] as number));
        let arg = 0;
        for (let c = 1; c < p.length; c++) if ((p[c] as number) > (p[arg] as number)) arg = c;
        if (arg === s.label) correct++;
        dh.fill(0);
        for (let c = 0; c < m.outputs; c++) {
          const d = (p[c] as number) - (c === s.label ? 1 : 0);
          gB2[c] = (gB2[c] as number) + d;
          const row = c * m.hidden;
          for (let j = 0; j < m.hidden; j++) {
            gW2[row + j] = (gW2[row + j] as number) + d * (h[j] as number);
            dh[j] = (dh[j] as number) + d * (m.w2[row + j] as number);
          }
        }
        for (let j = 0; j < m.hidden; j++) {
          if ((h[j] as number) <= 0) continue;
          const d = dh[j] as number;
          gB1[j] = (gB1[j] as number) + d;
          const row = j * m.inputs;
          for (let i = 0; i < m.inputs; i++) gW1[row + i] = (gW1[row + i] as number) + d * (s.x[i] as number);
        }
      }
      step++;
      const n = end - start;
      params.forEach((p, pi) => {
        const g = grads[pi] as Float32Array;
        const mo = mom[pi] as Float32Array;
        const ve = vel[pi] as Float32Array;
        for (let i = 0; i < p.length; i++) {
          const gi = (g[i] as number) / n + (pi % 2 === 0 ? 1e-5 * (p[i] as number) : 0);
          mo[i] = 0.9 * (mo[i] as number) + 0.1 * gi;
          ve[i] = 0.999 * (ve[i] as number) + 0.001 * gi * gi;
          const mh = (mo[i] as number) / (1 - 0.9 ** step);
          const vh = (ve[i] as number) / (1 - 0.999 ** step);
          p[i] = (p[i] as number) - (lr * mh) / (Math.sqrt(vh) + 1e-8);
        }
      });
    }
    options.log?.(
      `epoch ${epoch + 1}/${epochs}: loss ${(loss / order.length).toFixed(4)}, train accuracy ${((100 * correct) / order.length).toFixed(2)}%`,
    );
  }
  return m;
}
