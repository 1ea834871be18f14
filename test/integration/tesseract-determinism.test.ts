import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDocumentImage } from '../../src/infra/mrz/document-image.js';
import { fromGray, toGray } from '../../src/infra/image/gray-image.js';
import { sampleLine, stretchContrast } from '../../src/infra/mrz/line-sampler.js';
import { locateMrzBands } from '../../src/infra/mrz/mrz-band-locator.js';
import { tightRows } from '../../src/infra/mrz/mrz-reader.js';
import { TesseractJsEngine } from '../../src/infra/ocr/tesseract-js.engine.js';
import { dataPath, hasData } from '../helpers/data.js';

// tesseract's legacy classifier adapts to what it reads unless told not to, so one long-lived worker would
// read the same document differently depending on the documents before it. Measured on the specimens: the
// Polish passport's second line read 'ZSOOOO1774…' first and 'Z800001774…' after the other specimens.

const folder = 'mrz-passporteye/testdata';
const probe = '62_pass-pol.png';
const present = hasData(folder, probe);

async function mrzLinePngs(file: string): Promise<Buffer[]> {
  const { gray } = await loadDocumentImage(readFileSync(file));
  const work = await toGray(fromGray(gray).resize({ width: 1000 }));
  const band = locateMrzBands(work)[0];
  if (!band) return [];
  const k = gray.width / work.width;
  return Promise.all(
    band.lines.map((l) => {
      const line = sampleLine(
        gray,
        { x0: l.x0 * k, y0: l.y0 * k, x1: l.x1 * k, y1: l.y1 * k, height: l.height * k },
        { glyphHeight: 32 },
      );
      return fromGray(stretchContrast(tightRows(line)))
        .png()
        .toBuffer();
    }),
  );
}

describe.skipIf(!present)('tesseract.js legacy engine', () => {
  const engine = new TesseractJsEngine({ model: 'legacy' });
  afterAll(() => engine.close());
  const read = async (pngs: Buffer[]): Promise<string[]> => {
    const out: string[] = [];
    for (const image of pngs)
      out.push((await engine.recognize({ image, psm: 7, whitelist: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<' })).trim());
    return out;
  };

  it('reads a document the same way whatever it read before', async () => {
    const lines = await mrzLinePngs(dataPath(folder, probe));
    expect(lines).toHaveLength(2);
    const first = await read(lines);
    const others = readdirSync(dataPath(folder))
      .filter((f) => /\.(jpe?g|png)$/.test(f) && f !== probe)
      .sort();
    for (const f of others) await read(await mrzLinePngs(dataPath(folder, f)));
    expect(await read(lines)).toEqual(first);
  }, 120_000);
});
