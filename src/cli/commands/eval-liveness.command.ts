import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createFaceEngine } from '../../infra/face/face-engine.factory.js';
import { FaceModelFrameAnalyser } from '../../infra/face/liveness/face-model.frame-analyser.js';
import { parallaxProbe } from '../../tools/liveness-eval/parallax-probe.js';
import {
  ATTACK_CLASSES,
  type AttemptClass,
  LivenessEvaluation,
  loadSubjects,
  summarise,
} from '../../tools/liveness-eval/liveness-evaluation.js';

// `openidv eval liveness`: the active (ZOOM) liveness engine against synthetic attacks and bona fide stand-ins
// built from ../shared/data photos. See docs/liveness.md for what the classes and the stand-ins are.

const ALL: AttemptClass[] = ['bona_fide', ...ATTACK_CLASSES];

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive integer');
  return n;
};

export function evalLivenessCommand(): Command {
  return new Command('liveness')
    .description('APCER per attack class and the stand-ins pass rate of the active (ZOOM) liveness engine')
    .option('--dataset <dir>', 'shared test data folder (default $OPENIDV_TEST_DATA or ../shared/data)')
    .addOption(new Option('--split <split>', 'identities to use').choices(['tuning', 'held-out']).default('held-out'))
    .option('--attempts <n>', 'attempts per class', positive, 20)
    .option('--classes <list>', `comma-separated, from ${ALL.join(',')}`, ALL.join(','))
    .option('--people <n>', 'LFW people scanned for usable subjects', positive, 400)
    .option('--seed <n>', 'seed of every random draw', positive, 1)
    .option('--fps <range>', 'simulated camera rate, e.g. 10-15', '10-15')
    .option('--min-parallax <x>', 'override the parallax threshold', Number)
    .option('--min-identity <x>', 'override the identity cosine threshold', Number)
    .option('--probe <n>', 'first measure parallax on single turned frames of n subjects (head vs cards)', positive)
    .option('--subjects <list>', 'comma-separated LFW names: run only the attempts on them')
    .option('--json <file>', 'write every attempt, its per-frame evidence and the summary as JSON')
    .option('--verbose', 'print each attempt')
    .action(async (opts) => {
      const dataDir = path.resolve(
        opts.dataset ?? process.env.OPENIDV_TEST_DATA ?? path.join(process.cwd(), '..', 'shared', 'data'),
      );
      const classes = String(opts.classes)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean) as AttemptClass[];
      for (const c of classes) if (!ALL.includes(c)) throw new InvalidArgumentError(`unknown class ${c}`);
      const [lo, hi] = String(opts.fps).split('-').map(Number) as [number, number];
      if (!(lo > 0 && hi >= lo)) throw new InvalidArgumentError('--fps must look like 10-15');
      const engine = await createFaceEngine({ inProcess: true });
      try {
        const subjects = await loadSubjects(engine, dataDir, opts.split, opts.people);
        console.log(
          `${subjects.length} usable ${opts.split} subjects from the first ${opts.people} LFW people of the split`,
        );
        const analyser = new FaceModelFrameAnalyser(engine);
        if (opts.probe) {
          const rows = await parallaxProbe(analyser, subjects.slice(0, opts.probe), opts.seed);
          console.log('parallax probe (homography residual / inter-ocular, frontal vs turned ±30° head or ±45° card):');
          for (const kind of ['head', 'card_3d', 'card_2d'] as const) {
            const v = rows.filter((r) => r.kind === kind);
            const p = v.map((r) => r.parallax).sort((a, b) => a - b);
            const y = v.map((r) => Math.abs(r.yawDeg)).sort((a, b) => a - b);
            const q = (a: number[], k: number) =>
              a.length ? a[Math.min(a.length - 1, Math.floor(k * a.length))]!.toFixed(4) : '-';
            console.log(
              `  ${kind.padEnd(8)} n=${v.length} parallax min ${q(p, 0)} p5 ${q(p, 0.05)} p50 ${q(p, 0.5)} p95 ${q(p, 0.95)} max ${q(p, 1)}; |yaw| read p50 ${q(y, 0.5)} max ${q(y, 1)}`,
            );
          }
        }
        const evaluation = new LivenessEvaluation(analyser, subjects, {
          dataDir,
          split: opts.split,
          attempts: opts.attempts,
          classes,
          fps: [lo, hi],
          seed: opts.seed,
          ...(opts.subjects && {
            subjects: String(opts.subjects)
              .split(',')
              .map((s) => s.trim()),
          }),
          keepEvidence: Boolean(opts.json),
          thresholds: {
            ...(opts.minParallax !== undefined && { minParallax: opts.minParallax }),
            ...(opts.minIdentity !== undefined && { minIdentityCosine: opts.minIdentity }),
          },
          onAttempt: (r) => {
            if (!opts.verbose) return;
            const extra = `parallax ${r.parallax ?? '-'} min_cos ${r.minCosine ?? '-'} ${r.failure ?? ''} ${r.failed.join(',')} | replay ${r.replayShare.toFixed(2)}`;
            console.log(
              `${r.cls.padEnd(20)} ${r.subject.padEnd(24)} ${r.decision.padEnd(7)} ${String(r.frames).padStart(3)} frames ${r.plan.join('>')} ${extra}`,
            );
          },
        });
        const started = performance.now();
        const results = await evaluation.run();
        const summary = summarise(results);
        console.log('\nclass                 attempts  approved  rate     95% upper  rejected by');
        for (const c of summary.classes) {
          const by = Object.entries(c.rejectedBy)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ');
          console.log(
            `${c.cls.padEnd(20)} ${String(c.attempts).padStart(9)} ${String(c.approved).padStart(9)}  ${(100 * c.rate).toFixed(1).padStart(5)}%  ${(100 * c.upper95).toFixed(2).padStart(7)}%  ${by}`,
          );
        }
        const bf = summary.classes.find((c) => c.cls === 'bona_fide');
        if (bf?.completedMs)
          console.log(
            `stand-in time to complete (simulated): p50 ${Math.round(bf.completedMs.p50)} ms, p90 ${Math.round(bf.completedMs.p90)} ms, max ${Math.round(bf.completedMs.max)} ms`,
          );
        const f = (v: number) => v.toFixed(1);
        console.log(
          `frame analysis: p50 ${f(summary.analyseMs.p50)} ms, p90 ${f(summary.analyseMs.p90)} ms per frame (one thread, in process)`,
        );
        console.log(
          `decide(): p50 ${f(summary.decideMs.p50)} ms, p90 ${f(summary.decideMs.p90)} ms; last frame + decide: p50 ${f(summary.lastFramePlusDecideMs.p50)} ms`,
        );
        console.log(
          `frames per attempt: p50 ${summary.framesPerAttempt.p50}, max ${summary.framesPerAttempt.max}; wall ${Math.round((performance.now() - started) / 1000)} s`,
        );
        if (opts.json)
          await writeFile(opts.json, JSON.stringify({ options: { ...opts, dataDir }, summary, results }, null, 1));
      } finally {
        await engine.close();
      }
    });
}
