import { describe, expect, it } from 'vitest';
import { composeMrz } from './mrz-compose.js';
import { resolveReads, type OcrRead } from './mrz-consensus.js';

const TD3 = ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'];
const today = new Date('2025-06-01T00:00:00Z');
const read = (engine: string, lines: string[], extra: Partial<OcrRead> = {}): OcrRead => ({ engine, lines, ...extra });

describe('consensus of several OCR engines', () => {
  it('accepts when two engines read every character alike and every check digit passes', () => {
    const v = resolveReads([read('a', TD3), read('b', TD3)], 44, { today });
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.reading.surname).toBe('ERIKSSON');
  });

  it('does not accept a single engine, however valid its check digits', () => {
    const v = resolveReads([read('a', TD3)], 44, { today });
    expect(v).toMatchObject({ ok: false, reason: 'unconfirmed' });
  });

  it('refuses when the second engine reads a name differently (names carry no check digit)', () => {
    const other = [TD3[0]!.replace('MARIA', 'MAR1A').replace('ANNA', 'ANHA'), TD3[1] as string];
    const v = resolveReads([read('a', TD3), read('b', other)], 44, { today });
    expect(v).toMatchObject({ ok: false, reason: 'unconfirmed' });
    if (!v.ok) expect(v.unconfirmed).toContain('names');
  });

  it('takes the per-character majority of three engines for unprotected fields', () => {
    const v = resolveReads(
      [
        read('a', [TD3[0]!.replace('ANNA', 'ANHA'), TD3[1] as string]),
        read('b', TD3),
        read('c', [TD3[0]!.replace('MARIA', 'MAPIA'), TD3[1] as string]),
      ],
      44,
      { today },
    );
    expect(v.ok && v.reading.lines).toEqual(TD3);
  });

  it("counts an LSTM engine's K/C/L/E/X in a filler run as '<', but only for engines that declare it", () => {
    const ghosty = [TD3[0]!.replace('MARIA<<<<<<', 'MARIA<K<L<C'), TD3[1] as string];
    expect(resolveReads([read('ocrb', TD3), read('lstm', ghosty, { fillerGhosts: 'KCLEXS' })], 44, { today }).ok).toBe(
      true,
    );
    expect(resolveReads([read('ocrb', TD3), read('other', ghosty)], 44, { today }).ok).toBe(false);
  });

  it('refuses two valid reads that disagree on protected data, unless two engines outvote one', () => {
    const person = {
      documentCode: 'P',
      issuingState: 'UTO',
      birthDate: '740812',
      sex: 'F' as const,
      expiryDate: '120415',
      surname: 'ERIKSSON',
      givenNames: 'ANNA MARIA',
    };
    const one = composeMrz('TD3', { ...person, documentNumber: 'L898902C3' });
    const two = composeMrz('TD3', { ...person, documentNumber: 'L898902C8' });
    expect(resolveReads([read('a', one), read('b', two)], 44, { today })).toMatchObject({
      ok: false,
      reason: 'conflict',
    });
    const v = resolveReads([read('a', one), read('b', two), read('c', one)], 44, { today });
    expect(v.ok && v.reading.documentNumber).toBe('L898902C3');
  });

  it('lets a round glyph read as O by one engine and 0 by the other confirm a checked document number', () => {
    const lines = ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'];
    const withO = [lines[0] as string, lines[1]!.replace('L898902C3', 'L8989O2C3')];
    expect(resolveReads([read('a', lines), read('b', withO)], 44, { today }).ok).toBe(true);
  });

  it('does not let two engines confirm a glyph-alike character the first engine read as its twin where no check digit covers it', () => {
    // A US visa specimen: MRV-A optional data carries no check digit. The OCR-B reader read 'I', two
    // tesseract reads '1'; any of them may be wrong, and nothing can tell.
    const visa = ['VIUSATRAVELER<<HAPPYPERSON<<<<<<<<<<<<<<<<<<', '555123ABC6GBR6502056F0412236IFLNDOOAMS803085'];
    const one = [visa[0] as string, visa[1]!.replace('6IFL', '61FL')];
    expect(resolveReads([read('ocrb', visa), read('b', one), read('c', one)], 44, { today })).toMatchObject({
      ok: false,
      reason: 'unconfirmed',
      unconfirmed: ['optionalData1'],
    });
    expect(resolveReads([read('ocrb', visa), read('b', visa), read('c', one)], 44, { today }).ok).toBe(true);
  });

  it('does not let others confirm an unprotected character the first engine was unsure of', () => {
    // A Dutch specimen: the OCR-B reader read P<NLD's D as 0 at p 0.54, both tesseract models as O; the
    // class fix made the 0 an O, and P<NLO was accepted.
    const misread = [TD3[0]!.replace('P<UTO', 'P<UT0'), TD3[1] as string];
    const sure = (p: number): number[][] => misread.map((l) => [...l].map((_, i) => (i === 4 ? p : 0.99)));
    const at = (p: number): OcrRead[] => [
      read('ocrb', misread, { confidence: sure(p) }),
      read('legacy', TD3),
      read('lstm', TD3, { family: 'lstm' }),
    ];
    expect(resolveReads(at(0.54), 44, { today })).toMatchObject({
      ok: false,
      reason: 'unconfirmed',
      unconfirmed: ['issuingState'],
    });
    expect(resolveReads(at(0.95), 44, { today }).ok).toBe(true);
  });

  it("judges agreement on an engine's best grid, not on an alternative it needed for the format", () => {
    // The OCR-B reader's best grid read a digit in the issuing state (format fails); its second grid read
    // the D as 0, which the class fix makes O, as a tesseract model did. Only the best grid is a reading.
    const best = [TD3[0]!.replace('P<UTO', 'P<UT9'), TD3[1] as string];
    const second = [TD3[0]!.replace('P<UTO', 'P<UT0'), TD3[1] as string];
    const misread = [TD3[0]!.replace('P<UTO', 'P<UTQ'), TD3[1] as string];
    const reads = (alt: string[]): OcrRead[] => [
      read('ocrb', best, { alternatives: [[alt[0] as string], []] }),
      read('tess', second),
      read('other', misread),
    ];
    expect(resolveReads(reads(second), 44, { today })).toMatchObject({ ok: false, unconfirmed: ['issuingState'] });
  });

  it('counts two engines of one model family as one voice', () => {
    // Measured on a UK specimen: tesseract's LSTM model, in the CLI and in tesseract.js, read GBR as EBR;
    // the OCR-B reader read G. Two voices of one model outvoting the third must not confirm the E.
    const misread = [TD3[0]!.replace('P<UTO', 'P<UTC'), TD3[1] as string];
    const lstm = { family: 'tesseract-lstm-eng' };
    expect(
      resolveReads([read('ocrb', TD3), read('cli', misread, lstm), read('js', misread, lstm)], 44, { today }).ok,
    ).toBe(false);
    // Two different models agreeing against the third do outvote it (the per-character majority).
    expect(resolveReads([read('ocrb', TD3), read('cli', misread), read('js', misread)], 44, { today }).ok).toBe(true);
    expect(resolveReads([read('ocrb', TD3), read('cli', TD3, lstm), read('js', misread, lstm)], 44, { today }).ok).toBe(
      true,
    );
  });

  it('explains a failure of the check digits', () => {
    const bad = [TD3[0] as string, TD3[1]!.replace('7408122', '7408152')];
    const v = resolveReads([read('a', bad), read('b', bad)], 44, { today });
    expect(v).toMatchObject({ ok: false, reason: 'no-valid-read', format: 'TD3' });
    if (!v.ok) expect(v.failedChecks).toContain('birthDate');
  });

  it('uses an alternative reading of a line when the first one fails its check digits', () => {
    const shifted = 'X' + TD3[1]!.slice(0, 43);
    const v = resolveReads(
      [read('a', [TD3[0] as string, shifted], { alternatives: [[], [TD3[1] as string]] }), read('b', TD3)],
      44,
      { today },
    );
    expect(v.ok && v.reading.lines).toEqual(TD3);
  });
});

describe('glyph-alike disagreements', () => {
  it('lets the preferred engine settle O versus 0 when both reads pass their check digits', () => {
    const person = {
      documentCode: 'P',
      issuingState: 'POL',
      birthDate: '720330',
      sex: 'F' as const,
      expiryDate: '160713',
      surname: 'KOWALSKA',
      givenNames: 'ANNA',
    };
    const zeros = composeMrz('TD3', { ...person, documentNumber: 'ZS0000177' });
    // A generic model reads the same glyphs as letters; build a variant that happens to pass too.
    const letters = ['ZSOOOO177', 'ZSOOO0177', 'ZS0OOO177', 'ZSO0OO177']
      .map((n) => composeMrz('TD3', { ...person, documentNumber: n }))
      .find((l) => l[1]!.slice(9, 10) === zeros[1]!.slice(9, 10));
    if (!letters) return; // no such variant for these digits: nothing to show
    const v = resolveReads([read('ocrb', zeros), read('tess', letters), read('other', zeros)], 44, { today });
    expect(v.ok && v.reading.documentNumber).toBe('ZS0000177');
  });
});
