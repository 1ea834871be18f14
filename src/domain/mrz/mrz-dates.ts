// MRZ dates are YYMMDD. The century is inferred: a birth date cannot lie in the future, and an expiry date
// lies within a plausible validity window (documents are valid for at most a few decades).

const EXPIRY_HORIZON_YEARS = 50;

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

export function parseBirthDate(raw: string, today: Date): string | null {
  const p = split(raw);
  if (!p) return null;
  const [yy, mm, dd] = p;
  const in2000s = isoIfValid(2000 + yy, mm, dd);
  const todayIso = today.toISOString().slice(0, 10);
  if (in2000s !== null && in2000s <= todayIso) return in2000s;
  return isoIfValid(1900 + yy, mm, dd);
}

export function parseExpiryDate(raw: string, today: Date): string | null {
  const p = split(raw);
  if (!p) return null;
  const [yy, mm, dd] = p;
  const year = 2000 + yy > today.getUTCFullYear() + EXPIRY_HORIZON_YEARS ? 1900 + yy : 2000 + yy;
  return isoIfValid(year, mm, dd);
}
