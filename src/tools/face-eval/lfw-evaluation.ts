import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnalysedFace, FaceEngine } from '../../domain/ports/face-engine.port.js';
import { EMBEDDING_DIMENSIONS } from '../../infra/face/model-set.js';
import {
  identificationReport,
  type IdentificationReport,
  type IdentificationSample,
} from './identification-metrics.js';
import { loadLfwDataset, type LfwDataset } from './lfw-dataset.js';
import {
  genuineBelow,
  impostorQuantile,
  packEmbeddings,
  pairDistributions,
  type PairDistributions,
} from './score-distribution.js';
import { dot } from './vector-math.js';
import {
  kFoldAccuracy,
  operatingPoint,
  rocAuc,
  rocCurve,
  type KFoldResult,
  type OperatingPoint,
  type ScoredPair,
} from './verification-metrics.js';

export interface EmbeddedImage {
  id: string;
  person: string;
  embedding: Float32Array | null;
  liveness: number | null;
  faces: number;
  rotation: number;
  error?: string;
}

export interface LfwReport {
  dataset: { dir: string; images: number; identities: number; folds: number; pairs: number };
  modelSetId: string;
  embedding: {
    seconds: number;
    imagesPerSecond: number;
    detectionFailures: string[];
    /** Images analysed turned (the orientation search preferred 90/180/270°), with the turn. */
    rotated: string[];
    multiFace: number;
  };
  verification: {
    /** Pairs with an image where no face was found score −1 (counted as a non-match), as the protocol demands. */
    pairsWithDetectionFailure: number;
    kFold: KFoldResult;
    auc: number;
    genuine: { count: number; mean: number; std: number };
    impostor: { count: number; mean: number; std: number };
    operatingPoints: OperatingPoint[];
  };
  /** The same embeddings, every same-identity and cross-identity pair: rates far below what pairs.txt can show. */
  allPairs: {
    genuinePairs: number;
    impostorPairs: number;
    operatingPoints: { targetFar: number; threshold: number; tar: number; frr: number }[];
  };
  identification: IdentificationReport;
  liveness: { scored: number; median: number; belowThreshold: { threshold: number; share: number }[] } | null;
}

export interface LfwEvaluation {
  report: LfwReport;
  dataset: LfwDataset;
  embedded: EmbeddedImage[];
  distributions: PairDistributions;
  /** ROC points for plotting. */
  rocPairs: { far: number; tar: number }[];
  rocAllPairs: { far: number; tar: number }[];
}

export interface LfwEvaluationOptions {
  liveness: boolean;
  /** Images in flight at once (keep it within the engine's threads + queue). */
  concurrency: number;
  log: (line: string) => void;
  /** The model set to embed with (default: the shipped one). */
  modelSetId?: string;
}

/** The face nearest the image centre: LFW-style folders are centred on the labelled person. */
function centralFace(faces: AnalysedFace[], width: number, height: number): AnalysedFace | undefined {
  let best: AnalysedFace | undefined;
  let bestDistance = Infinity;
  for (const f of faces) {
    const d = Math.hypot(f.box.x + f.box.width / 2 - width / 2, f.box.y + f.box.height / 2 - height / 2);
    if (d < bestDistance) {
      bestDistance = d;
      best = f;
    }
  }
  return best;
}

async function embedAll(dataset: LfwDataset, engine: FaceEngine, o: LfwEvaluationOptions): Promise<EmbeddedImage[]> {
  const out: EmbeddedImage[] = new Array(dataset.images.length);
  let next = 0;
  let done = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < dataset.images.length) {
      const i = next++;
      const image = dataset.images[i]!;
      try {
        const bytes = await readFile(join(dataset.dir, 'images', image.id));
        const analysis = await engine.analyse(bytes, {
          liveness: o.liveness,
          transfer: true,
          ...(o.modelSetId ? { modelSetId: o.modelSetId } : {}),
        });
        const face = centralFace(analysis.faces, analysis.width, analysis.height);
        out[i] = {
          id: image.id,
          person: image.person,
          embedding: face?.embedding ?? null,
          liveness: face?.liveness ?? null,
          faces: analysis.faces.length,
          rotation: analysis.rotation,
        };
      } catch (err) {
        out[i] = {
          id: image.id,
          person: image.person,
          embedding: null,
          liveness: null,
          faces: 0,
          rotation: 0,
          error: String(err),
        };
      }
      done++;
      if (done % 250 === 0 || done === dataset.images.length) {
        const rate = done / ((performance.now() - started) / 1000);
        o.log(`embedded ${done}/${dataset.images.length} images (${rate.toFixed(1)}/s)`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
  return out;
}

const meanStd = (v: number[]) => {
  const mean = v.reduce((s, x) => s + x, 0) / Math.max(1, v.length);
  return { count: v.length, mean, std: Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, v.length)) };
};

export async function evaluateLfw(dir: string, engine: FaceEngine, o: LfwEvaluationOptions): Promise<LfwEvaluation> {
  const dataset = await loadLfwDataset(dir);
  const people = new Set(dataset.images.map((im) => im.person));
  o.log(
    `${dataset.images.length} images of ${people.size} people, ${dataset.pairs.length} pairs in ${dataset.folds} folds`,
  );

  const t0 = performance.now();
  const embedded = await embedAll(dataset, engine, o);
  const seconds = (performance.now() - t0) / 1000;
  const byId = new Map(embedded.map((e) => [e.id, e]));
  const failures = embedded.filter((e) => !e.embedding).map((e) => e.id + (e.error ? ` (${e.error})` : ''));

  // pairs.txt protocol
  let pairsWithFailure = 0;
  const scored: ScoredPair[] = dataset.pairs.map((p) => {
    const a = byId.get(p.a)!.embedding;
    const b = byId.get(p.b)!.embedding;
    if (!a || !b) pairsWithFailure++;
    return { score: a && b ? dot(a, b) : -1, same: p.same, fold: p.fold };
  });
  const genuine = scored.filter((p) => p.same).map((p) => p.score);
  const impostor = scored.filter((p) => !p.same).map((p) => p.score);

  // 1:N on the same identities
  const byPerson = new Map<string, IdentificationSample[]>();
  for (const e of embedded) {
    if (!e.embedding) continue;
    const list = byPerson.get(e.person) ?? [];
    list.push({ person: e.person, embedding: e.embedding });
    byPerson.set(e.person, list);
  }
  const identification = identificationReport(byPerson);

  // every pair of embedded images
  o.log('scoring every pair of embedded images');
  const ok = embedded.filter((e) => e.embedding);
  const personIndex = new Map([...people].map((p, i) => [p, i]));
  const identity = Int32Array.from(ok, (e) => personIndex.get(e.person)!);
  const packed = packEmbeddings(
    ok.map((e) => e.embedding!),
    EMBEDDING_DIMENSIONS,
  );
  let lastLog = performance.now();
  const distributions = pairDistributions(packed, EMBEDDING_DIMENSIONS, identity, 0.25, (i, n) => {
    if (performance.now() - lastLog > 5000) {
      lastLog = performance.now();
      o.log(`pairs: row ${i}/${n}`);
    }
  });
  const allPairsPoints = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6].map((targetFar) => {
    // The threshold sits on an impostor score; pairs at or above it are accepted.
    const threshold = impostorQuantile(distributions.impostor, targetFar) + 1e-6;
    const frr = genuineBelow(distributions.genuine, threshold);
    return { targetFar, threshold, tar: 1 - frr, frr };
  });

  const live = embedded
    .map((e) => e.liveness)
    .filter((v): v is number => v !== null)
    .sort((a, b) => a - b);
  const report: LfwReport = {
    dataset: {
      dir,
      images: dataset.images.length,
      identities: people.size,
      folds: dataset.folds,
      pairs: dataset.pairs.length,
    },
    modelSetId: o.modelSetId ?? engine.modelSetId,
    embedding: {
      seconds,
      imagesPerSecond: dataset.images.length / seconds,
      detectionFailures: failures,
      rotated: embedded.filter((e) => e.rotation !== 0).map((e) => `${e.id} (${e.rotation}°)`),
      multiFace: embedded.filter((e) => e.faces > 1).length,
    },
    verification: {
      pairsWithDetectionFailure: pairsWithFailure,
      kFold: kFoldAccuracy(scored, dataset.folds),
      auc: rocAuc(scored),
      genuine: meanStd(genuine),
      impostor: meanStd(impostor),
      operatingPoints: [0.01, 0.001].map((far) => operatingPoint(genuine, impostor, far)),
    },
    allPairs: {
      genuinePairs: distributions.genuine.length,
      impostorPairs: distributions.impostor.count,
      operatingPoints: allPairsPoints,
    },
    identification,
    liveness:
      live.length === 0
        ? null
        : {
            scored: live.length,
            median: live[Math.floor(live.length / 2)]!,
            belowThreshold: [0.3, 0.5, 0.7, 0.9].map((threshold) => ({
              threshold,
              share: live.filter((v) => v < threshold).length / live.length,
            })),
          },
  };
  return {
    report,
    dataset,
    embedded,
    distributions,
    rocPairs: rocCurve(genuine, impostor),
    rocAllPairs: allPairsRoc(distributions),
  };
}

/**
 * ROC of all pairs at log-spaced FARs, from the impostor quantiles and the genuine scores; it stops where fewer
 * than 10 impostor pairs remain above the threshold (below that the curve is noise).
 */
function allPairsRoc(d: PairDistributions): { far: number; tar: number }[] {
  const points: { far: number; tar: number }[] = [];
  for (let k = 0; ; k++) {
    const far = 10 ** (-k / 10);
    if (far * d.impostor.count < 10) break;
    points.push({ far, tar: 1 - genuineBelow(d.genuine, impostorQuantile(d.impostor, far) + 1e-6) });
  }
  return points;
}
