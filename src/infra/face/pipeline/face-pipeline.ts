import {
  type AnalysedFace,
  type AnalyseOptions,
  type Box,
  type FaceAnalysis,
  FaceEngineError,
  type Point,
} from '../../../domain/ports/face-engine.port.js';
import { clipBox, squareBox } from '../geometry/box.js';
import type { ScoredBox } from '../geometry/nms.js';
import { decodeImage, type DecodedImage } from '../image/image-intake.js';
import { DEFAULT_INTAKE_LIMITS, type IntakeLimits } from '../image/intake-limits.js';
import { ImagePyramid } from '../image/image-pyramid.js';
import { rotateQuarter } from '../image/rgb-image.js';
import { MODEL_SET_ID, EMBEDDING_DIMENSIONS, type EmbedderSpec } from '../model-set.js';
import { DEFAULT_DETECTOR_OPTIONS, FaceDetector, type DetectorOptions } from '../models/face-detector.js';
import { ALIGNED_SIZE, alignFace, FaceEmbedder } from '../models/face-embedder.js';
import {
  cropFromPoints,
  cropFromSquare,
  fivePointsFrom68,
  LandmarkDetector,
  type FivePoints,
} from '../models/landmark-detector.js';
import { LivenessScorer } from '../models/liveness-scorer.js';
import { SetEmbedders } from '../models/set-embedders.js';
import { loadFaceSessions, releaseFaceSessions, type FaceSessions } from '../models/onnx-sessions.loader.js';
import { measureQuality } from './face-quality.js';

export interface PipelineOptions {
  limits: IntakeLimits;
  detector: DetectorOptions;
  /** Embed the mirrored face too and sum (doubles embedding cost). */
  flipAugment: boolean;
  /** Channel order fed to the embedder. */
  embedderChannels: 'rgb' | 'bgr';
  /** When no face is found upright, look again at the image turned by 90°, 270° and 180°. */
  tryRotations: boolean;
  /** Re-run the landmark model on a crop turned upright when the first pass says the head rolls more than this. */
  rollCorrectionDeg: number;
  /** Second landmark pass on a crop framed from the first pass's points. */
  refineLandmarks: boolean;
  /** Default cap on analysed faces per image. */
  maxFaces: number;
  /** Detections below the detector's sureScore are faces only when the raw embedding norm reaches this. */
  confirmNorm: number;
}

export const DEFAULT_PIPELINE_OPTIONS: Readonly<PipelineOptions> = Object.freeze({
  limits: DEFAULT_INTAKE_LIMITS,
  detector: DEFAULT_DETECTOR_OPTIONS,
  flipAugment: false,
  embedderChannels: 'bgr',
  tryRotations: true,
  rollCorrectionDeg: 20,
  refineLandmarks: false,
  maxFaces: 10,
  confirmNorm: 2.5,
});

/** Wall time per stage in ms, summed over faces; filled only when the caller passes an object. */
export interface StageTimings {
  decode: number;
  detect: number;
  landmarks: number;
  align: number;
  embed: number;
  liveness: number;
  quality: number;
}

/**
 * decode -> detect (upright, then rotated if needed) -> per face: 68 landmarks -> 5 points -> similarity warp to
 * the ArcFace template -> embedding, quality, liveness. Runs in one thread; the pool runs one of these per core.
 */
export class FacePipeline {
  readonly modelSetId = MODEL_SET_ID;
  readonly dimensions = EMBEDDING_DIMENSIONS;
  private readonly detector: FaceDetector;
  private readonly landmarks: LandmarkDetector;
  private readonly embedder: FaceEmbedder;
  private readonly liveness: LivenessScorer;
  /** Installed sets' embedders, opened when first asked for. */
  private readonly sets = new SetEmbedders();

  private constructor(
    private readonly sessions: FaceSessions,
    readonly options: PipelineOptions,
  ) {
    this.detector = new FaceDetector(sessions.detect, options.detector);
    this.landmarks = new LandmarkDetector(sessions.landmark);
    this.embedder = new FaceEmbedder(sessions.feature, options.flipAugment, options.embedderChannels);
    this.liveness = new LivenessScorer(sessions.liveness);
  }

  static async load(modelsDir: string, options: Partial<PipelineOptions> = {}): Promise<FacePipeline> {
    return new FacePipeline(await loadFaceSessions(modelsDir), { ...DEFAULT_PIPELINE_OPTIONS, ...options });
  }

  async close(): Promise<void> {
    await releaseFaceSessions(this.sessions);
    await this.sets.close();
  }

  /**
   * `specs`: the installed sets named by options.modelSetId and alsoEmbedWith (the shipped set needs none). Faces
   * are found, confirmed and turned upright with the shipped embedder's reading whatever the set, so every set
   * sees the same faces; the set's embedder then embeds the same aligned face.
   */
  async analyse(
    bytes: Uint8Array,
    options: AnalyseOptions = {},
    timings?: StageTimings,
    specs: readonly EmbedderSpec[] = [],
  ): Promise<FaceAnalysis> {
    const modelSetId = options.modelSetId ?? this.modelSetId;
    const wanted = [modelSetId, ...(options.alsoEmbedWith ?? [])].filter((id, i, all) => all.indexOf(id) === i);
    const spec = (id: string) => {
      const found = specs.find((s) => s.id === id);
      if (!found) throw new FaceEngineError('ENGINE_UNAVAILABLE', `model set ${id} is not installed`);
      return found;
    };
    const extra = wanted.filter((id) => id !== this.modelSetId).map(spec);
    const embedders = new Map(
      await Promise.all(extra.map(async (s) => [s.id, { spec: s, embedder: await this.sets.get(s) }] as const)),
    );
    const clock = stopwatch(timings);
    const decoded = await decodeImage(bytes, this.options.limits);
    clock.lap('decode');

    const maxFaces = Math.max(0, options.maxFaces ?? this.options.maxFaces);
    let view = await this.orientedView(decoded, 0, clock);
    if (this.options.tryRotations && !options.upright) view = await this.bestOrientation(decoded, view, clock);

    const faces: AnalysedFace[] = [];
    for (const box of view.boxes) {
      if (faces.length >= maxFaces) break;
      const core = view.embedded.get(box) ?? (await this.embedFace(view.pyramid, box, clock));
      if (!this.confirmed(box, core)) continue;
      const face = await this.finishFace(view, box, core, decoded, options, clock);
      const vectors: Record<string, Float32Array> = {};
      for (const id of wanted) {
        const other = embedders.get(id);
        vectors[id] = other ? await this.embedWith(other.embedder, view.pyramid, core) : core.embedding;
      }
      clock.lap('embed');
      const [, ...also] = wanted;
      faces.push({
        ...face,
        embedding: vectors[modelSetId]!,
        ...(also.length ? { alsoEmbedded: Object.fromEntries(also.map((id) => [id, vectors[id]!])) } : {}),
      });
    }
    return {
      modelSetId,
      width: decoded.originalWidth,
      height: decoded.originalHeight,
      rotation: (view.quarters * 90) as 0 | 90 | 180 | 270,
      faces,
    };
  }

  /**
   * A detection is a face when the detector is certain, or when the embedder reads a face there, more surely the
   * less sure the detector was. Measured on the hard cases: false boxes (hands, a shirt, crossed arms, the lower
   * half of a large face) scored 0.52–0.82 with raw embedding norms 1.46–2.32; real faces the detector was unsure
   * of (cut by the frame edge, turned away) scored 0.61–0.91 with norms ≥ 2.2; every central lfw-dev face scored
   * ≥ 0.95, and the lowest norm of a real face seen (a masked one) was 1.98.
   */
  private confirmed(box: ScoredBox, face: EmbeddedFace): boolean {
    if (box.score >= this.options.detector.certainScore) return true;
    if (box.score >= this.options.detector.sureScore) return face.norm >= MIN_NORM_WHEN_SURE;
    return face.norm >= this.options.confirmNorm;
  }

  /**
   * The photo may be sideways or upside down when nothing is found upright or no upright face reads clearly (raw
   * embedding norm < 2.8). The detector fires on turned faces too (score ~1.0), so the turn is chosen by the
   * embedder's confidence: the best turned reading must reach 3.0 by itself and beat the best upright one (over
   * the three largest faces) by 0.5. Measured: rotation test photos read 3.68–3.76 turned the right way and at
   * most 2.25 otherwise; on lfw-dev a looser rule (one face, 2.8, +0.4) turned 3 upright photos of 5,373.
   */
  private async bestOrientation(decoded: DecodedImage, upright: OrientedView, clock: Stopwatch): Promise<OrientedView> {
    const uprightBest = await this.bestReading(upright, clock);
    if (uprightBest >= UPRIGHT_NORM) return upright;
    let best = upright;
    let bestNorm = -Infinity;
    for (const q of [1, 3, 2] as const) {
      const turned = await this.orientedView(decoded, q, clock);
      const norm = turned.main?.norm ?? -Infinity;
      if (norm > bestNorm && norm >= TURN_MIN_NORM && norm > uprightBest + TURN_MARGIN) {
        best = turned;
        bestNorm = norm;
      }
    }
    return best;
  }

  /** Highest raw-embedding norm among the three largest confirmed faces (−∞ when there is none). */
  private async bestReading(view: OrientedView, clock: Stopwatch): Promise<number> {
    if (!view.main) return -Infinity;
    if (view.main.norm >= UPRIGHT_NORM) return view.main.norm;
    let best = view.main.norm;
    let seen = 0;
    for (const box of view.boxes) {
      if (seen >= 3) break;
      const face = view.embedded.get(box) ?? (await this.embedFace(view.pyramid, box, clock));
      view.embedded.set(box, face);
      if (!this.confirmed(box, face)) continue;
      seen++;
      best = Math.max(best, face.norm);
    }
    return best;
  }

  /** Detection in one orientation, largest first, with the main (largest confirmed) face embedded. */
  private async orientedView(decoded: DecodedImage, quarters: 0 | 1 | 2 | 3, clock: Stopwatch): Promise<OrientedView> {
    const pyramid = new ImagePyramid(rotateQuarter(decoded, quarters));
    const boxes = (await this.detector.detect(pyramid)).sort((p, q) => q.width * q.height - p.width * p.height);
    clock.lap('detect');
    const embedded = new Map<ScoredBox, EmbeddedFace>();
    let main: EmbeddedFace | undefined;
    for (const box of boxes) {
      const face = await this.embedFace(pyramid, box, clock);
      embedded.set(box, face);
      if (this.confirmed(box, face)) {
        main = face;
        break;
      }
    }
    return { pyramid, quarters, boxes, embedded, main };
  }

  private async embedFace(pyramid: ImagePyramid, box: ScoredBox, clock: Stopwatch): Promise<EmbeddedFace> {
    let crop = cropFromSquare(squareBox(box));
    let points = await this.landmarks.detect68(pyramid, crop);
    let five = fivePointsFrom68(points);
    const roll = Math.atan2(five[1].y - five[0].y, five[1].x - five[0].x);
    // The landmark model was trained on roughly upright faces: a tilted head is shown to it turned upright.
    const angle = Math.abs(roll) > (this.options.rollCorrectionDeg * Math.PI) / 180 ? roll : 0;
    if (this.options.refineLandmarks) {
      crop = cropFromPoints(points, angle);
      points = await this.landmarks.detect68(pyramid, crop);
      five = fivePointsFrom68(points);
    } else if (angle !== 0) {
      points = await this.landmarks.detect68(pyramid, { ...crop, angle });
      five = fivePointsFrom68(points);
    }
    clock.lap('landmarks');
    const aligned = alignFace(pyramid, five);
    clock.lap('align');
    const { embedding, norm } = await this.embedder.embed(aligned);
    clock.lap('embed');
    return { five, points, aligned, embedding, norm };
  }

  private async embedWith(embedder: FaceEmbedder, pyramid: ImagePyramid, core: EmbeddedFace): Promise<Float32Array> {
    const aligned = embedder.size === ALIGNED_SIZE ? core.aligned : alignFace(pyramid, core.five, embedder.size);
    return (await embedder.embed(aligned)).embedding;
  }

  private async finishFace(
    view: OrientedView,
    box: ScoredBox,
    core: EmbeddedFace,
    decoded: DecodedImage,
    options: AnalyseOptions,
    clock: Stopwatch,
  ): Promise<AnalysedFace> {
    const quality = {
      ...measureQuality(core.aligned, ALIGNED_SIZE, core.five, squareBox(box).width * decoded.scale),
      embeddingNorm: Math.round(core.norm * 1000) / 1000,
    };
    clock.lap('quality');
    const liveness = options.liveness === false ? undefined : await this.liveness.score(view.pyramid, box);
    clock.lap('liveness');

    // Back to the caller's frame: undo the search rotation, then the working-size reduction.
    const { width: w, height: h } = decoded;
    const toOriginal = (p: Point): Point => {
      const q = unrotate(p, view.quarters, w, h);
      return { x: q.x * decoded.scale, y: q.y * decoded.scale };
    };
    const a = toOriginal({ x: box.x, y: box.y });
    const b = toOriginal({ x: box.x + box.width, y: box.y + box.height });
    const outBox: Box = clipBox(
      { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), width: Math.abs(b.x - a.x), height: Math.abs(b.y - a.y) },
      decoded.originalWidth,
      decoded.originalHeight,
    );
    return {
      box: roundBox(outBox),
      landmarks: core.five.map((p) => roundPoint(toOriginal(p))) as FivePoints,
      detectorScore: Math.round(box.score * 1e4) / 1e4,
      quality,
      embedding: core.embedding,
      ...(liveness === undefined ? {} : { liveness: Math.round(liveness * 1e4) / 1e4 }),
      ...(options.landmarks68 ? { landmarks68: core.points.map((p) => roundPoint(toOriginal(p))) } : {}),
    };
  }
}

/**
 * Raw-embedding norms of upright faces: lfw-dev median 3.5–3.7, 5th percentile ~2.9; the same faces turned by
 * 90/180/270° read 1.4–2.5. Below UPRIGHT_NORM the other orientations are looked at (about 1 photo in 20 pays for
 * it); a turn needs TURN_MIN_NORM by itself and a TURN_MARGIN lead.
 */
const UPRIGHT_NORM = 2.8;
/** Detections between the detector's sureScore and certainScore need at least this norm. */
const MIN_NORM_WHEN_SURE = 1.6;
const TURN_MIN_NORM = 3.0;
const TURN_MARGIN = 0.5;

interface EmbeddedFace {
  five: FivePoints;
  /** The 68 points the five come from, in the oriented working image. */
  points: Point[];
  aligned: Uint8Array;
  embedding: Float32Array;
  norm: number;
}

interface OrientedView {
  pyramid: ImagePyramid;
  quarters: 0 | 1 | 2 | 3;
  /** Candidate boxes, largest first. */
  boxes: ScoredBox[];
  /** Boxes embedded so far. */
  embedded: Map<ScoredBox, EmbeddedFace>;
  /** The largest confirmed face, if any. */
  main: EmbeddedFace | undefined;
}

/** Inverse of rotateQuarter in continuous coordinates; w, h are the unrotated image's size. */
function unrotate(p: Point, quarters: 0 | 1 | 2 | 3, w: number, h: number): Point {
  switch (quarters) {
    case 1:
      return { x: p.y, y: h - p.x };
    case 2:
      return { x: w - p.x, y: h - p.y };
    case 3:
      return { x: w - p.y, y: p.x };
    default:
      return p;
  }
}

const roundPoint = (p: Point): Point => ({ x: Math.round(p.x * 10) / 10, y: Math.round(p.y * 10) / 10 });
const roundBox = (b: Box): Box => ({
  x: Math.round(b.x * 10) / 10,
  y: Math.round(b.y * 10) / 10,
  width: Math.round(b.width * 10) / 10,
  height: Math.round(b.height * 10) / 10,
});

interface Stopwatch {
  lap(stage: keyof StageTimings): void;
}

function stopwatch(timings?: StageTimings): Stopwatch {
  if (!timings) return { lap: () => {} };
  let last = performance.now();
  return {
    lap(stage) {
      const now = performance.now();
      timings[stage] += now - last;
      last = now;
    },
  };
}

export function emptyTimings(): StageTimings {
  return { decode: 0, detect: 0, landmarks: 0, align: 0, embed: 0, liveness: 0, quality: 0 };
}
