import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { faceMatchReviewBand } from '../../src/domain/checks/manual-check.js';
import { poolDecisionPolicy } from '../../src/domain/pools/pool-threshold.js';
import { poolReviewBand } from '../../src/domain/pools/review-band.js';
import { defaultScoreCalibration } from '../../src/infra/face/calibration/score-calibration.js';
import { CLI } from '../helpers/server.js';

// `openidv pools policy` (the built CLI) prints the figures docs/pools.md and docs/accuracy.md quote: the match
// threshold and the review band a pool gets at each size, and the 1:1 checks' review band.

const run = promisify(execFile);

describe('openidv pools policy', () => {
  it('prints each size with its review band, and the 1:1 band, as the policy code derives them', async () => {
    const { stdout } = await run(process.execPath, [
      CLI,
      'pools',
      'policy',
      '--sizes',
      '1,100000',
      '--review-target-fpir',
      '0.2',
      '--json',
    ]);
    const printed = JSON.parse(stdout) as {
      one_to_one_review_band: { lower: number; upper: number };
      rows: { pool_faces: number; threshold: number; review_from: number }[];
    };
    const calibration = defaultScoreCalibration();
    for (const row of printed.rows) {
      const policy = poolDecisionPolicy({}, row.pool_faces, calibration);
      expect(row.threshold).toBeCloseTo(policy.threshold, 10);
      expect(row.review_from).toBeCloseTo(
        poolReviewBand({ review_target_fpir: 0.2 }, row.pool_faces, calibration, policy).lower,
        10,
      );
      expect(row.review_from).toBeLessThan(row.threshold);
    }
    expect(printed.one_to_one_review_band).toMatchObject(faceMatchReviewBand(calibration));
    const { stdout: text } = await run(process.execPath, [CLI, 'pools', 'policy', '--sizes', '1000']);
    expect(text).toMatch(/^1:1 review band 0\.\d{4}-0\.\d{4}: FMR /m);
    expect(text).toContain('review from');
  });
});
