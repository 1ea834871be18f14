import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateFolder, type FolderReport } from '../../src/tools/mrz-eval/mrz-eval.js';
import { closeOcrEngines, createOcrEngines, warmUpOcrEngines } from '../../src/infra/ocr/ocr-engines.factory.js';
import { dataPath, hasData } from '../helpers/data.js';

// The real specimen photos in ../shared/data/mrz-* (never committed). The full corpus runs in
// `npm run bench:mrz`; here a representative subset keeps the suite short: the safety number (accepted
// but wrong) must be zero and the correct reads must stay above a floor.

const present = hasData('mrz-imagejs', 'ground_truth.json') && hasData('mrz-passporteye', 'ground_truth.json');
const engines = createOcrEngines();
beforeAll(() => warmUpOcrEngines(engines), 60_000);
afterAll(() => closeOcrEngines(engines));

// Only the folders' labelled images that the subset names are read (evaluateFolder takes a filter).
const SUBSET: Record<string, string[]> = {
  // The last two were once accepted with a wrong country code (NLO, EBR/GER): read by eye, now refused.
  'mrz-passporteye': [
    'tests/passport-td3.jpg',
    'tests/passport-td2.png',
    'testdata/100_pass-lux.jpg',
    'testdata/100_id-si.jpg',
    'testdata/98_pass-nld.jpg',
    'testdata/27_pass-gbr.jpg',
  ],
  'mrz-imagejs': ['fixtures/id1.jpg', 'fixtures/id2.jpg', 'fixtures/id_fail.png'],
  'mrz-doubango': [
    'images/Czech_passport_2005_MRZ_orient1_1300x1002.jpg',
    'images/Czech_passport_2005_MRZ_orient6_1300x1002.jpg',
    'images/Passport-France_1200x864.jpg',
  ],
  // 7 px blurred glyphs in perspective: every engine misreads some of them; it must be refused, not read wrong.
  'mrz-docsaid': ['finetune_mrz_img.jpg'],
};

// By-eye transcriptions of unlabelled specimens, by folder (see bench/mrz-checked.json).
const CHECKED = JSON.parse(
  readFileSync(path.join(import.meta.dirname, '..', '..', 'bench', 'mrz-checked.json'), 'utf8'),
) as Record<string, Record<string, string[]>>;

describe.skipIf(!present)('MRZ reader on the shared specimen photos (subset)', () => {
  const reports: FolderReport[] = [];

  beforeAll(async () => {
    for (const [folder, files] of Object.entries(SUBSET)) {
      if (!hasData(folder)) continue;
      // A generous deadline: this checks what is read; the bench measures time.
      const checked = CHECKED[folder];
      reports.push(
        await evaluateFolder(dataPath(folder), engines, {
          deadlineMs: 20_000,
          only: files,
          ...(checked ? { checked } : {}),
        }),
      );
    }
  }, 170_000);

  it('accepts no wrong reading', () => {
    const wrong = reports.flatMap((r) =>
      r.results.filter((x) => x.outcome === 'wrong').map((x) => `${path.basename(r.folder)}/${x.file}`),
    );
    expect(wrong).toEqual([]);
  });

  it('reads the transcribed MRZs fully correctly', () => {
    const total = reports.reduce((s, r) => s + r.transcribed.total, 0);
    const correct = reports.reduce((s, r) => s + r.transcribed.correct, 0);
    expect(total).toBeGreaterThanOrEqual(6);
    expect(correct).toBeGreaterThanOrEqual(total - 1);
  });

  it('reads unlabelled specimens transcribed by eye (bench/mrz-checked.json) as transcribed, or refuses them', () => {
    expect(reports.reduce((s, r) => s + r.checked.total, 0)).toBe(4);
    expect(reports.reduce((s, r) => s + r.checked.correct, 0)).toBeGreaterThanOrEqual(2);
  });

  it('accepts no wrong reading when the band search works at another resolution', async () => {
    // The specimens that were once accepted wrong sit close to the acceptance rule: at 800 and 1200 px the
    // Dutch one was accepted as P<NLO until an unsure OCR-B character stopped counting as a reading.
    const risky = ['testdata/98_pass-nld.jpg', 'testdata/27_pass-gbr.jpg'];
    const checked = CHECKED['mrz-passporteye'];
    const wrong: string[] = [];
    for (const workWidth of [800, 1200]) {
      const r = await evaluateFolder(dataPath('mrz-passporteye'), engines, {
        deadlineMs: 20_000,
        only: risky,
        workWidth,
        ...(checked ? { checked } : {}),
      });
      expect(r.checked.total).toBe(2);
      wrong.push(...r.results.filter((x) => x.outcome === 'wrong').map((x) => `${x.file} at ${workWidth} px`));
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('refuses the images that carry no MRZ', () => {
    const noMrz = reports.reduce((s, r) => s + r.noMrz.total, 0);
    expect(reports.reduce((s, r) => s + r.noMrz.refused, 0)).toBe(noMrz);
  });
});
