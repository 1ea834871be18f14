import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { FaceCalibration } from '../../infra/face/calibration/face-calibration.js';
import { createFaceEngine } from '../../infra/face/face-engine.factory.js';
import type { EmbedderResolver } from '../../infra/face/model-set.js';
import { buildCalibration } from '../../tools/face-eval/calibration-builder.js';
import { evaluateLfw, type LfwReport } from '../../tools/face-eval/lfw-evaluation.js';
import { writeRocPng } from '../../tools/face-eval/roc-plot.js';

interface Options {
  lfw: string;
  json?: string;
  plot?: string;
  calibrationOut?: string;
  threads?: number;
  liveness: boolean;
}

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
};

const pct = (v: number, digits = 2) => `${(v * 100).toFixed(digits)}%`;

function summary(r: LfwReport): string {
  const v = r.verification;
  const lines = [
    `dataset            ${r.dataset.dir}: ${r.dataset.images} images, ${r.dataset.identities} people, ${r.dataset.pairs} pairs in ${r.dataset.folds} folds`,
    `model set          ${r.modelSetId}`,
    `embedding          ${r.embedding.seconds.toFixed(1)} s (${r.embedding.imagesPerSecond.toFixed(1)} images/s); no face: ${r.embedding.detectionFailures.length}; turned: ${r.embedding.rotated.length}; several faces: ${r.embedding.multiFace}`,
    `k-fold accuracy    ${pct(v.kFold.mean)} ± ${pct(v.kFold.std)} (folds: ${v.kFold.foldAccuracies.map((a) => pct(a, 1)).join(', ')})`,
    `fold thresholds    ${v.kFold.foldThresholds.map((t) => t.toFixed(3)).join(', ')}`,
    `ROC AUC            ${v.auc.toFixed(5)}`,
    `genuine / impostor ${v.genuine.mean.toFixed(3)} ± ${v.genuine.std.toFixed(3)} / ${v.impostor.mean.toFixed(3)} ± ${v.impostor.std.toFixed(3)}`,
    ...v.operatingPoints.map(
      (p) =>
        `TAR @ FAR ${pct(p.targetFar, 1).padEnd(8)} ${pct(p.tar)} at threshold ${p.threshold.toFixed(4)} (measured FAR ${pct(p.far, 3)}: ${p.impostorsAccepted}/${p.impostors})`,
    ),
    `pairs w/o a face   ${v.pairsWithDetectionFailure}`,
    `all pairs          ${r.allPairs.genuinePairs} genuine, ${r.allPairs.impostorPairs} impostor`,
    ...r.allPairs.operatingPoints.map(
      (p) =>
        `  FAR ${p.targetFar.toExponential(0).padEnd(6)} threshold ${p.threshold.toFixed(4)}  TAR ${pct(p.tar)}  FRR ${pct(p.frr)}`,
    ),
    `1:N                gallery ${r.identification.gallerySize}, mated probes ${r.identification.matedProbes}, non-mated ${r.identification.nonMatedProbes}`,
    `  rank-1           ${pct(r.identification.rank1Accuracy)}`,
    ...r.identification.operatingPoints.map(
      (p) =>
        `  FNIR @ FPIR ${pct(p.targetFpir, 0).padEnd(4)} ${pct(p.fnir)} at threshold ${p.threshold.toFixed(4)} (measured FPIR ${pct(p.fpir)})`,
    ),
  ];
  if (r.liveness) {
    lines.push(
      `liveness (bona fide) median ${r.liveness.median.toFixed(3)}; below ${r.liveness.belowThreshold.map((b) => `${b.threshold}: ${pct(b.share)}`).join(', ')}`,
    );
  }
  return lines.join('\n');
}

export interface FaceEvaluationRequest {
  lfw: string;
  json?: string;
  plot?: string;
  calibrationOut?: string;
  threads?: number;
  liveness: boolean;
  /** An installed set (with `modelSets` to find it); default the shipped one. */
  modelSetId?: string;
  modelSets?: EmbedderResolver;
}

/** Runs the evaluation, prints its summary, writes the files asked for; returns the calibration it measured. */
export async function evaluateFaces(o: FaceEvaluationRequest): Promise<FaceCalibration> {
  const dir = resolve(o.lfw);
  const log = (line: string) => process.stderr.write(`[eval faces] ${line}\n`);
  const threads = o.threads ?? availableParallelism();
  log(`starting ${threads} worker thread(s)${o.modelSetId ? ` for model set ${o.modelSetId}` : ''}`);
  const engine = await createFaceEngine({
    threads,
    maxQueue: 2 * threads,
    ...(o.modelSets ? { modelSets: o.modelSets } : {}),
  });
  try {
    const result = await evaluateLfw(dir, engine, {
      liveness: o.liveness,
      concurrency: 2 * threads,
      log,
      ...(o.modelSetId ? { modelSetId: o.modelSetId } : {}),
    });
    const r = result.report;
    process.stdout.write(`${summary(r)}\n`);
    if (o.json) {
      await writeFile(o.json, `${JSON.stringify(r, null, 2)}\n`);
      log(`report written to ${o.json}`);
    }
    if (o.plot) {
      // Operating points on the all-pairs curve: with ~14 M impostor pairs these FARs are actually measured.
      const marks = r.allPairs.operatingPoints
        .filter((p) => p.targetFar >= 1e-4)
        .map((p) => ({
          label: `FAR ${p.targetFar.toExponential(0)}: thr ${p.threshold.toFixed(3)}`,
          far: p.targetFar,
          tar: p.tar,
        }));
      await writeRocPng(
        o.plot,
        `ROC: ${r.modelSetId} on ${basename(dir)} (k-fold acc ${pct(r.verification.kFold.mean)}, AUC ${r.verification.auc.toFixed(4)})`,
        [
          { label: `pairs.txt (${r.dataset.pairs} pairs)`, colour: '#1f77b4', points: result.rocPairs },
          {
            label: `all pairs (${r.allPairs.genuinePairs} gen. / ${(r.allPairs.impostorPairs / 1e6).toFixed(1)} M imp.)`,
            colour: '#ff7f0e',
            points: result.rocAllPairs,
          },
        ],
        marks,
      );
      log(`ROC plot written to ${o.plot}`);
    }
    const calibration = buildCalibration(result.distributions, {
      modelSetId: r.modelSetId,
      dataset: {
        name: basename(dir),
        images: r.dataset.images,
        identities: r.dataset.identities,
        embedded: r.dataset.images - r.embedding.detectionFailures.length,
        detectionFailures: r.embedding.detectionFailures.length,
      },
      command: o.modelSetId
        ? `openidv models eval --id ${o.modelSetId} --lfw ${basename(dir)}`
        : `openidv eval faces --lfw ${basename(dir)} --calibration-out ${basename(o.calibrationOut ?? 'calibration.json')}`,
    });
    if (o.calibrationOut) {
      await writeFile(o.calibrationOut, `${JSON.stringify(calibration, null, 2)}\n`);
      log(`calibration written to ${o.calibrationOut}`);
    }
    return calibration;
  } finally {
    await engine.close();
  }
}

export function evalFacesCommand(): Command {
  return new Command('faces')
    .description('Evaluate the face engine on an LFW-layout folder (pairs.txt + images/<Name>/<Name>_NNNN.jpg)')
    .requiredOption('--lfw <dir>', 'folder with pairs.txt (View-2 format, any number of folds) and images/')
    .option('--json <file>', 'write the full report as JSON')
    .option('--plot <file.png>', 'draw the ROC curves as a PNG')
    .option('--calibration-out <file>', 'write the impostor/genuine score calibration used to derive pool thresholds')
    .option('--threads <n>', 'worker threads (default: one per core)', positiveInt)
    .option('--no-liveness', 'skip the passive liveness score (faster)')
    .action(async (o: Options) => {
      await evaluateFaces(o);
    });
}
