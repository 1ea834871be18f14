// Frames seen in earlier captures, to refuse a capture that re-sends one: byte-identical copies by digest,
// re-encoded ones by perceptual hash, matched to ONE earlier capture in its order. A still face in a still room
// hashes alike from one attempt to the next, so a share of near frames cannot tell a retry from a re-sent capture
// (a stand-in's retries reached 76% within 4 bits); a retry is a new trajectory, though, and its near frames do
// not line up one to one, in order, with a single earlier capture the way a re-sent one's do. A session's own
// earlier attempts are left out of that comparison: they are the same person trying again in the same scene, with
// a new plan 17 times in 18 and, in 1 of 18, the same moves, which only a finer test than a frame hash could tell
// from a re-send; a re-send of the session's own attempt would only repeat what was already judged.

import type { FrameLedgerRepository, LedgerCapture, LedgerEntry, LedgerFrame } from '../../ports/repositories.port.js';

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

const isHex = (h: string) => /^[0-9a-f]+$/i.test(h);

/** Share of differing bits between two equal-length hex hashes, 0..1 (1 when they cannot be compared). */
export function hashDistance(a: string, b: string): number {
  if (a.length !== b.length || a.length === 0 || !isHex(a + b)) return 1;
  return wordDistance(words(a), words(b), a.length * 4);
}

/** The longest re-sending of one earlier capture found in a new one. */
export interface ReplayMatch {
  /** Frames of the new capture matched one to one, in order, to frames of `captureId` in their order. */
  frames: number;
  captureId?: string;
}

/** What decide() asks of the store of earlier frames (the server keeps one per tenant). */
export interface FrameLedgerView {
  hasDigest(digest: string): boolean;
  /**
   * The earlier capture the new frames (their perceptual hashes, in stream order) re-send the most of: the longest
   * chain of pairs (new frame i, earlier frame j), each within `maxDistance`, with i and j both increasing.
   */
  longestReplay(hashes: string[], maxDistance: number): ReplayMatch;
}

/** Longest chain of pairs strictly increasing in both i and j (patience sorting, O(p log p)). */
export function longestChain(pairs: [number, number][]): number {
  // Ties in i sorted by decreasing j, so one new frame never counts twice.
  const sorted = [...pairs].sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const tails: number[] = [];
  for (const [, j] of sorted) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tails[mid]! < j) lo = mid + 1;
      else hi = mid;
    }
    tails[lo] = j;
  }
  return tails.length;
}

interface Entry {
  captureId: string;
  sessionId: string | null;
  index: number;
  length: number;
  words: Uint32Array;
}

/** An in-memory ledger: a set of digests and a linear scan of hashes (the evaluator's, and a fetched view). */
export class MemoryFrameLedger {
  private readonly digests = new Set<string>();
  private readonly entries: Entry[] = [];

  /** Adds frames: a whole capture in stream order, or entries already placed (from the repository). */
  record(frames: LedgerEntry[]): void {
    for (const f of frames) {
      this.digests.add(f.digest);
      if (isHex(f.perceptualHash))
        this.entries.push({
          captureId: f.captureId,
          sessionId: f.sessionId,
          index: f.index,
          length: f.perceptualHash.length,
          words: words(f.perceptualHash),
        });
    }
  }

  /** The ledger as a capture of `sessionId` is judged against: every digest, other sessions' hashes. */
  view(sessionId: string): FrameLedgerView {
    return {
      hasDigest: (digest) => this.digests.has(digest),
      longestReplay: (hashes, maxDistance) => this.longestReplay(hashes, maxDistance, sessionId),
    };
  }

  private longestReplay(hashes: string[], maxDistance: number, sessionId: string): ReplayMatch {
    const pairs = new Map<string, [number, number][]>();
    hashes.forEach((hash, i) => {
      if (!isHex(hash)) return;
      const w = words(hash);
      for (const e of this.entries) {
        if (e.sessionId === sessionId) continue;
        if (e.length !== hash.length || wordDistance(w, e.words, hash.length * 4) > maxDistance) continue;
        const list = pairs.get(e.captureId) ?? [];
        list.push([i, e.index]);
        pairs.set(e.captureId, list);
      }
    });
    let best: ReplayMatch = { frames: 0 };
    for (const [captureId, list] of pairs) {
      const frames = longestChain(list);
      if (frames > best.frames) best = { frames, captureId };
    }
    return best;
  }
}

/** A decided capture's frames as ledger entries: its capture and session, and each frame's place in the stream. */
export function ledgerEntries(capture: LedgerCapture, frames: LedgerFrame[]): LedgerEntry[] {
  return frames.map((f, index) => ({
    digest: f.digest,
    perceptualHash: f.perceptualHash,
    captureId: capture.id,
    sessionId: capture.sessionId,
    index,
  }));
}

/**
 * The tenant's ledger as decide() reads it: only the recorded frames that could be near these ones (same digest,
 * or a perceptual hash sharing a 32-bit word), fetched once, so the decision itself stays synchronous.
 */
export async function ledgerFor(
  repo: FrameLedgerRepository,
  appId: string,
  sessionId: string,
  frames: LedgerFrame[],
): Promise<FrameLedgerView> {
  const ledger = new MemoryFrameLedger();
  ledger.record(await repo.candidates(appId, frames));
  return ledger.view(sessionId);
}
