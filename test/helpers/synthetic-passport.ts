import sharp from 'sharp';
import { computeCheckDigit } from '../../src/domain/mrz/check-digit.js';

// A synthetic passport data page made at test time: an OCR-B MRZ with valid check digits at the bottom and a
// real face photo as the portrait on the left, where ICAO 9303 puts it. Nothing is committed.

export interface PassportFields {
  issuingState: string;
  documentNumber: string;
  /** YYMMDD */
  birthDate: string;
  sex: 'M' | 'F';
  /** YYMMDD */
  expiryDate: string;
  surname: string;
  givenNames: string;
}

export const SPECIMEN: PassportFields = {
  issuingState: 'GBR',
  documentNumber: 'X4827153',
  birthDate: '900214',
  sex: 'F',
  expiryDate: '330917',
  surname: 'SAMPLE',
  givenNames: 'JANE MARY',
};

/** TD3 lines with ICAO 9303 check digits (7-3-1), written out independently of the code under test. */
export function td3(f: PassportFields): string[] {
  const pad = (s: string, n: number) => s.padEnd(n, '<').slice(0, n);
  const name = pad(`${f.surname.replace(/ /g, '<')}<<${f.givenNames.replace(/ /g, '<')}`, 39);
  const number = pad(f.documentNumber, 9);
  const personal = pad('', 14);
  const cd = (s: string) => String(computeCheckDigit(s));
  const composite = `${number}${cd(number)}${f.birthDate}${cd(f.birthDate)}${f.expiryDate}${cd(f.expiryDate)}${personal}${cd(personal)}`;
  return [
    `P<${f.issuingState}${name}`,
    `${number}${cd(number)}${f.issuingState}${f.birthDate}${cd(f.birthDate)}${f.sex}${f.expiryDate}${cd(f.expiryDate)}${personal}${cd(personal)}${cd(composite)}`,
  ];
}

export async function syntheticPassport(
  portrait: Buffer,
  fields: PassportFields = SPECIMEN,
): Promise<{ image: Buffer; lines: string[] }> {
  const lines = td3(fields);
  const width = 1250;
  const height = 880;
  const mrzSvg = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
      <rect width="100%" height="100%" fill="#f3efe4"/>
      <text x="420" y="120" font-family="DejaVu Sans" font-size="34" fill="#333">PASSPORT</text>
      <text x="420" y="200" font-family="DejaVu Sans" font-size="26" fill="#333">${fields.surname}</text>
      <text x="420" y="250" font-family="DejaVu Sans" font-size="26" fill="#333">${fields.givenNames}</text>
      ${lines
        .map(
          (l, i) =>
            `<text x="60" y="${770 + i * 56}" font-family="OCR B" font-size="36" fill="#111" textLength="1130" lengthAdjust="spacing" xml:space="preserve">${l.replace(/</g, '&lt;')}</text>`,
        )
        .join('')}
    </svg>`,
  );
  const face = await sharp(portrait).resize(300, 380, { fit: 'cover' }).toBuffer();
  const image = await sharp(mrzSvg)
    .composite([{ input: face, left: 60, top: 110 }])
    .jpeg({ quality: 92 })
    .toBuffer();
  return { image, lines };
}
