import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeMrz, type ComposeInput } from '../../src/domain/mrz/mrz-compose.js';
import type { MrzFormat } from '../../src/domain/mrz/mrz-format.js';
import { readDocument } from '../../src/infra/mrz/mrz-reader.js';
import { closeOcrEngines, createOcrEngines, warmUpOcrEngines } from '../../src/infra/ocr/ocr-engines.factory.js';
import { findOcrbFont, OCRB_ADVANCE_EM, renderOcrbLines } from '../../src/tools/ocrb-training/ocrb-synth.js';

// Synthetic data pages made at test time: a valid MRZ (check digits computed) in the OCR-B font from
// Debian's fonts-ocr-b, under a few lines of ordinary print and a grey portrait block, then rotated or
// degraded. Ground truth is exact by construction; no image is committed.

const font = findOcrbFont();
if (!font) console.warn('[skip] OCR-B font not found (apt-get install fonts-ocr-b, or set OPENIDV_OCRB_FONT)');
const engines = createOcrEngines();
beforeAll(() => warmUpOcrEngines(engines), 60_000);
afterAll(() => closeOcrEngines(engines));
const today = new Date('2025-06-01T00:00:00Z');
// Tests check what is read, not how fast: a generous deadline keeps them stable on a busy machine.
const deadlineMs = 30_000;

const person: ComposeInput = {
  documentCode: 'P',
  issuingState: 'D',
  documentNumber: 'C01X00T47',
  birthDate: '640812',
  sex: 'F',
  expiryDate: '320430',
  surname: 'Mustermann',
  givenNames: 'Erika',
};

async function dataPage(lines: string[], fontSize = 26): Promise<Buffer> {
  const pitch = fontSize * OCRB_ADVANCE_EM;
  const width = Math.round(pitch * (lines[0]?.length ?? 44) + 4 * pitch);
  const height = Math.round(width * 0.7);
  const mrzTop = height - fontSize * (lines.length * 1.6 + 1.2);
  const text = ['SURNAME / NOM', 'MUSTERMANN', 'GIVEN NAMES', 'ERIKA', 'DATE OF BIRTH 12 08 1964']
    .map(
      (t, i) =>
        `<text x="${width * 0.38}" y="${fontSize * (2 + i * 1.4)}" font-family="DejaVu Sans" font-size="${fontSize * 0.7}" fill="#334">${t}</text>`,
    )
    .join('');
  const underlay = `<rect x="${pitch * 2}" y="${fontSize}" width="${width * 0.28}" height="${height * 0.55}" fill="#999"/>${text}`;
  const r = await renderOcrbLines(lines, {
    fontSize,
    marginX: pitch * 2,
    marginTop: mrzTop,
    width,
    height,
    paper: '#f4f1ea',
    underlay,
  });
  return r.png;
}

describe.skipIf(!font)('reading rendered OCR-B data pages', () => {
  const cases: { format: MrzFormat; input: ComposeInput; rotate: number }[] = [
    { format: 'TD3', input: person, rotate: 0 },
    {
      format: 'TD1',
      input: { ...person, documentCode: 'ID', documentNumber: 'T22000129', optionalData1: '', optionalData2: '' },
      rotate: 90,
    },
    {
      format: 'TD2',
      input: { ...person, documentCode: 'I', surname: 'Eriksson', givenNames: 'Anna Maria' },
      rotate: 180,
    },
  ];

  it.each(cases)(
    '$format turned $rotate°',
    async ({ format, input, rotate }) => {
      const lines = composeMrz(format, input);
      const page = await sharp(await dataPage(lines))
        .rotate(rotate)
        .jpeg({ quality: 90 })
        .toBuffer();
      const r = await readDocument(page, { ocr: engines }, { today, deadlineMs });
      expect(r.failure, JSON.stringify(r.failure)).toBeUndefined();
      expect(r.mrz?.lines).toEqual(lines);
      expect(r.mrz?.format).toBe(format);
      expect(r.mrz?.unverifiedFields).toContain('names');
      expect((r.rotation + rotate) % 360).toBe(0);
      expect(r.quality?.glyphHeight).toBeGreaterThan(10);
      expect(r.mrzQuad).toHaveLength(4);
      if (format !== 'TD1') expect(r.portraitWindow?.width).toBeGreaterThan(0);
    },
    60_000,
  );

  it('reads the fields out of the TD3 page', async () => {
    const r = await readDocument(await dataPage(composeMrz('TD3', person)), { ocr: engines }, { today, deadlineMs });
    expect(r.mrz).toMatchObject({
      documentType: 'PASSPORT',
      issuingState: 'D',
      documentNumber: 'C01X00T47',
      nationality: 'D',
      birthDate: '1964-08-12',
      sex: 'F',
      expiryDate: '2032-04-30',
      surname: 'MUSTERMANN',
      givenNames: 'ERIKA',
    });
    expect(r.engines.agreed.length).toBeGreaterThanOrEqual(1);
    expect(r.timings.totalMs).toBeGreaterThan(0);
  }, 60_000);

  it('refuses, and never misreads, an MRZ whose check digit was tampered with', async () => {
    const lines = composeMrz('TD3', person);
    const tampered = [lines[0] as string, lines[1]!.replace('6408125', '6408135')];
    const r = await readDocument(await dataPage(tampered), { ocr: engines }, { today, deadlineMs });
    expect(r.mrz).toBeUndefined();
    expect(r.failure?.reason).toBe('INCORRECT_MRZ');
  }, 60_000);

  it('reads a PNG whose paper is transparent (hidden pixels black) as print on white', async () => {
    const lines = composeMrz('TD3', person);
    const { data, info } = await sharp(await dataPage(lines))
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const ink = Buffer.alloc(info.width * info.height * 4);
    for (let i = 0; i < info.width * info.height; i++) ink[i * 4 + 3] = 255 - (data[i] as number);
    const png = await sharp(ink, { raw: { width: info.width, height: info.height, channels: 4 } })
      .png()
      .toBuffer();
    const r = await readDocument(png, { ocr: engines }, { today, deadlineMs });
    expect(r.failure, JSON.stringify(r.failure)).toBeUndefined();
    expect(r.mrz?.lines).toEqual(lines);
  }, 60_000);

  it('blames a glare spot that hides the middle of the MRZ, not the document', async () => {
    const png = await dataPage(composeMrz('TD3', person));
    const { width = 0, height = 0 } = await sharp(png).metadata();
    const glare = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><radialGradient id="g"><stop offset="0" stop-color="#fff"/><stop offset="0.6" stop-color="#fff" stop-opacity="0.95"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient></defs><ellipse cx="${width * 0.45}" cy="${height - 26 * 2.5}" rx="${width * 0.12}" ry="${26 * 3}" fill="url(#g)"/></svg>`;
    const page = await sharp(png)
      .composite([{ input: Buffer.from(glare) }])
      .jpeg()
      .toBuffer();
    const r = await readDocument(page, { ocr: engines }, { today, deadlineMs });
    expect(r.mrz).toBeUndefined();
    expect(r.failure?.reason, r.failure?.detail).toBe('GLARE_OBSTRUCTION');
  }, 60_000);

  it('refuses a JPEG cut short in transit as unreadable instead of blaming blur', async () => {
    const page = await sharp(await dataPage(composeMrz('TD3', person)))
      .jpeg({ quality: 90 })
      .toBuffer();
    const r = await readDocument(
      page.subarray(0, Math.round(page.length * 0.6)),
      { ocr: engines },
      { today, deadlineMs },
    );
    expect(r.mrz).toBeUndefined();
    expect(r.failure?.reason, r.failure?.detail).toBe('UNABLE_TO_LOAD');
  }, 30_000);

  it('says the resolution is too low when the glyphs are a few pixels high', async () => {
    const small = await sharp(await dataPage(composeMrz('TD3', person)))
      .resize({ width: 180 })
      .png()
      .toBuffer();
    const r = await readDocument(small, { ocr: engines }, { today, deadlineMs });
    expect(r.mrz === undefined || r.mrz.lines.join() === composeMrz('TD3', person).join()).toBe(true);
    if (!r.mrz)
      expect(['IMAGE_RESOLUTION_TOO_LOW', 'DOCUMENT_NOT_SUPPORTED', 'PHOTO_TOO_BLURRY', 'INCORRECT_MRZ']).toContain(
        r.failure?.reason,
      );
  }, 60_000);
});

describe('images without a readable MRZ', () => {
  it('reports UNABLE_TO_LOAD for bytes that are not an image', async () => {
    const r = await readDocument(Buffer.from('not an image at all'), { ocr: engines }, { deadlineMs });
    expect(r.failure?.reason).toBe('UNABLE_TO_LOAD');
    expect(r.quality).toBeUndefined();
  });

  // A 3.7 KB strip that once made a 1000 × 340,000 px working image when turned (117 s, 2.5 GB); now about
  // 0.1 s, so the test's own timeout is a bound with a wide margin, not a speed measurement.
  it.each([
    [20_000, 60],
    [60, 20_000],
  ])(
    'answers a %i × %i strip without blowing up the working image',
    async (width, height) => {
      const strip = await sharp({ create: { width, height, channels: 3, background: '#fff' } })
        .png()
        .toBuffer();
      const r = await readDocument(strip, { ocr: engines }, { deadlineMs });
      expect(r.mrz).toBeUndefined();
      expect(r.failure?.reason).toBeDefined();
    },
    15_000,
  );

  it('says the resolution is too low for an image too small to hold any MRZ', async () => {
    const tiny = await sharp({ create: { width: 180, height: 120, channels: 3, background: '#d8d2c4' } })
      .jpeg()
      .toBuffer();
    const r = await readDocument(tiny, { ocr: engines }, { deadlineMs });
    expect(r.failure?.reason, r.failure?.detail).toBe('IMAGE_RESOLUTION_TOO_LOW');
    expect(r.quality).toBeDefined();
  });

  it('reports DOCUMENT_NOT_SUPPORTED for a page of ordinary text', async () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="600"><rect width="100%" height="100%" fill="#fff"/>${['Lorem ipsum dolor sit amet', 'consectetur adipiscing elit', 'sed do eiusmod tempor'].map((t, i) => `<text x="40" y="${100 + i * 60}" font-family="DejaVu Sans" font-size="30">${t}</text>`).join('')}</svg>`;
    const r = await readDocument(await sharp(Buffer.from(svg)).png().toBuffer(), { ocr: engines }, { deadlineMs });
    expect(r.mrz).toBeUndefined();
    expect(r.failure?.reason, r.failure?.detail).toBe('DOCUMENT_NOT_SUPPORTED');
    expect(r.quality?.brightness).toBeGreaterThan(200);
  }, 30_000);
});
