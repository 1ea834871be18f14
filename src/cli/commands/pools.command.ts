import { availableParallelism } from 'node:os';
import { SingleBar } from 'cli-progress';
import { Command } from 'commander';
import type { Container } from '../../runtime/container.js';
import { createContainer } from '../../runtime/container.js';
import { createLogger } from '../../runtime/logger.js';
import { importPool } from '../../runtime/pool-import.js';
import { faceMatchReviewBand } from '../../domain/checks/manual-check.js';
import { DEFAULT_TARGET_FPIR, poolDecisionPolicy } from '../../domain/pools/pool-threshold.js';
import { poolReviewBand } from '../../domain/pools/review-band.js';
import { defaultScoreCalibration } from '../../infra/face/calibration/score-calibration.js';
import { configFrom, withDataOption } from '../options.js';

async function resolveApp(c: Container, sdkId: string | undefined): Promise<string> {
  const active = (await c.apps.list()).filter((a) => a.revokedAt === null);
  if (sdkId) {
    if (!active.some((a) => a.sdkId === sdkId)) throw new Error(`no active app ${sdkId}`);
    return sdkId;
  }
  if (active.length !== 1) throw new Error(`there are ${active.length} active apps: choose one with --app SDK_ID`);
  return active[0]!.sdkId;
}

/** A pool by id or label (labels are not unique: refuse an ambiguous one). */
async function resolvePool(c: Container, appId: string, idOrLabel: string, create: boolean): Promise<string> {
  const byId = await c.poolRepo.getPool(appId, idOrLabel);
  if (byId) return byId.id;
  const matches = [];
  let cursor: string | undefined;
  do {
    const page = await c.poolRepo.listPools(appId, cursor, 500);
    matches.push(...page.items.filter((p) => p.label === idOrLabel));
    cursor = page.nextCursor;
  } while (cursor);
  if (matches.length > 1) throw new Error(`${matches.length} pools are labelled "${idOrLabel}": give the pool id`);
  if (matches[0]) return matches[0].id;
  if (!create) throw new Error(`no pool "${idOrLabel}" (use --create to create it)`);
  return (await c.pools.createPool(appId, idOrLabel)).id;
}

function importCommand(): Command {
  return withDataOption(
    new Command('import')
      .description('Enrol a folder: one applicant per image, or per sub-folder of images of one person (resumable)')
      .argument('<dir>')
      .requiredOption('--pool <id-or-label>', 'target pool')
      .option('--create', 'create the pool (labelled as given) if it does not exist')
      .option('--app <sdk_id>', 'owning app (default: the only active app)')
      .option('--concurrency <n>', 'images analysed at once (default: 2 per core)', (v) => Number(v)),
  ).action(
    async (
      dir: string,
      opts: { data?: string; pool: string; create?: boolean; app?: string; concurrency?: number },
    ) => {
      const config = configFrom(opts);
      const c = await createContainer(config, createLogger('warn'));
      try {
        const appId = await resolveApp(c, opts.app);
        const poolId = await resolvePool(c, appId, opts.pool, Boolean(opts.create));
        const bar = new SingleBar({
          format:
            'enrolling [{bar}] {value}/{total} | {rate}/s | ETA {eta_formatted} | enrolled {enrolled}, refused {refused}, skipped {skipped}',
          hideCursor: true,
          stream: process.stderr,
        });
        const started = Date.now();
        let barStarted = false;
        const summary = await importPool(c, {
          appId,
          poolId,
          dir,
          concurrency: opts.concurrency ?? 2 * availableParallelism(),
          onProgress: (p) => {
            if (!barStarted) {
              bar.start(p.total, 0, { rate: '0', enrolled: 0, refused: 0, skipped: 0 });
              barStarted = true;
            }
            const rate = (p.done / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1);
            bar.update(p.done, { rate, enrolled: p.enrolled, refused: p.refused, skipped: p.skipped });
          },
        });
        if (barStarted) bar.stop();
        process.stdout.write(
          `pool ${poolId}: ${summary.enrolled} enrolled, ${summary.refused} refused, ${summary.skipped} already done, ` +
            `${summary.total} entries in ${summary.seconds.toFixed(1)} s (journal ${summary.journal})\n`,
        );
        if (summary.refusals.length) {
          process.stdout.write('refused:\n');
          for (const r of summary.refusals) process.stdout.write(`  ${r.name}: ${r.code} (${r.message})\n`);
        }
      } finally {
        await c.close();
      }
    },
  );
}

function policyCommand(): Command {
  return new Command('policy')
    .description(
      'Show the match threshold, review band and expected error rates the pool policy gives at several pool sizes',
    )
    .option('--sizes <list>', 'pool sizes in faces', '1000,10000,100000,1000000')
    .option('--target-fpir <rate>', 'target false-positive identification rate', String(DEFAULT_TARGET_FPIR))
    .option('--review-target-fpir <rate>', "the review band's target FPIR (default: the pools' default)")
    .option('--calibration <file>', 'calibration file (default: OPENIDV_FACE_CALIBRATION or the shipped one)')
    .option('--json', 'print JSON')
    .action(
      (opts: {
        sizes: string;
        targetFpir: string;
        reviewTargetFpir?: string;
        calibration?: string;
        json?: boolean;
      }) => {
        const calibration = defaultScoreCalibration(opts.calibration ?? configFrom({}).face.calibrationFile);
        const settings = {
          target_fpir: Number(opts.targetFpir),
          ...(opts.reviewTargetFpir ? { review_target_fpir: Number(opts.reviewTargetFpir) } : {}),
        };
        const rows = opts.sizes.split(',').map((s) => {
          const size = Number(s);
          const p = poolDecisionPolicy(settings, size, calibration);
          const band = poolReviewBand(settings, size, calibration, p);
          return {
            pool_faces: size,
            threshold: p.threshold,
            per_comparison_fmr: calibration.falseMatchRateAt(p.threshold),
            expected_fpir: p.expectedFpir,
            expected_fnir: p.expectedFnir,
            review_from: band.lower,
            expected_fpir_at_review: band.expectedFpirAtLower,
            expected_fnir_at_review: band.expectedFnirAtLower,
          };
        });
        // The 1:1 checks' band (manual_check FALLBACK on face match and face comparison).
        const oneToOne = faceMatchReviewBand(calibration);
        const oneToOneRates = {
          fmr_at_lower: calibration.falseMatchRateAt(oneToOne.lower),
          fmr_at_upper: calibration.falseMatchRateAt(oneToOne.upper),
          fnmr_at_lower: calibration.falseNonMatchRateAt(oneToOne.lower),
          fnmr_at_upper: calibration.falseNonMatchRateAt(oneToOne.upper),
        };
        if (opts.json) {
          const one_to_one_review_band = { ...oneToOne, ...oneToOneRates };
          process.stdout.write(
            `${JSON.stringify({ model_set_id: calibration.modelSetId, calibration: calibration.dataset, one_to_one_threshold: calibration.oneToOneThreshold, one_to_one_review_band, rows }, null, 2)}\n`,
          );
          return;
        }
        const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
        process.stdout.write(
          `model set ${calibration.modelSetId}, calibration ${calibration.dataset}, 1:1 floor ${calibration.oneToOneThreshold.toFixed(4)}\n`,
        );
        process.stdout.write(
          `1:1 review band ${oneToOne.lower.toFixed(4)}-${oneToOne.upper.toFixed(4)}: FMR ${oneToOneRates.fmr_at_lower.toExponential(2)} to ${oneToOneRates.fmr_at_upper.toExponential(2)}, FNMR ${pct(oneToOneRates.fnmr_at_lower)} to ${pct(oneToOneRates.fnmr_at_upper)}\n`,
        );
        process.stdout.write(
          'pool faces   threshold   FMR per comparison   expected FPIR   expected FNIR   review from   FPIR there   FNIR there\n',
        );
        for (const r of rows) {
          process.stdout.write(
            `${String(r.pool_faces).padStart(10)}   ${r.threshold.toFixed(4).padStart(9)}   ${r.per_comparison_fmr.toExponential(2).padStart(18)}   ${pct(r.expected_fpir).padStart(13)}   ${pct(r.expected_fnir).padStart(13)}   ${r.review_from.toFixed(4).padStart(11)}   ${pct(r.expected_fpir_at_review).padStart(10)}   ${pct(r.expected_fnir_at_review).padStart(10)}\n`,
          );
        }
      },
    );
}

export function poolsCommand(): Command {
  return new Command('pools')
    .description('Manage applicant pools from the command line')
    .addCommand(importCommand())
    .addCommand(policyCommand());
}
