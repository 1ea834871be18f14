import { describe, expect, it } from 'vitest';
import { decodeMrzLines } from './mrz-decoder.js';
import { LAYOUTS } from './mrz-format.js';
import { cleanNameField, splitNameField } from './mrz-names.js';
import { repairMrz } from './mrz-repair.js';
import { fitLineLength, normalizeOcrLine } from './mrz-text.js';
import { voteLine } from './mrz-vote.js';

const TD3 = ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'];
const TD1 = ['I<UTOD231458907<<<<<<<<<<<<<<<', '7408122F1204159UTO<<<<<<<<<<<6', 'ERIKSSON<<ANNA<MARIA<<<<<<<<<<'];
const today = new Date('2025-06-01T00:00:00Z');

describe('OCR text clean-up', () => {
  it('keeps only MRZ characters and maps filler look-alikes', () => {
    expect(normalizeOcrLine(' p«uto eriksson ')).toBe('P<UTOERIKSSON');
  });

  it('fits a line to its length by resizing the longest filler run first', () => {
    expect(fitLineLength('AB<<<<CD', 6)[0]).toBe('AB<<CD');
    expect(fitLineLength('AB<<CD', 8)[0]).toBe('AB<<<<CD');
  });

  it('votes per position, ties going to the earliest read', () => {
    expect(voteLine(['ABCD', 'ABXD', 'ABXD'])).toBe('ABXD');
    expect(voteLine(['ABCD', 'ABXD'])).toBe('ABCD');
    expect(voteLine(['ABCD', 'ABC'])).toBe('ABCD');
  });
});

describe('names', () => {
  it('drops ghost letters the generic OCR model reads inside filler runs', () => {
    expect(cleanNameField('ERIKSSON<<ANNA<MARIA<K<<<<<L<<<')).toBe('ERIKSSON<<ANNA<MARIA<<<<<<<<<<<');
    expect(cleanNameField('ERIKSSON<<ANNA<MARIA<<<<<<<<<<X')).toBe('ERIKSSON<<ANNA<MARIA<<<<<<<<<<<');
  });

  it('keeps a real one-letter name part between single fillers', () => {
    expect(cleanNameField('SMITH<<JOHN<K<PAUL<<<<<')).toBe('SMITH<<JOHN<K<PAUL<<<<<');
  });

  it('splits primary and secondary identifiers', () => {
    expect(splitNameField('VAN<DER<BERG<<ANNA<MARIA<<<<')).toEqual({
      surname: 'VAN DER BERG',
      givenNames: 'ANNA MARIA',
    });
    expect(splitNameField('MONONYM<<<<<<')).toEqual({ surname: 'MONONYM', givenNames: '' });
  });
});

describe('repair', () => {
  it('turns letters into digits where only digits may stand, and says so', () => {
    const ocr = [TD3[0] as string, 'L898902C36UTO74O8I22F12O4159ZE184226B<<<<<1O'];
    const r = repairMrz(ocr, LAYOUTS.TD3);
    expect(r.ok).toBe(true);
    expect(r.lines).toEqual(TD3);
    expect(r.correctedFields).toEqual(expect.arrayContaining(['birthDate', 'expiryDate', 'checkDigits']));
    expect(r.guidedSwaps).toBe(0);
  });

  it('turns digits into letters in country codes and names', () => {
    const r = repairMrz(
      ['P<UT0ERIKSS0N<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UT07408122F1204159ZE184226B<<<<<10'],
      LAYOUTS.TD3,
    );
    expect(r.lines).toEqual(TD3);
  });

  it('uses the check digit to settle one O/0-style confusion in a document number', () => {
    const r = repairMrz([TD3[0] as string, (TD3[1] as string).replace('L898902', 'L8989O2')], LAYOUTS.TD3, {
      maxGuidedSwaps: 1,
    });
    expect(r.ok).toBe(true);
    expect(r.lines).toEqual(TD3);
    expect(r.guidedSwaps).toBe(1);
    expect(r.correctedFields).toContain('documentNumber');
  });

  it('makes no guided swap unless asked to', () => {
    const r = repairMrz([TD3[0] as string, (TD3[1] as string).replace('L898902', 'L8989O2')], LAYOUTS.TD3);
    expect(r.ok).toBe(false);
  });

  it('never swaps a digit for another digit: a misread date stays rejected', () => {
    const r = repairMrz([TD3[0] as string, (TD3[1] as string).replace('740812', '740813')], LAYOUTS.TD3);
    expect(r.ok).toBe(false);
    expect(r.failedChecks).toEqual(expect.arrayContaining(['birthDate']));
  });

  it('refuses an ambiguous repair (two single swaps both satisfy the check)', () => {
    // B->8 at index 3 and 2->Z at index 6 both restore the check digit: neither is trusted.
    const r = repairMrz([TD3[0] as string, (TD3[1] as string).replace('L898902', 'L89B902')], LAYOUTS.TD3, {
      maxGuidedSwaps: 1,
    });
    expect(r.ok).toBe(false);
    expect(r.failedChecks).toContain('documentNumber');
  });
});

describe('decodeMrzLines', () => {
  it('finds the MRZ among other OCR lines and accepts it', () => {
    const d = decodeMrzLines(['UTOPIA PASSPORT', 'SOME TEXT 123', ...TD3], { today });
    expect(d.ok).toBe(true);
    if (d.ok) expect(d.reading.documentNumber).toBe('L898902C3');
  });

  it('repairs miscounted filler runs', () => {
    const d = decodeMrzLines(
      [TD3[0]!.replace('<<<<<<<<<<<<<<<<<<<', '<<<<<<<<<<<<<<<<<'), TD3[1]!.replace('B<<<<<10', 'B<<<<<<10')],
      { today },
    );
    expect(d.ok && d.reading.lines).toEqual(TD3);
  });

  it('reads a TD1 card', () => {
    const d = decodeMrzLines(TD1, { today });
    expect(d.ok && d.reading.format).toBe('TD1');
  });

  it('does not let a passport that fails its composite fall back to the visa layout', () => {
    const broken = [TD3[0] as string, (TD3[1] as string).slice(0, 43) + '7'];
    const d = decodeMrzLines(broken, { today });
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.format).toBe('TD3');
  });

  it('rejects lines whose sex field is not M, F, X or filler', () => {
    const d = decodeMrzLines([TD3[0] as string, (TD3[1] as string).replace('2F12', '2Q12')], { today });
    expect(d.ok).toBe(false);
  });

  it('lets through no single-character error a check digit can see: 3,000 random substitutions', () => {
    const rnd = (() => {
      let a = 12345;
      return () => {
        a = (a * 1103515245 + 12345) % 2147483648;
        return a / 2147483648;
      };
    })();
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<';
    const value = (c: string): number => (c === '<' ? 0 : /[0-9]/.test(c) ? Number(c) : c.charCodeAt(0) - 55);
    let accepted = 0;
    for (let k = 0; k < 3000; k++) {
      const pos = Math.floor(rnd() * 44);
      const ch = alphabet[Math.floor(rnd() * alphabet.length)] as string;
      const original = TD3[1] as string;
      const lines = [TD3[0] as string, original.slice(0, pos) + ch + original.slice(pos + 1)];
      const d = decodeMrzLines(lines, { today });
      if (!d.ok) continue;
      accepted++;
      const r = d.reading;
      const protectedNow = [r.documentNumber, r.raw.birthDate, r.raw.expiryDate, r.optionalData.join()];
      if (protectedNow.join() === ['L898902C3', '740812', '120415', 'ZE184226B'].join()) continue;
      // The only errors that may pass are those no mod-10 check can see: a character swapped for one whose
      // value differs by a multiple of 10 (L/1, C/2, E/4, ...). Repairs must never add any other kind.
      const was = original[pos] as string;
      expect(Math.abs(value(was) - value(ch)) % 10, `${was}->${ch} at ${pos}`).toBe(0);
      expect(r.lines[1]?.[pos]).toBe(ch);
    }
    expect(accepted).toBeGreaterThan(0);
  });
});
