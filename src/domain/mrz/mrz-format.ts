// ICAO 9303 layouts (parts 4-7) plus the pre-2021 French national identity card, which is 2x36 like TD2 but
// lays its fields out differently. Each layout is data: the parser, the repairer and the voter all walk it.

export type MrzFormat = 'TD1' | 'TD2' | 'TD3' | 'MRVA' | 'MRVB' | 'FRENCH_ID';

export type FieldName =
  | 'documentCode'
  | 'issuingState'
  | 'documentNumber'
  | 'nationality'
  | 'birthDate'
  | 'sex'
  | 'expiryDate'
  | 'optionalData1'
  | 'optionalData2'
  | 'names'
  | 'surname'
  | 'givenNames'
  | 'administrativeCode';

/** What characters a field may hold; drives OCR-confusion fixes. */
export type FieldKind = 'code' | 'country' | 'alnum' | 'date' | 'sex' | 'name';

export type CheckName = 'documentNumber' | 'birthDate' | 'expiryDate' | 'optionalData1' | 'composite';

export interface Segment {
  line: number;
  start: number;
  /** Exclusive. */
  end: number;
}

export interface FieldDef extends Segment {
  name: FieldName;
  kind: FieldKind;
}

export interface CheckDef {
  name: CheckName;
  line: number;
  pos: number;
  covers: Segment[];
  /** ICAO lets an unused personal-number field carry '<' instead of its check digit. */
  fillerMeansZero?: boolean;
  /**
   * TD1/TD2 numbers longer than 9 characters: the check position holds '<' and the rest of the number plus
   * its check digit continue in the optional data field that starts here (ICAO 9303-5 §4.2.4 note j).
   */
  overflowInto?: Segment;
}

export interface MrzLayout {
  format: MrzFormat;
  lineLength: number;
  lineCount: number;
  fields: FieldDef[];
  checks: CheckDef[];
}

const seg = (line: number, start: number, end: number): Segment => ({ line, start, end });
const field = (name: FieldName, kind: FieldKind, line: number, start: number, end: number): FieldDef => ({
  name,
  kind,
  line,
  start,
  end,
});

// TD3 and MRV-A share line 1 and the first 28 characters of line 2, as do TD2 and MRV-B at 36.
function twoLineLayout(format: MrzFormat, width: 36 | 44, withComposite: boolean): MrzLayout {
  const fields: FieldDef[] = [
    field('documentCode', 'code', 0, 0, 2),
    field('issuingState', 'country', 0, 2, 5),
    field('names', 'name', 0, 5, width),
    field('documentNumber', 'alnum', 1, 0, 9),
    field('nationality', 'country', 1, 10, 13),
    field('birthDate', 'date', 1, 13, 19),
    field('sex', 'sex', 1, 20, 21),
    field('expiryDate', 'date', 1, 21, 27),
  ];
  const checks: CheckDef[] = [
    { name: 'documentNumber', line: 1, pos: 9, covers: [seg(1, 0, 9)] },
    { name: 'birthDate', line: 1, pos: 19, covers: [seg(1, 13, 19)] },
    { name: 'expiryDate', line: 1, pos: 27, covers: [seg(1, 21, 27)] },
  ];
  if (format === 'TD3') {
    fields.push(field('optionalData1', 'alnum', 1, 28, 42));
    checks.push({ name: 'optionalData1', line: 1, pos: 42, covers: [seg(1, 28, 42)], fillerMeansZero: true });
  } else if (format === 'TD2') {
    fields.push(field('optionalData1', 'alnum', 1, 28, 35));
    const docCheck = checks[0] as CheckDef;
    docCheck.overflowInto = seg(1, 28, 35);
  } else {
    fields.push(field('optionalData1', 'alnum', 1, 28, width));
  }
  if (withComposite) {
    checks.push({
      name: 'composite',
      line: 1,
      pos: width - 1,
      covers: [seg(1, 0, 10), seg(1, 13, 20), seg(1, 21, width - 1)],
    });
  }
  return { format, lineLength: width, lineCount: 2, fields, checks };
}

const TD1: MrzLayout = {
  format: 'TD1',
  lineLength: 30,
  lineCount: 3,
  fields: [
    field('documentCode', 'code', 0, 0, 2),
    field('issuingState', 'country', 0, 2, 5),
    field('documentNumber', 'alnum', 0, 5, 14),
    field('optionalData1', 'alnum', 0, 15, 30),
    field('birthDate', 'date', 1, 0, 6),
    field('sex', 'sex', 1, 7, 8),
    field('expiryDate', 'date', 1, 8, 14),
    field('nationality', 'country', 1, 15, 18),
    field('optionalData2', 'alnum', 1, 18, 29),
    field('names', 'name', 2, 0, 30),
  ],
  checks: [
    { name: 'documentNumber', line: 0, pos: 14, covers: [seg(0, 5, 14)], overflowInto: seg(0, 15, 30) },
    { name: 'birthDate', line: 1, pos: 6, covers: [seg(1, 0, 6)] },
    { name: 'expiryDate', line: 1, pos: 14, covers: [seg(1, 8, 14)] },
    { name: 'composite', line: 1, pos: 29, covers: [seg(0, 5, 30), seg(1, 0, 7), seg(1, 8, 15), seg(1, 18, 29)] },
  ],
};

// Pre-2021 French CNI: line 1 IDFRA + surname + administrative code; line 2 a 12-character number, given
// names, birth date, sex and a composite over both lines. It has no expiry date and no nationality field.
const FRENCH_ID: MrzLayout = {
  format: 'FRENCH_ID',
  lineLength: 36,
  lineCount: 2,
  fields: [
    field('documentCode', 'code', 0, 0, 2),
    field('issuingState', 'country', 0, 2, 5),
    field('surname', 'name', 0, 5, 30),
    field('administrativeCode', 'alnum', 0, 30, 36),
    field('documentNumber', 'alnum', 1, 0, 12),
    field('givenNames', 'name', 1, 13, 27),
    field('birthDate', 'date', 1, 27, 33),
    field('sex', 'sex', 1, 34, 35),
  ],
  checks: [
    { name: 'documentNumber', line: 1, pos: 12, covers: [seg(1, 0, 12)] },
    { name: 'birthDate', line: 1, pos: 33, covers: [seg(1, 27, 33)] },
    { name: 'composite', line: 1, pos: 35, covers: [seg(0, 0, 36), seg(1, 0, 35)] },
  ],
};

export const LAYOUTS: Readonly<Record<MrzFormat, MrzLayout>> = {
  TD1,
  TD2: twoLineLayout('TD2', 36, true),
  TD3: twoLineLayout('TD3', 44, true),
  MRVA: twoLineLayout('MRVA', 44, false),
  MRVB: twoLineLayout('MRVB', 36, false),
  FRENCH_ID,
};

/**
 * The layout a set of lines must follow. The first character decides between a visa and a passport/ID
 * layout: a visa layout has fewer check digits, so letting a misread 'P' fall back to it would accept lines
 * that failed the stricter passport checks.
 */
export function candidateLayouts(lineCount: number, lineLength: number, firstChars: string): MrzLayout[] {
  if (lineCount === 3 && lineLength === 30) return [LAYOUTS.TD1];
  if (lineCount !== 2) return [];
  if (lineLength === 44) return firstChars.startsWith('V') ? [LAYOUTS.MRVA] : [LAYOUTS.TD3];
  if (lineLength === 36) {
    if (firstChars.startsWith('V')) return [LAYOUTS.MRVB];
    if (firstChars.startsWith('IDFRA')) return [LAYOUTS.FRENCH_ID];
    return [LAYOUTS.TD2];
  }
  return [];
}

/** Per-position character class of a layout: which positions are check digits, dates, letters… */
export type PositionClass = 'digit' | 'check' | 'letter' | 'alnum' | 'sex' | 'name';

/** The characters each position class admits. */
export const CLASS_CHARS: Readonly<Record<PositionClass, RegExp>> = {
  digit: /[0-9<]/,
  check: /[0-9<]/,
  letter: /[A-Z<]/,
  name: /[A-Z<]/,
  sex: /[MFX<]/,
  alnum: /[A-Z0-9<]/,
};

export function positionClasses(layout: MrzLayout): PositionClass[][] {
  const lines: PositionClass[][] = Array.from({ length: layout.lineCount }, () =>
    Array.from({ length: layout.lineLength }, (): PositionClass => 'alnum'),
  );
  const kindClass: Record<FieldKind, PositionClass> = {
    code: 'letter',
    country: 'letter',
    alnum: 'alnum',
    date: 'digit',
    sex: 'sex',
    name: 'name',
  };
  for (const f of layout.fields) {
    for (let i = f.start; i < f.end; i++) (lines[f.line] as PositionClass[])[i] = kindClass[f.kind];
  }
  for (const c of layout.checks) (lines[c.line] as PositionClass[])[c.pos] = 'check';
  return lines;
}
