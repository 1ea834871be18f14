import { resolveReads, type ConsensusResult, type OcrRead } from '../../domain/mrz/mrz-consensus.js';
import { candidateLayouts } from '../../domain/mrz/mrz-format.js';
import { fitLineLength, mrzShapeScore, normalizeOcrLine } from '../../domain/mrz/mrz-text.js';
import type { MrzFormat } from '../../domain/mrz/mrz-format.js';
import type { MrzReading } from '../../domain/mrz/mrz-reading.js';
import type { OcrEngine } from '../../domain/ports/ocr-engine.port.js';
import { isMrzLineReader } from '../ocr/ocrb.engine.js';
import { inkMap, measureLine } from '../ocr/ocrb/ocrb-cells.js';
import { LINE_GLYPH_HEIGHT } from '../ocr/ocrb/ocrb-line-reader.js';
import type { DecodeLimits } from '../../config/image-limits.js';
import { ImageLoadError, loadDocumentImage, rotateGray, unrotatePoint, type QuarterTurns } from './document-image.js';
import { measureQuality, QUALITY_THRESHOLDS, type DocumentQuality, type Rect } from './document-quality.js';
import { fromGray, toGray, type GrayImage } from '../image/gray-image.js';
import { sampleLine, stretchContrast, type LineAxis } from './line-sampler.js';
import { locateMrzBands, type MrzBandCandidate } from './mrz-band-locator.js';
import { documentArea, portraitWindow, type Quad } from './mrz-geometry.js';

// The MRZ reading pipeline: find the band (any quarter turn), cut each line out straight at a fixed glyph
// height, read it with the engines in preference order, and stop as soon as the reads agree (see
// mrz-consensus.ts for what "agree" means). Everything is bounded by a deadline.

export type DocumentFailureReason =
  | 'UNABLE_TO_LOAD'
  | 'DOCUMENT_NOT_SUPPORTED'
  | 'INCORRECT_MRZ'
  | 'IMAGE_RESOLUTION_TOO_LOW'
  | 'PHOTO_TOO_BLURRY'
  | 'GLARE_OBSTRUCTION'
  | 'PHOTO_TOO_DARK'
  | 'PHOTO_OVEREXPOSED';

export interface DocumentReading {
  mrz?: MrzReading;
  failure?: { reason: DocumentFailureReason; detail: string };
  /** Undefined only when the image could not be decoded. */
  quality?: DocumentQuality;
  /** The MRZ band in upright original-image pixels (EXIF orientation applied), reading direction. */
  mrzQuad?: Quad;
  /** Estimated data page and portrait search window, in the same coordinates. */
  documentArea?: Rect;
  portraitWindow?: Rect;
  /** Clockwise quarter turns that made the MRZ read left to right. */
  rotation: 0 | 90 | 180 | 270;
  /** Engines whose reads passed every check digit, and engines consulted. */
  engines: { agreed: string[]; consulted: string[] };
  timings: { loadMs: number; locateMs: number; ocrMs: number; totalMs: number; deadlineHit: boolean };
}

export interface ReadDocumentOptions {
  /** Overall time budget; reading stops (and fails) once it is spent. Default 5000 ms. */
  deadlineMs?: number;
  /** Reference date for century inference. */
  today?: Date;
  /** Band candidates tried, best first (default 3). */
  maxCandidates?: number;
  /** Engines that must read each unprotected field alike (default 2). */
  minAgreement?: number;
  /**
   * Width the band search works at (default 1000 px). A robustness knob for evaluation: the reading must not
   * depend on it (`openidv eval mrz --work-width`).
   */
  workWidth?: number;
  /** Decode limits of the page image (default: the server's defaults). */
  limits?: DecodeLimits;
}

export interface ReadDocumentDeps {
  /** OCR engines in preference order (see createOcrEngines). */
  ocr: readonly OcrEngine[];
}

const WORK_WIDTH = 1000;
const WHITELIST = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<';

interface Candidate {
  turns: QuarterTurns;
  band: MrzBandCandidate;
  work: GrayImage;
}

interface BandAttempt {
  candidate: Candidate;
  flipped: boolean;
  lines: GrayImage[];
  axes: LineAxis[];
  verdict: ConsensusResult;
  ocrbConfidence: number | undefined;
  lineLength: number;
  agreed: string[];
  /** Whether the band read like an MRZ at all (OCR-B confidence and MRZ shape). */
  plausible: boolean;
}

/**
 * Working images are at most this many times as tall as the working width. Scaled to the width alone, a
 * strip turned a quarter grows without bound: a 20000 × 60 px upload (3.7 KB) became a 1000 × 340,000 px
 * image and took 117 s and 2.5 GB to search (2026-11-26). A document page is far from this shape.
 */
const MAX_WORK_ASPECT = 4;

async function workImage(full: GrayImage, turns: QuarterTurns, width: number): Promise<GrayImage> {
  const rotated = rotateGray(full, turns);
  const capped = Math.round((width * MAX_WORK_ASPECT * rotated.width) / rotated.height);
  return toGray(fromGray(rotated).resize({ width: Math.max(1, Math.min(width, capped)) }));
}

export async function readDocument(
  image: Buffer,
  deps: ReadDocumentDeps,
  options: ReadDocumentOptions = {},
): Promise<DocumentReading> {
  const t0 = performance.now();
  const deadline = t0 + (options.deadlineMs ?? 5000);
  const timings = { loadMs: 0, locateMs: 0, ocrMs: 0, totalMs: 0, deadlineHit: false };
  const consulted = new Set<string>();
  const finish = (r: Omit<DocumentReading, 'timings' | 'engines'> & { agreed?: string[] }): DocumentReading => {
    timings.totalMs = performance.now() - t0;
    const { agreed, ...rest } = r;
    return { ...rest, engines: { agreed: agreed ?? [], consulted: [...consulted] }, timings };
  };

  let loaded;
  try {
    loaded = await loadDocumentImage(image, options.limits ? { limits: options.limits } : {});
  } catch (err) {
    if (err instanceof ImageLoadError)
      return finish({ failure: { reason: 'UNABLE_TO_LOAD', detail: err.message }, rotation: 0 });
    throw err;
  }
  const { gray: full } = loaded;
  timings.loadMs = performance.now() - t0;

  // Band search: upright first. A band upside down looks the same to the locator, so 180° is settled by
  // reading both ways; a quarter turn is searched only when the upright bands hold nothing MRZ-like.
  const ocrb = deps.ocr.find(isMrzLineReader);
  const others = deps.ocr.filter((e) => !isMrzLineReader(e));
  const rotatedFull = new Map<QuarterTurns, GrayImage>();
  const attempts: BandAttempt[] = [];
  const minAgreement = options.minAgreement ?? 2;
  const maxCandidates = options.maxCandidates ?? 3;
  const workWidth = options.workWidth ?? WORK_WIDTH;
  const overDeadline = (): boolean => {
    if (performance.now() <= deadline) return false;
    timings.deadlineHit = true;
    return true;
  };

  const locate = async (turns: QuarterTurns): Promise<Candidate[]> => {
    const t = performance.now();
    const work = turns === 0 ? work0 : await workImage(full, turns, workWidth);
    const found = locateMrzBands(work)
      .slice(0, maxCandidates)
      .map((band) => ({ turns, band, work }));
    timings.locateMs += performance.now() - t;
    return found;
  };

  const readBand = async (cand: Candidate): Promise<BandAttempt | undefined> => {
    const src = rotatedFull.get(cand.turns) ?? rotateGray(full, cand.turns);
    rotatedFull.set(cand.turns, src);
    const k = src.width / cand.work.width;
    const axes = cand.band.lines.map((l) => ({
      x0: l.x0 * k,
      y0: l.y0 * k,
      x1: l.x1 * k,
      y1: l.y1 * k,
      height: l.height * k,
    }));
    const lengths = cand.band.lines.length === 3 ? [30] : [44, 36];
    const orientations = [false, true].map((flipped) => {
      const ax = flipped
        ? [...axes].reverse().map((a) => ({ x0: a.x1, y0: a.y1, x1: a.x0, y1: a.y0, height: a.height }))
        : axes;
      return { flipped, axes: ax, lines: ax.map((a) => sampleLine(src, a, { glyphHeight: LINE_GLYPH_HEIGHT })) };
    });
    let chosen = orientations[0] as (typeof orientations)[number];
    const reads: OcrRead[] = [];
    let ocrbConfidence: number | undefined;
    let lineLength = 0;
    let plausible = true;
    if (ocrb) {
      consulted.add(ocrb.name);
      // A quick read of each orientation picks the right way up; only that one is read in full.
      const conf = (o: (typeof orientations)[number]): number =>
        o.lines.reduce((s, l) => s + (ocrb.readMrzLine(l, lengths, { quick: true })?.confidence ?? 0), 0) /
        o.lines.length;
      const [up, down] = orientations as [(typeof orientations)[number], (typeof orientations)[number]];
      chosen = conf(down) > conf(up) ? down : up;
      const lr = chosen.lines.map((l) => ocrb.readMrzLine(l, lengths));
      ocrbConfidence = lr.reduce((s, r) => s + (r?.confidence ?? 0), 0) / lr.length;
      const counts = lr
        .map((r) => r?.grid.count ?? 0)
        .filter((n) => n > 0)
        .sort((a, b) => a - b);
      lineLength = counts[Math.floor(counts.length / 2)] ?? 0;
      const texts = lr.map((r) => r?.text ?? '');
      reads.push({
        engine: ocrb.name,
        lines: texts,
        alternatives: lr.map((r) => (r?.alternatives ?? []).map((a) => a.text)),
        confidence: lr.map((r) => (r?.cells ?? []).map((c) => c.p)),
      });
      // Text that is neither confidently OCR-B nor shaped like an MRZ is other print: not worth the
      // slower engines.
      const shape = lineLength ? mrzShapeScore(texts, candidateLayouts(texts.length, lineLength, texts[0] ?? '')) : 0;
      plausible = ocrbConfidence >= 0.75 && shape >= 0.8;
    }
    let verdict: ConsensusResult | undefined = lineLength
      ? resolveReads(reads, lineLength, { today: options.today, minAgreement })
      : undefined;
    const orientationsToTry = ocrb ? (plausible ? [chosen] : []) : orientations;
    for (const o of orientationsToTry) {
      const pngs = await Promise.all(
        o.lines.map((l) =>
          fromGray(stretchContrast(tightRows(l)))
            .png()
            .toBuffer(),
        ),
      );
      const engineReads = o === chosen ? reads : [];
      for (const engine of others) {
        if (verdict?.ok || overDeadline()) break;
        consulted.add(engine.name);
        const texts = (await recognizeLines(engine, pngs, lengths)).map((t) => t.replace(/\s+/g, ''));
        engineReads.push({
          engine: engine.name,
          lines: texts,
          ...(engine.mrzFillerGhosts ? { fillerGhosts: engine.mrzFillerGhosts } : {}),
          ...(engine.modelFamily ? { family: engine.modelFamily } : {}),
        });
        if (!ocrb && engineReads.length === 1) {
          lineLength = guessLineLength(texts, lengths);
          const fitted = texts.map((t) => fitLineLength(normalizeOcrLine(t), lineLength || 44)[0] ?? '');
          plausible =
            lineLength > 0 &&
            mrzShapeScore(fitted, candidateLayouts(fitted.length, lineLength, fitted[0] ?? '')) >= 0.7;
          if (!plausible) break;
        }
        if (lineLength) verdict = resolveReads(engineReads, lineLength, { today: options.today, minAgreement });
      }
      chosen = o;
      if (verdict?.ok || verdict?.reason !== 'no-valid-read') break;
    }
    if (!verdict) return undefined;
    return {
      candidate: cand,
      flipped: chosen.flipped,
      lines: chosen.lines,
      axes: chosen.axes,
      verdict,
      ocrbConfidence,
      lineLength,
      plausible,
      agreed: verdict.ok ? verdict.sources : [],
    };
  };

  const tOcr = performance.now();
  const work0 = await workImage(full, 0, workWidth);
  const wholeImageQuality = (): DocumentQuality =>
    measureQuality({ work: work0, documentArea: { x: 0, y: 0, width: work0.width, height: work0.height } });
  // Smaller than the smallest readable MRZ (two lines of minimum-height glyphs, 30 to a line): a resolution
  // problem, not the blur or exposure a few pixels would otherwise be blamed for.
  const g = QUALITY_THRESHOLDS.minGlyphHeight;
  if (Math.min(loaded.width, loaded.height) < 2 * g || Math.max(loaded.width, loaded.height) < 20 * g) {
    const detail = `image is ${loaded.width} × ${loaded.height} px, too small to hold an MRZ with ${g} px glyphs`;
    return finish({
      quality: wholeImageQuality(),
      rotation: 0,
      failure: { reason: 'IMAGE_RESOLUTION_TOO_LOW', detail },
    });
  }
  for (const turns of [0, 1] as QuarterTurns[]) {
    if (turns === 1 && attempts.some((a) => a.plausible)) break;
    for (const cand of await locate(turns)) {
      if (overDeadline()) break;
      const attempt = await readBand(cand);
      if (!attempt) continue;
      attempts.push(attempt);
      // Reads that passed their check digits mean this band is the MRZ: other bands cannot do better.
      if (attempt.verdict.ok || attempt.verdict.reason !== 'no-valid-read') break;
    }
    if (attempts.some((a) => a.verdict.ok || a.verdict.reason !== 'no-valid-read')) break;
  }
  timings.ocrMs = performance.now() - tOcr - timings.locateMs;

  const success = attempts.find((a) => a.verdict.ok);
  const best = success ?? pickBestFailure(attempts.filter((a) => a.plausible));
  const toOriginal = (x: number, y: number, turns: QuarterTurns): { x: number; y: number } => {
    const [ux, uy] = unrotatePoint(x, y, turns, full.width, full.height);
    return { x: ux / loaded.scale, y: uy / loaded.scale };
  };

  if (!best) {
    const quality = wholeImageQuality();
    return finish({ quality, rotation: 0, failure: noBandFailure(quality, timings.deadlineHit) });
  }

  const { candidate } = best;
  const format = best.verdict.ok ? best.verdict.reading.format : best.verdict.format;
  const quad = bandQuad(best.axes, (x, y) => toOriginal(x, y, candidate.turns));
  // Quality is measured in the working image of the orientation the band was found in.
  const k = candidate.work.width / rotatedFull.get(candidate.turns)!.width;
  const workQuad = bandQuad(
    best.axes.map((a) => ({ x0: a.x0 * k, y0: a.y0 * k, x1: a.x1 * k, y1: a.y1 * k, height: a.height * k })),
    (x, y) => ({ x, y }),
  );
  const glyphHeight = best.axes.reduce((s, a) => s + a.height, 0) / best.axes.length / loaded.scale;
  const quality = measureQuality({
    work: candidate.work,
    documentArea: documentArea(workQuad, format, candidate.work.width, candidate.work.height),
    mrzLines: best.lines,
    glyphHeight,
  });
  const rotation = ((candidate.turns * 90 + (best.flipped ? 180 : 0)) % 360) as DocumentReading['rotation'];
  const geometry = {
    mrzQuad: quad,
    documentArea: documentArea(quad, format, loaded.width, loaded.height),
    ...(format ? { portraitWindow: portraitWindow(quad, format, loaded.width, loaded.height) } : {}),
  };
  if (best.verdict.ok)
    return finish({ mrz: best.verdict.reading, quality, rotation, ...geometry, agreed: best.agreed });
  return finish({ quality, rotation, ...geometry, failure: bandFailure(best, quality, timings.deadlineHit) });
}

/** Every line read by one engine; an engine that fails reads nothing, which the consensus then treats as such. */
async function recognizeLines(
  engine: OcrEngine,
  pngs: readonly Buffer[],
  lengths: readonly number[],
): Promise<string[]> {
  const request = { psm: 7, whitelist: WHITELIST, lineLengths: lengths } as const;
  if (engine.recognizeAll) {
    const all = await engine.recognizeAll(pngs, request).catch(() => undefined);
    if (all) return all;
  }
  const texts: string[] = [];
  for (const image of pngs) texts.push(await engine.recognize({ ...request, image }).catch(() => ''));
  return texts;
}

/**
 * The line image cut to its glyph rows plus a third of a glyph above and below. The OCR-B reader finds the
 * rows itself, but tesseract's single-line mode reads whatever it is given, and TD1 lines sit so close that
 * a generous crop carries half of the neighbouring lines.
 */
export function tightRows(line: GrayImage): GrayImage {
  const geo = measureLine(inkMap(line, LINE_GLYPH_HEIGHT))[0];
  if (!geo) return line;
  const pad = Math.round((geo.bottom - geo.top) * 0.35);
  const top = Math.max(0, geo.top - pad);
  const bottom = Math.min(line.height, geo.bottom + pad);
  return { width: line.width, height: bottom - top, data: line.data.subarray(top * line.width, bottom * line.width) };
}

function guessLineLength(texts: string[], lengths: readonly number[]): number {
  const mean = texts.reduce((s, t) => s + t.length, 0) / Math.max(1, texts.length);
  if (mean < 20) return 0;
  return [...lengths].sort((a, b) => Math.abs(a - mean) - Math.abs(b - mean))[0] ?? 0;
}

function pickBestFailure(attempts: BandAttempt[]): BandAttempt | undefined {
  // Prefer a band whose reads passed the check digits (a names disagreement) over one that failed them,
  // then the one the OCR-B reader was surest looked like OCR-B text.
  const rank = (a: BandAttempt): number =>
    (a.verdict.ok ? 3 : a.verdict.reason === 'unconfirmed' || a.verdict.reason === 'conflict' ? 2 : 0) +
    (a.ocrbConfidence ?? 0.5);
  return [...attempts].sort((a, b) => rank(b) - rank(a))[0];
}

function bandQuad(axes: LineAxis[], map: (x: number, y: number) => { x: number; y: number }): Quad {
  const first = axes[0] as LineAxis;
  const last = axes[axes.length - 1] as LineAxis;
  const up = (a: LineAxis, s: number): [number, number, number, number] => {
    const len = Math.hypot(a.x1 - a.x0, a.y1 - a.y0) || 1;
    const nx = (-(a.y1 - a.y0) / len) * s * a.height;
    const ny = ((a.x1 - a.x0) / len) * s * a.height;
    return [a.x0 + nx, a.y0 + ny, a.x1 + nx, a.y1 + ny];
  };
  const [tx0, ty0, tx1, ty1] = up(first, -0.6);
  const [bx0, by0, bx1, by1] = up(last, 0.6);
  return [map(tx0, ty0), map(tx1, ty1), map(bx1, by1), map(bx0, by0)];
}

function noBandFailure(q: DocumentQuality, deadlineHit: boolean): { reason: DocumentFailureReason; detail: string } {
  const suffix = deadlineHit ? ' (deadline reached)' : '';
  if (q.hints.includes('TOO_DARK'))
    return { reason: 'PHOTO_TOO_DARK', detail: `no MRZ found; image too dark${suffix}` };
  if (q.hints.includes('OVEREXPOSED'))
    return { reason: 'PHOTO_OVEREXPOSED', detail: `no MRZ found; image overexposed${suffix}` };
  if (q.hints.includes('BLURRY')) return { reason: 'PHOTO_TOO_BLURRY', detail: `no MRZ found; image blurred${suffix}` };
  // A glare spot across the band breaks its lines apart, so the band is not found at all.
  if (q.hints.includes('GLARE'))
    return { reason: 'GLARE_OBSTRUCTION', detail: `no MRZ found; glare on the document${suffix}` };
  return { reason: 'DOCUMENT_NOT_SUPPORTED', detail: `no machine readable zone found${suffix}` };
}

function bandFailure(
  a: BandAttempt,
  q: DocumentQuality,
  deadlineHit: boolean,
): { reason: DocumentFailureReason; detail: string } {
  const v = a.verdict;
  const what = v.ok ? '' : v.detail;
  const suffix = deadlineHit ? ' (deadline reached)' : '';
  // Text the OCR-B reader does not recognise as OCR-B is some other print (a table, a barcode band).
  if (a.ocrbConfidence !== undefined && a.ocrbConfidence < 0.6 && !v.ok && v.reason === 'no-valid-read') {
    if (q.hints.includes('LOW_RESOLUTION'))
      return { reason: 'IMAGE_RESOLUTION_TOO_LOW', detail: `MRZ glyphs ${q.glyphHeight?.toFixed(0)} px high${suffix}` };
    return { reason: 'DOCUMENT_NOT_SUPPORTED', detail: `no readable machine readable zone found${suffix}` };
  }
  // A crisp, confident read that fails its check digits is an MRZ problem, not a photo problem.
  const crisp = (a.ocrbConfidence ?? 0) >= 0.95;
  if (!v.ok && v.reason === 'no-valid-read' && !crisp) {
    if (q.hints.includes('LOW_RESOLUTION'))
      return {
        reason: 'IMAGE_RESOLUTION_TOO_LOW',
        detail: `${what}; MRZ glyphs ${q.glyphHeight?.toFixed(0)} px high${suffix}`,
      };
    if (q.hints.includes('BLURRY')) return { reason: 'PHOTO_TOO_BLURRY', detail: `${what}; MRZ blurred${suffix}` };
    if (q.hints.includes('GLARE'))
      return { reason: 'GLARE_OBSTRUCTION', detail: `${what}; glare on the document${suffix}` };
  }
  return { reason: 'INCORRECT_MRZ', detail: `${what}${suffix}` };
}

export type { MrzFormat };
