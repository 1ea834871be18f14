import { cellFeatures, fitCells, inkMap, measureLine, type CellGrid, type InkMap, type LineGeometry } from './ocrb-cells.js';
import { mlpForward, OCRB_ALPHABET, type MlpWeights } from './ocrb-network.js';
import type { GrayImage } from '../../mrz/gray-image.js';

/** Glyph height (pixels) line images are sampled at before their cells are cut. */
export const LINE_GLYPH_HEIGHT = 32;

export const MRZ_LINE_LENGTHS = [30, 36, 44] as const;

export interface CellReading {
  /** Best character and its probability. */
  char: string;
  p: number;
  /** Runner-up, for check-digit-guided repair that follows the classifier's own doubt. */
  alt: string;
  altP: number;
}

export interface LineReading {
  text: string;
  cells: CellReading[];
  /** Mean probability of the chosen characters. */
  confidence: number;
  grid: CellGrid;
}

// Reading each cell at three horizontal offsets and keeping the most confident absorbs residual pitch error
// at the far end of a 44-character line.
const OFFSETS = [0, -0.07, 0.07];

function classifyCell(map: InkMap, geo: LineGeometry, grid: CellGrid, i: number, weights: MlpWeights, hidden: Float32Array, offsets: readonly number[]): Float32Array {
  let best: Float32Array | undefined;
  let bestMax = -1;
  for (const dx of offsets) {
    const p = mlpForward(weights, cellFeatures(map, geo, grid, i, dx), hidden);
    let max = 0;
    for (const v of p) if (v > max) max = v;
    if (max > bestMax) {
      bestMax = max;
      best = p;
    }
    if (max > 0.98) break;
  }
  return best as Float32Array;
}

/** Reads one straightened MRZ line; `lengths` are the character counts it may have. */
export function readOcrbLine(img: GrayImage, weights: MlpWeights, lengths: readonly number[] = MRZ_LINE_LENGTHS): LineReading | undefined {
  const map = inkMap(img, LINE_GLYPH_HEIGHT);
  const hidden = new Float32Array(weights.hidden);
  // Every (extent, length) hypothesis is fitted and read quickly; the one whose cells the classifier is
  // surest about wins. A wrong length or a stray mark taken for a glyph shifts cells off their glyphs,
  // which shows up at once as low confidence.
  let chosen: { geo: LineGeometry; grid: CellGrid; score: number } | undefined;
  for (const geo of measureLine(map)) {
    for (const n of lengths) {
      const grid = fitCells(map, geo, n);
      let score = 0;
      for (let i = 0; i < n; i++) {
        const p = classifyCell(map, geo, grid, i, weights, hidden, [0]);
        let max = 0;
        for (const v of p) if (v > max) max = v;
        score += Math.log(Math.max(1e-4, max));
      }
      score /= n;
      if (!chosen || score > chosen.score) chosen = { geo, grid, score };
    }
  }
  if (!chosen) return undefined;
  const { geo, grid } = chosen;
  const cells: CellReading[] = [];
  for (let i = 0; i < grid.count; i++) {
    const probs = classifyCell(map, geo, grid, i, weights, hidden, OFFSETS);
    let a = 0;
    let b = 1;
    for (let k = 0; k < probs.length; k++) {
      if ((probs[k] as number) > (probs[a] as number)) {
        b = a;
        a = k;
      } else if (k !== a && (probs[k] as number) > (probs[b] as number)) b = k;
    }
    cells.push({ char: OCRB_ALPHABET[a] as string, p: probs[a] as number, alt: OCRB_ALPHABET[b] as string, altP: probs[b] as number });
  }
  return {
    text: cells.map((c) => c.char).join(''),
    cells,
    confidence: cells.reduce((s, c) => s + c.p, 0) / Math.max(1, cells.length),
    grid,
  };
}
