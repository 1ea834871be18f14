import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeMrz, type ComposeInput } from '../../src/domain/mrz/mrz-compose.js';
import type { MrzFormat } from '../../src/domain/mrz/mrz-format.js';
import { normalizeOcrLine } from '../../src/domain/mrz/mrz-text.js';
import { closeOcrEngines, createOcrEngines, warmUpOcrEngines } from '../../src/infra/ocr/ocr-engines.factory.js';
import { findOcrbFont, renderOcrbLines } from '../../src/tools/ocrb-training/ocrb-synth.js';

// Every engine this machine offers reads single MRZ lines rendered in OCR-B at test time. The OCR-B reader
// must read them exactly; the tesseract engines are held to what the consensus relies on them for: the
// digits of dates and check digits, and the letters of names (their '<' fillers are known to be unreliable).

const font = findOcrbFont();
if (!font) console.warn('[skip] OCR-B font not found (apt-get install fonts-ocr-b, or set OPENIDV_OCRB_FONT)');
const engines = createOcrEngines();
beforeAll(() => warmUpOcrEngines(engines), 60_000);
afterAll(() => closeOcrEngines(engines));

const WHITELIST = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<';
const person: ComposeInput = {
  documentCode: 'P',
  issuingState: 'UTO',
  documentNumber: 'L898902C3',
  birthDate: '740812',
  sex: 'F',
  expiryDate: '320415',
  surname: 'Eriksson',
  givenNames: 'Anna Maria',
  optionalData1: 'ZE184226B',
};
const asDigits = (s: string): string =>
  s.replace(/O|D|Q/g, '0').replace(/I|L/g, '1').replace(/Z/g, '2').replace(/S/g, '5').replace(/B/g, '8');

describe.skipIf(!font)('each OCR engine on rendered OCR-B lines', () => {
  const formats: MrzFormat[] = ['TD3', 'TD2', 'TD1'];
  it.each(engines.map((e) => [e.name, e] as const))(
    '%s',
    async (_name, engine) => {
      for (const format of formats) {
        const lines = composeMrz(
          format,
          format === 'TD3' ? person : { ...person, documentCode: 'I', optionalData1: '' },
        );
        const read: string[] = [];
        for (const line of lines) {
          const r = await renderOcrbLines([line], { fontSize: 40, marginX: 24, marginTop: 18 });
          read.push(
            normalizeOcrLine(
              await engine.recognize({ image: r.png, psm: 7, whitelist: WHITELIST, lineLengths: [line.length] }),
            ),
          );
        }
        if (engine.name === 'openidv-ocrb') {
          // OCR-B draws O and 0 almost alike; the position's class (letter or digit) settles them later.
          const o0 = (l: string[]): string[] => l.map((x) => x.replace(/O/g, '0'));
          expect(o0(read), format).toEqual(o0(lines));
          continue;
        }
        // Birth date, its check digit, sex, expiry date and its check digit, in the layout's order.
        const dates = format === 'TD1' ? (lines[1] as string).slice(0, 15) : (lines[1] as string).slice(13, 28);
        const datesRead = format === 'TD1' ? (read[1] as string) : (read[1] as string);
        expect(asDigits(datesRead), `${engine.name} ${format}`).toContain(asDigits(dates));
        expect(read[format === 'TD1' ? 2 : 0], `${engine.name} ${format}`).toContain('ERIKSSON');
      }
    },
    60_000,
  );
});

describe.skipIf(!font)('engines that read several lines at once', () => {
  const batching = engines.filter((e) => e.recognizeAll);
  it.skipIf(batching.length === 0).each(batching.map((e) => [e.name, e] as const))(
    '%s reads each line as it reads it alone',
    async (_name, engine) => {
      const lines = composeMrz('TD1', { ...person, documentCode: 'I', optionalData1: '' });
      const images = await Promise.all(
        lines.map(async (l) => (await renderOcrbLines([l], { fontSize: 40, marginX: 24, marginTop: 18 })).png),
      );
      const request = { psm: 7, whitelist: WHITELIST } as const;
      const alone: string[] = [];
      for (const image of images) alone.push(await engine.recognize({ ...request, image }));
      const together = await (engine.recognizeAll as NonNullable<typeof engine.recognizeAll>)(images, request);
      expect(together).toEqual(alone);
      expect(together[2]).toContain('ERIKSSON');
    },
    60_000,
  );
});
