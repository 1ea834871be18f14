import { parse as mrzPackageParse } from 'mrz';
import { describe, expect, it } from 'vitest';
import { composeMrz, type ComposeInput } from './mrz-compose.js';
import { LAYOUTS, type MrzFormat } from './mrz-format.js';
import { allChecksPass, buildReading, evaluateChecks } from './mrz-parser.js';

const today = new Date('2025-06-01T00:00:00Z');

// ICAO 9303 specimens (parts 4-7) as published; the French card is the image-js fixture's text.
const SPECIMENS: Record<MrzFormat, string[]> = {
  TD3: ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'],
  TD2: ['I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<', 'D231458907UTO7408122F1204159<<<<<<<6'],
  TD1: ['I<UTOD231458907<<<<<<<<<<<<<<<', '7408122F1204159UTO<<<<<<<<<<<6', 'ERIKSSON<<ANNA<MARIA<<<<<<<<<<'],
  MRVA: ['V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L8988901C4XXX4009078F96121096ZE184226B<<<<<<'],
  MRVB: ['V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<', 'L8988901C4XXX4009078F9612109<<<<<<<<'],
  FRENCH_ID: ['IDFRABERTHIER<<<<<<<<<<<<<<<<<<<<<<<', '9409923102854CORINNE<<<<<<<6512068F4'],
};

describe('MRZ parser', () => {
  it.each(Object.entries(SPECIMENS))('accepts the %s specimen with every check digit passing', (format, lines) => {
    const layout = LAYOUTS[format as MrzFormat];
    expect(evaluateChecks(lines, layout).every((c) => c.ok)).toBe(true);
    const r = buildReading(lines, layout, { today });
    expect(r.format).toBe(format);
    expect(r.lines).toEqual(lines);
  });

  it('reads every field of the TD3 specimen and says which ones no check digit protects', () => {
    const r = buildReading(SPECIMENS.TD3, LAYOUTS.TD3, { today });
    expect(r).toMatchObject({
      documentCode: 'P',
      documentType: 'PASSPORT',
      issuingState: 'UTO',
      documentNumber: 'L898902C3',
      nationality: 'UTO',
      birthDate: '1974-08-12',
      sex: 'F',
      expiryDate: '2012-04-15',
      optionalData: ['ZE184226B'],
      surname: 'ERIKSSON',
      givenNames: 'ANNA MARIA',
    });
    expect(r.verification.documentNumber).toBe('check-digit');
    expect(r.verification.birthDate).toBe('check-digit');
    expect(r.verification.names).toBe('none');
    expect(r.verification.nationality).toBe('format');
    expect(r.unverifiedFields).toEqual(
      expect.arrayContaining(['names', 'nationality', 'issuingState', 'sex', 'documentCode']),
    );
    expect(r.warnings.join()).toMatch(/UTO is the ICAO specimen state/);
  });

  it('reads the French identity card layout (no expiry, names under the composite)', () => {
    const r = buildReading(SPECIMENS.FRENCH_ID, LAYOUTS.FRENCH_ID, { today });
    expect(r).toMatchObject({
      documentNumber: '940992310285',
      surname: 'BERTHIER',
      givenNames: 'CORINNE',
      birthDate: '1965-12-06',
      sex: 'F',
      expiryDate: null,
      nationality: null,
    });
    expect(r.verification.surname).toBe('check-digit');
  });

  it('refuses to build a reading from lines whose check digits fail', () => {
    const bad = [SPECIMENS.TD3[0] as string, (SPECIMENS.TD3[1] as string).replace('7408122', '7408132')];
    expect(allChecksPass(bad, LAYOUTS.TD3)).toBe(false);
    expect(() => buildReading(bad, LAYOUTS.TD3)).toThrow();
  });

  it('infers centuries: birth dates never in the future, expiry dates within 50 years', () => {
    const lines = composeMrz('TD3', { ...person(), birthDate: '250101', expiryDate: '741231' });
    const r = buildReading(lines, LAYOUTS.TD3, { today });
    expect(r.birthDate).toBe('2025-01-01');
    expect(r.expiryDate).toBe('2074-12-31');
    const expired = buildReading(composeMrz('TD3', { ...person(), expiryDate: '991231' }), LAYOUTS.TD3, { today });
    expect(expired.expiryDate).toBe('1999-12-31');
    const older = buildReading(composeMrz('TD3', { ...person(), birthDate: '260101' }), LAYOUTS.TD3, { today });
    expect(older.birthDate).toBe('1926-01-01');
  });

  it('resolves a birth year against the expiry: a holder is born before the document was issued', () => {
    // Expired in 2012: a birth `110101` read as 2011 would postdate the issue, so it is 1911.
    const expired = composeMrz('TD3', { ...person(), birthDate: '110101', expiryDate: '120315' });
    expect(buildReading(expired, LAYOUTS.TD3, { today }).birthDate).toBe('1911-01-01');
    // A child's five-year passport issued at birth in 2011 keeps its 2000s birth.
    const child = composeMrz('TD3', { ...person(), birthDate: '110101', expiryDate: '160101' });
    expect(buildReading(child, LAYOUTS.TD3, { today }).birthDate).toBe('2011-01-01');
    // A visa can be valid for weeks: only its expiry bounds the birth.
    const visa = composeMrz('MRVA', { ...person(), documentCode: 'V', birthDate: '110101', expiryDate: '120315' });
    expect(buildReading(visa, LAYOUTS.MRVA, { today }).birthDate).toBe('2011-01-01');
  });

  it('keeps an unknown day of birth as raw text instead of inventing a date', () => {
    const r = buildReading(composeMrz('TD3', { ...person(), birthDate: '7408<<' }), LAYOUTS.TD3, { today });
    expect(r.birthDate).toBeNull();
    expect(r.raw.birthDate).toBe('7408<<');
  });

  it('follows a TD1 document number longer than 9 characters into the optional data', () => {
    const lines = composeMrz('TD1', {
      ...person(),
      documentCode: 'I',
      documentNumber: 'D23145890734',
      optionalData1: 'ABC',
    });
    expect(lines[0]?.slice(14, 15)).toBe('<');
    const r = buildReading(lines, LAYOUTS.TD1, { today });
    expect(r.documentNumber).toBe('D23145890734');
    expect(r.optionalData[0]).toBe('ABC');
  });
});

function person(): ComposeInput {
  return {
    documentCode: 'P',
    issuingState: 'D',
    documentNumber: 'C01X00T47',
    birthDate: '640812',
    sex: 'F',
    expiryDate: '270430',
    surname: 'Mustermann',
    givenNames: 'Erika',
  };
}

describe('composeMrz agrees with the mrz package on random documents', () => {
  const rnd = seeded(7);
  const pick = (s: string): string => s[Math.floor(rnd() * s.length)] as string;
  const word = (n: number): string => Array.from({ length: n }, () => pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ')).join('');
  const alnum = (n: number): string =>
    Array.from({ length: n }, () => pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')).join('');
  const date = (): string =>
    `${String(Math.floor(rnd() * 100)).padStart(2, '0')}${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}`;

  it.each(['TD1', 'TD2', 'TD3'] as const)('%s', (format) => {
    for (let k = 0; k < 50; k++) {
      const input: ComposeInput = {
        documentCode: format === 'TD3' ? 'P' : 'I',
        issuingState: pick('DFU') === 'D' ? 'D' : 'FRA',
        documentNumber: alnum(9),
        nationality: 'UTO',
        birthDate: date(),
        sex: pick('MF') as 'M' | 'F',
        expiryDate: date(),
        surname: word(3 + Math.floor(rnd() * 8)),
        givenNames: `${word(4)} ${word(3)}`,
        optionalData1: alnum(Math.floor(rnd() * 6)),
      };
      const lines = composeMrz(format, input);
      expect(allChecksPass(lines, LAYOUTS[format])).toBe(true);
      const theirs = mrzPackageParse(lines);
      for (const d of theirs.details)
        if (d.field?.endsWith('CheckDigit')) expect(d.valid, `${d.field} of ${lines.join('/')}`).toBe(true);
      expect(lines[format === 'TD1' ? 2 : 0]).toContain(`${input.surname}<<${input.givenNames.replace(' ', '<')}`);
      const ours = buildReading(lines, LAYOUTS[format], { today });
      expect(ours.documentNumber).toBe(theirs.fields.documentNumber);
      expect(ours.raw.birthDate).toBe(theirs.fields.birthDate);
      expect(ours.surname).toBe(theirs.fields.lastName);
      expect(ours.givenNames).toBe(theirs.fields.firstName);
    }
  });
});

function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a * 1103515245 + 12345) % 2147483648;
    return a / 2147483648;
  };
}
