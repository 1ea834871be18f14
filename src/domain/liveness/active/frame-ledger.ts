// Frames seen in earlier captures, to refuse a capture that re-sends them: byte-identical copies by digest,
// re-encoded ones by perceptual hash. A live camera never produces the same bytes twice, and a new attempt by a
// live person is a new trajectory, so only a large share of near-identical frames counts as a replay.

import type { FrameLedgerRepository, LedgerFrame } from '../../ports/repositories.port.js';

/** A hex hash as 32-bit words (the last one zero-padded), for fast comparison. */
function words(hex: string): Uint32Array {
  const out = new Uint32Array(Math.ceil(hex.length / 8));
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 8, i * 8 + 8).padEnd(8, '0'), 16) >>> 0;
  return out;
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function wordDistance(a: Uint32Array, b: Uint32Array, bits: number): number {
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff += popcount((a[i]! ^ b[i]!) >>> 0);
  return diff / bits;
}

/** Share of differing bits between two equal-length hex hashes, 0..1 (1 when they cannot be compared). */
export function hashDistance(a: string, b: string): number {
  if (a.length !== b.length || a.length === 0 || !/^[0-9a-f]+$/i.test(a + b)) return 1;
  return wordDistance(words(a), words(b), a.length * 4);
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
  private readonly hashes: { length: number; words: Uint32Array }[] = [];

  record(frames: { digest: string; perceptualHash: string }[]): void {
    for (const f of frames) {
      this.digests.add(f.digest);
      if (/^[0-9a-f]+$/i.test(f.perceptualHash))
        this.hashes.push({ length: f.perceptualHash.length, words: words(f.perceptualHash) });
    }
  }

  get size(): number {
    return this.hashes.length;
  }

  hasDigest(digest: string): boolean {
    return this.digests.has(digest);
  }

  nearestHash(hash: string): number {
    if (!/^[0-9a-f]+$/i.test(hash)) return 1;
    const w = words(hash);
    let best = 1;
    for (const h of this.hashes)
      if (h.length === hash.length) best = Math.min(best, wordDistance(w, h.words, hash.length * 4));
    return best;
  }
}

/**
 * The tenant's ledger as decide() reads it: only the recorded frames that could be near these ones (same digest,
 * or a perceptual hash sharing a 32-bit word), fetched once, so the decision itself stays synchronous.
 */
export async function ledgerFor(
  repo: FrameLedgerRepository,
  appId: string,
  frames: LedgerFrame[],
): Promise<FrameLedgerView> {
  const ledger = new MemoryFrameLedger();
  ledger.record(await repo.candidates(appId, frames));
  return ledger;
}
