import {
  borderInk,
  cellEdge,
  cellFeatures,
  fitCells,
  fitCellsWithPitch,
  inkMap,
  measureLine,
  periodicPitch,
  type CellGrid,
  type InkMap,
  type LineGeometry,
} from './ocrb-cells.js';
import { OCRB_ALPHABET, type MlpClassifier } from './ocrb-network.js';
import type { GrayImage } from '../../image/gray-image.js';

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
  /** Readings from the next best cell grids, best first (not set on the alternatives themselves). */
  alternatives?: LineReading[];
  cells: CellReading[];
  /** Mean probability of the chosen characters. */
  confidence: number;
  grid: CellGrid;
}

// Reading each cell at three horizontal offsets and keeping the most confident absorbs residual pitch error
// at the far end of a 44-character line.
const OFFSETS = [0, -0.07, 0.07];

function classifyCell(
  map: InkMap,
  geo: LineGeometry,
  grid: CellGrid,
  i: number,
  classify: MlpClassifier,
  offsets: readonly number[],
): Float64Array {
  let best: Float64Array | undefined;
  let bestMax = -1;
  for (const dx of offsets) {
    const p = classify(cellFeatures(map, geo, grid, i, dx));
    let max = 0;
    for (const v of p) if (v > max) max = v;
    if (max > bestMax) {
      bestMax = max;
      best = p;
    }
    if (max > 0.98) break;
  }
  return best as Float64Array;
}

function readCells(
  map: InkMap,
  geo: LineGeometry,
  grid: CellGrid,
  classify: MlpClassifier,
  offsets: readonly number[],
): CellReading[] {
  const cells: CellReading[] = [];
  for (let i = 0; i < grid.count; i++) {
    const probs = classifyCell(map, geo, grid, i, classify, offsets);
    let a = 0;
    let b = 1;
    for (let k = 0; k < probs.length; k++) {
      if ((probs[k] as number) > (probs[a] as number)) {
        b = a;
        a = k;
      } else if (k !== a && (probs[k] as number) > (probs[b] as number)) b = k;
    }
    cells.push({
      char: OCRB_ALPHABET[a] as string,
      p: probs[a] as number,
      alt: OCRB_ALPHABET[b] as string,
      altP: probs[b] as number,
    });
  }
  return cells;
}

const toReading = (cells: CellReading[], grid: CellGrid): LineReading => ({
  text: cells.map((c) => c.char).join(''),
  cells,
  confidence: cells.reduce((s, c) => s + c.p, 0) / Math.max(1, cells.length),
  grid,
});

/**
 * Reads one straightened MRZ line; `lengths` are the character counts it may have. Several cell grids are
 * fitted (extent-based with perspective, period-based, and the latter shifted a cell either way, for a
 * stray mark taken for a glyph at one end); the grid cutting least ink and read most confidently wins,
 * and the runners-up come back as `alternatives` for the check digits to arbitrate.
 */
export function readOcrbLine(
  img: GrayImage,
  classify: MlpClassifier,
  lengths: readonly number[] = MRZ_LINE_LENGTHS,
  options: { quick?: boolean } = {},
): LineReading | undefined {
  const map = inkMap(img, LINE_GLYPH_HEIGHT);
  // Fitting is cheap, classifying is not: rank all grids by the ink their borders cut, then read only the
  // few cleanest (one in quick mode, used to tell a line from its upside-down twin).
  const fitted: { geo: LineGeometry; grid: CellGrid; ink: number; prior: number }[] = [];
  for (const geo of measureLine(map)) {
    const pitch = periodicPitch(map, geo);
    for (const n of lengths) {
      const grids = [fitCells(map, geo, n)];
      if (pitch) {
        const g = fitCellsWithPitch(map, geo, n, pitch);
        grids.push(g, { ...g, x0: g.x0 - g.pitch }, { ...g, x0: g.x0 + g.pitch });
      }
      for (const [k, grid] of grids.entries()) {
        // A grid must span the inked extent (a shifted one may miss a cell at one end): otherwise a wrong
        // length would win by leaving out the glyphs it reads worst.
        const slack = (k >= 2 ? 1.3 : 0.7) * grid.pitch;
        if (
          Math.abs(grid.x0 - geo.left) > slack + 0.3 * grid.pitch ||
          Math.abs(cellEdge(grid, n) - geo.right) > slack + 0.2 * grid.pitch
        )
          continue;
        // The one-cell shifts are fallbacks and pay a small prior.
        fitted.push({ geo, grid, ink: borderInk(map, geo, grid), prior: k >= 2 ? 0.05 : 0 });
      }
    }
  }
  fitted.sort((a, b) => a.ink + a.prior / 2 - (b.ink + b.prior / 2));
  const scored = fitted.slice(0, options.quick ? 1 : 4).map((f) => {
    const n = f.grid.count;
    let logp = 0;
    for (let i = 0; i < n; i++) {
      const x = cellFeatures(map, f.geo, f.grid, i);
      // Every MRZ position holds a glyph; the classifier never saw an empty cell, so one is scored here
      // as unreadable rather than trusting whatever the network says about it.
      let ink = 0;
      for (const v of x) ink += v;
      if (ink / x.length < 0.04) {
        logp += Math.log(1e-4);
        continue;
      }
      const p = classify(x);
      let max = 0;
      for (const v of p) if (v > max) max = v;
      logp += Math.log(Math.max(1e-4, max));
    }
    // Border ink is the direct evidence of a grid on the glyphs; classifier confidence breaks ties.
    return { ...f, score: logp / n - 2 * f.ink - f.prior };
  });
  scored.sort((a, b) => b.score - a.score);
  const best = scored[0];
  if (!best) return undefined;
  const main = toReading(readCells(map, best.geo, best.grid, classify, options.quick ? [0] : OFFSETS), best.grid);
  const alternatives: LineReading[] = [];
  for (const s of scored.slice(1)) {
    if (alternatives.length >= 2 || s.score < best.score - 0.6) break;
    const r = toReading(readCells(map, s.geo, s.grid, classify, OFFSETS), s.grid);
    if (r.text !== main.text && !alternatives.some((a) => a.text === r.text)) alternatives.push(r);
  }
  return { ...main, alternatives };
}
