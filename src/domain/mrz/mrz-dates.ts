// MRZ dates are YYMMDD. The century is inferred: an expiry date lies within a plausible validity window
// (documents are valid for at most a few decades), and a birth date lies before the document was issued, which
// is before today and, for passports and ID cards, at least MIN_VALIDITY_YEARS before the expiry (today alone read the birth `110101` of a
// passport that expired in 2012 as 2011-01-01, a birth after the issue).

const EXPIRY_HORIZON_YEARS = 50;
// The shortest ordinary validity of a passport or ID card: 5 years (children's documents; adults' run 10).
// Rarer one-year children's passports resolve a holder born within 5 years of the expiry a century early; a
// visa can be valid for days, so visas are only bounded by their expiry.
const MIN_VALIDITY_YEARS = 5;

function isoIfValid(year: number, mm: number, dd: number): string | null {
  if (mm < 1 || mm > 12 || dd < 1 || dd > 31) return null;
  const d = new Date(Date.UTC(year, mm - 1, dd));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== mm - 1 || d.getUTCDate() !== dd) return null;
  return `${String(year).padStart(4, '0')}-${String(mm).padStart(2, '0')}-${String(dd).padStart(2, '0')}`;
}

function split(raw: string): [number, number, number] | null {
  if (!/^[0-9]{6}$/.test(raw)) return null;
  return [Number(raw.slice(0, 2)), Number(raw.slice(2, 4)), Number(raw.slice(4, 6))];
}

export interface BirthBounds {
  /** The document's resolved expiry, when its layout has one. */
  expiryIso: string | null;
  /** First letter of the document code: V (visa) has no minimum validity. */
  documentCode: string;
}

export function parseBirthDate(raw: string, today: Date, bounds?: BirthBounds): string | null {
  const p = split(raw);
  if (!p) return null;
  const [yy, mm, dd] = p;
  const in2000s = isoIfValid(2000 + yy, mm, dd);
  if (in2000s !== null && in2000s <= latestBirth(today, bounds)) return in2000s;
  return isoIfValid(1900 + yy, mm, dd);
}

function latestBirth(today: Date, bounds: BirthBounds | undefined): string {
  const todayIso = today.toISOString().slice(0, 10);
  if (!bounds?.expiryIso) return todayIso;
  const years = bounds.documentCode.startsWith('V') ? 0 : MIN_VALIDITY_YEARS;
  const issuedBy = `${String(Number(bounds.expiryIso.slice(0, 4)) - years).padStart(4, '0')}${bounds.expiryIso.slice(4)}`;
  return issuedBy < todayIso ? issuedBy : todayIso;
}

export function parseExpiryDate(raw: string, today: Date): string | null {
  const p = split(raw);
  if (!p) return null;
  const [yy, mm, dd] = p;
  const year = 2000 + yy > today.getUTCFullYear() + EXPIRY_HORIZON_YEARS ? 1900 + yy : 2000 + yy;
  return isoIfValid(year, mm, dd);
}
