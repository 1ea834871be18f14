// Several OCR passes (crops, scales, engines) of the same line disagree in different places; a per-position
// majority over same-length reads recovers characters no single pass got right.

/** Majority character per position; ties go to the earliest read (reads come in preference order). */
export function voteLine(reads: readonly string[]): string | undefined {
  const first = reads[0];
  if (first === undefined) return undefined;
  const length = first.length;
  const same = reads.filter((r) => r.length === length);
  let out = '';
  for (let i = 0; i < length; i++) {
    const counts = new Map<string, number>();
    for (const r of same) counts.set(r[i] as string, (counts.get(r[i] as string) ?? 0) + 1);
    let best = first[i] as string;
    for (const [ch, n] of counts) if (n > (counts.get(best) ?? 0)) best = ch;
    out += best;
  }
  return out;
}
