// Levenshtein alignment of two reads of one line: tells, for each character of the reference, which
// character of the other read stands at the same place, so that reads with a miscounted filler run or a
// spurious character still vote position by position.

/** For each index of `ref`, the index of `other` aligned to it by substitution/match, or -1. */
export function alignTo(ref: string, other: string): number[] {
  const n = ref.length;
  const m = other.length;
  const cost = new Uint16Array((n + 1) * (m + 1));
  const at = (i: number, j: number): number => i * (m + 1) + j;
  for (let i = 0; i <= n; i++) cost[at(i, 0)] = i;
  for (let j = 0; j <= m; j++) cost[at(0, j)] = j;
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const sub = (cost[at(i - 1, j - 1)] as number) + (ref[i - 1] === other[j - 1] ? 0 : 1);
      const del = (cost[at(i - 1, j)] as number) + 1;
      const ins = (cost[at(i, j - 1)] as number) + 1;
      cost[at(i, j)] = Math.min(sub, del, ins);
    }
  }
  const out = new Array<number>(n).fill(-1);
  let i = n;
  let j = m;
  while (i > 0 && j > 0) {
    const here = cost[at(i, j)] as number;
    if (here === (cost[at(i - 1, j - 1)] as number) + (ref[i - 1] === other[j - 1] ? 0 : 1)) {
      out[i - 1] = j - 1;
      i--;
      j--;
    } else if (here === (cost[at(i - 1, j)] as number) + 1) i--;
    else j--;
  }
  return out;
}
