// Frames seen in earlier captures, to refuse a capture that re-sends them: byte-identical copies by digest,
// re-encoded ones by perceptual hash. A live camera never produces the same bytes twice, and a new attempt by a
// live person is a new trajectory, so only a large share of near-identical frames counts as a replay.

/** Share of differing bits between two equal-length hex hashes, 0..1. */
export function hashDistance(a: string, b: string): number {
  if (a.length !== b.length || a.length === 0) return 1;
  let bits = 0;
  for (let i = 0; i < a.length; i++) {
    let x = Number.parseInt(a[i]!, 16) ^ Number.parseInt(b[i]!, 16);
    while (x) {
      bits += x & 1;
      x >>= 1;
    }
  }
  return bits / (a.length * 4);
}

/** What decide() asks of the store of earlier frames (the server keeps one per deployment, or per tenant). */
export interface FrameLedgerView {
  hasDigest(digest: string): boolean;
  /** Smallest hashDistance to any recorded frame (1 when the ledger is empty). */
  nearestHash(hash: string): number;
}

/** An in-memory ledger: a set of digests and a linear scan of hashes (fine for tests and the evaluator). */
export class MemoryFrameLedger implements FrameLedgerView {
  private readonly digests = new Set<string>();
  private readonly hashes: string[] = [];

  record(frames: { digest: string; perceptualHash: string }[]): void {
    for (const f of frames) {
      this.digests.add(f.digest);
      this.hashes.push(f.perceptualHash);
    }
  }

  hasDigest(digest: string): boolean {
    return this.digests.has(digest);
  }

  nearestHash(hash: string): number {
    let best = 1;
    for (const h of this.hashes) best = Math.min(best, hashDistance(hash, h));
    return best;
  }
}
