import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  combineReports,
  evaluateFolder,
  SCORED_FIELDS,
  type FolderReport,
  type ImageResult,
} from '../../tools/mrz-eval/mrz-eval.js';
import {
  closeOcrEngines,
  createOcrEngines,
  warmUpOcrEngines,
  type OcrEnginesConfig,
} from '../../infra/ocr/ocr-engines.factory.js';

// `openidv eval mrz`: runs the MRZ reader over labelled folders and reports what a compliance reviewer
// needs first (accepted-but-wrong reads), then accuracy and time per image.

const ENGINE_KEYS = ['ocrb', 'tesseract-js-legacy', 'tesseract-cli', 'tesseract-js'] as const;

function engineConfig(list: string): OcrEnginesConfig {
  const wanted = new Set(
    list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  for (const w of wanted)
    if (!(ENGINE_KEYS as readonly string[]).includes(w))
      throw new Error(`unknown engine ${w} (known: ${ENGINE_KEYS.join(', ')})`);
  return {
    ocrb: wanted.has('ocrb'),
    tesseractJsLegacy: wanted.has('tesseract-js-legacy'),
    tesseractCli: wanted.has('tesseract-cli') ? 'auto' : false,
    tesseractJs: wanted.has('tesseract-js'),
  };
}

function sharedDataDir(explicit?: string): string {
  return path.resolve(explicit ?? process.env.OPENIDV_TEST_DATA ?? path.join(process.cwd(), '..', 'shared', 'data'));
}

const pct = (n: number, d: number): string => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`);

function printImage(r: ImageResult): void {
  const what =
    r.outcome === 'correct' || r.outcome === 'accepted-unlabelled'
      ? `${r.outcome} ${r.format}`
      : `${r.outcome}${r.reason ? ` ${r.reason}` : ''}`;
  const extra = r.wrongFields?.length
    ? ` WRONG FIELDS: ${r.wrongFields.join(',')}`
    : r.detail && r.outcome !== 'correct'
      ? ` (${r.detail})`
      : '';
  console.log(
    `  ${String(r.ms).padStart(6)} ms ${String(r.cpuMs).padStart(6)} cpu  ${r.label.padEnd(7)} ${what}  ${r.file}${extra}`,
  );
}

function printSummary(r: FolderReport): void {
  const t = r.transcribed;
  console.log(`${r.folder}: ${r.images} images`);
  console.log(
    `  transcribed MRZ: ${t.correct}/${t.total} fully correct (${pct(t.correct, t.total)}), ${t.wrong} accepted but wrong, ${t.refused} refused`,
  );
  console.log(`  no MRZ:          ${r.noMrz.refused}/${r.noMrz.total} refused, ${r.noMrz.accepted} read anyway`);
  console.log(
    `  unlabelled:      ${r.unlabelled.accepted}/${r.unlabelled.total} accepted (every check digit and the engine consensus passed), ${r.unlabelled.refused} refused`,
  );
  const c = r.checked;
  if (c.total > 0)
    console.log(
      `  checked by eye:  ${c.correct}/${c.total} read correctly, ${c.wrong} accepted but wrong, ${c.refused} refused (unlabelled images, --checked)`,
    );
  console.log(`  ACCEPTED BUT WRONG: ${r.acceptedWrong}`);
  if (t.total > 0) {
    console.log(
      `  fields (right/wrong/not read): ${SCORED_FIELDS.map((f) => `${f} ${r.fields[f]?.right}/${r.fields[f]?.wrong}/${r.fields[f]?.missing}`).join(', ')}`,
    );
  }
  console.log(
    `  refusals: ${
      Object.entries(r.refusals)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }`,
  );
  console.log(
    `  time per image: p50 ${r.ms.p50} ms, p90 ${r.ms.p90} ms, max ${r.ms.max} ms, mean ${r.ms.mean} ms (wall clock, shared machine)`,
  );
  console.log(
    `  CPU per image:  p50 ${r.cpuMs.p50} ms, p90 ${r.cpuMs.p90} ms, max ${r.cpuMs.max} ms, mean ${r.cpuMs.mean} ms (process + tesseract children)`,
  );
}

function workWidthArg(v: string): number {
  const px = Number(v);
  if (!Number.isInteger(px) || px < 300 || px > 4000) throw new InvalidArgumentError('a width in pixels, 300-4000');
  return px;
}

export function evalMrzCommand(): Command {
  return new Command('mrz')
    .description(
      'Evaluate the MRZ reader on folders of images with a ground_truth.json (format of ../shared/data/mrz-*)',
    )
    .option('--dir <dir...>', 'folder(s) with images and ground_truth.json')
    .option('--all-shared', 'evaluate every mrz-* folder of the shared test data (OPENIDV_TEST_DATA or ../shared/data)')
    .option('--data <dir>', 'shared test data folder for --all-shared')
    .option('--json <file>', 'write the full report (per image and totals) as JSON')
    .option(
      '--checked <file>',
      'MRZs transcribed by eye for unlabelled images: {"<folder name>": {"<relative path>": [lines]}}',
    )
    .option('--engines <list>', `engines in preference order, from: ${ENGINE_KEYS.join(', ')}`, ENGINE_KEYS.join(','))
    .addOption(
      new Option('--deadline-ms <ms>', 'time budget per image').default(5000).argParser((v) => Number.parseInt(v, 10)),
    )
    .addOption(
      new Option(
        '--min-agreement <n>',
        'engines that must read each character alike (1 measures engines alone: check digits only)',
      )
        .default(2)
        .argParser((v) => Number.parseInt(v, 10)),
    )
    .addOption(
      new Option(
        '--work-width <px>',
        'width of the band search image (robustness sweeps: the reading must not depend on it)',
      )
        .default(1000)
        .argParser(workWidthArg),
    )
    .option('--quiet', 'totals only')
    .action(
      async (opts: {
        dir?: string[];
        allShared?: boolean;
        data?: string;
        json?: string;
        checked?: string;
        engines: string;
        deadlineMs: number;
        minAgreement: number;
        workWidth: number;
        quiet?: boolean;
      }) => {
        const checked = opts.checked
          ? (JSON.parse(readFileSync(opts.checked, 'utf8')) as Record<string, Record<string, string[]>>)
          : {};
        const dirs = [...(opts.dir ?? [])];
        if (opts.allShared) {
          const root = sharedDataDir(opts.data);
          if (!existsSync(root))
            throw new Error(`shared test data not found at ${root} (set OPENIDV_TEST_DATA or --data)`);
          dirs.push(
            ...readdirSync(root)
              .filter((n) => n.startsWith('mrz-'))
              .sort()
              .map((n) => path.join(root, n)),
          );
        }
        if (dirs.length === 0) throw new Error('give --dir DIR or --all-shared');
        const engines = createOcrEngines(engineConfig(opts.engines));
        try {
          const startMs = await warmUpOcrEngines(engines);
          console.log(
            `engines: ${engines.map((e) => e.name).join(', ')} (started in ${startMs.toFixed(0)} ms); deadline ${opts.deadlineMs} ms per image; ${opts.minAgreement} engine(s) must agree`,
          );
          const reports: FolderReport[] = [];
          for (const dir of dirs) {
            if (!opts.quiet) console.log(`\n${dir}`);
            const report = await evaluateFolder(dir, engines, {
              deadlineMs: opts.deadlineMs,
              minAgreement: opts.minAgreement,
              workWidth: opts.workWidth,
              ...(checked[path.basename(dir)] ? { checked: checked[path.basename(dir)] } : {}),
              ...(opts.quiet ? {} : { onImage: printImage }),
            });
            reports.push(report);
            printSummary(report);
          }
          const total = combineReports(reports);
          if (reports.length > 1) {
            console.log('');
            printSummary(total);
          }
          if (opts.json) {
            await writeFile(
              opts.json,
              JSON.stringify(
                {
                  engines: engines.map((e) => e.name),
                  deadlineMs: opts.deadlineMs,
                  minAgreement: opts.minAgreement,
                  total: { ...total, results: undefined },
                  folders: reports,
                },
                null,
                2,
              ),
            );
            console.log(`report written to ${opts.json}`);
          }
          if (total.acceptedWrong > 0) process.exitCode = 2;
        } finally {
          await closeOcrEngines(engines);
        }
      },
    );
}
