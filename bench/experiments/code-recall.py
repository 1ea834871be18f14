"""Two-step scan recall of the sign code against a learned code, on real face embeddings (numpy, scipy).

Research script behind docs/face-index.md ("A learned code: built, measured, not kept"); not part of the tests.
Usage:
  npm run bench:search-lfw -- --cache /tmp/lfw-embeddings.bin        # embeds lfw-dev once (about 90 s)
  python3 bench/experiments/code-recall.py /tmp/lfw-embeddings.bin ../shared/data/lfw-dev

For each probe it checks whether the exact nearest gallery face survives the index's two steps: the head
estimate keeps a shortlist, the whole-code estimate ranks the shortlist, and the best `re-rank` go on. Shortlist
and re-rank are the million-face defaults scaled to the gallery's size (3.2% / 1.6%, and 0.15% / 0.3%).
"""
import os
import sys

import numpy as np
from scipy.stats import norm

DIM = 512
DISTORTION = {0: 1.0, 1: 0.3634, 2: 0.1175, 4: 0.0095}
NEXT = {0: 1, 1: 2, 2: 4}


def sign_code(gallery, probes, rng):
    """Head: 256 sign bits of a random rotation; whole code: 512 (the shipped index)."""
    rot = np.linalg.qr(rng.standard_normal((DIM, DIM)))[0]
    g, p = gallery @ rot, probes @ rot
    head = p[:, :256] @ np.sign(g[:, :256]).T
    return head, p @ np.sign(g).T


def learned_code(gallery, probes):
    """Head: 128 bits, whole code 512, over principal directions with bits by variance (the reverted cc5a292)."""
    sample = gallery[:2048]
    w, v = np.linalg.eigh(np.cov(sample.T))
    order = w.argsort()[::-1]
    w, v = w[order] + 0.01 / DIM, v[:, order]
    g, p, mean = gallery @ v, probes @ v, sample.mean(0) @ v

    def allocate(budget, fixed=None):
        bits = list(fixed) if fixed else [0] * DIM
        used = sum(bits)
        while True:
            best = None
            for j in range(DIM):
                b = bits[j]
                if (fixed and fixed[j] > 0) or b not in NEXT or used + NEXT[b] - b > budget:
                    continue
                gain = w[j] ** 2 * (DISTORTION[b] - DISTORTION[NEXT[b]]) / (NEXT[b] - b)
                if best is None or gain > best[0]:
                    best = (gain, j)
            if best is None:
                return bits
            j = best[1]
            used += NEXT[bits[j]] - bits[j]
            bits[j] = NEXT[bits[j]]

    def estimate(bits):
        out = np.zeros((len(p), len(g)), np.float32)
        for j, b in enumerate(bits):
            if b == 0:
                continue
            levels = 1 << b
            z = norm.ppf(np.arange(1, levels) / levels)
            edges = np.concatenate([[-np.inf], z, [np.inf]])
            s = np.sqrt(w[j])
            level = mean[j] + s * levels * (norm.pdf(edges[:-1]) - norm.pdf(edges[1:]))
            out += np.outer(p[:, j], level[np.searchsorted(mean[j] + s * z, g[:, j])])
        return out

    head_bits = allocate(128)
    all_bits = allocate(512, head_bits)
    head = estimate(head_bits)
    return head, head + estimate([0 if head_bits[j] else all_bits[j] for j in range(DIM)])


def survive(exact, head, whole, shortlist, rerank):
    nn = exact.argmax(1)
    kept = 0
    for q in range(len(exact)):
        short = np.argpartition(-head[q], shortlist)[:shortlist]
        if nn[q] in short and (whole[q, short] > whole[q, nn[q]]).sum() < rerank:
            kept += 1
    return kept / len(exact)


def report(name, gallery, probes):
    n = len(gallery)
    exact = probes @ gallery.T
    codes = {'sign': sign_code(gallery, probes, np.random.default_rng(5)), 'learned': learned_code(gallery, probes)}
    for frac_short, frac_rerank in [(0.032, 0.0015), (0.016, 0.0015), (0.032, 0.003)]:
        s, r = max(1, int(frac_short * n)), max(1, int(frac_rerank * n))
        got = ', '.join(f'{k} {survive(exact, h, f, s, r):.3f}' for k, (h, f) in codes.items())
        print(f'{name}: gallery {n}, shortlist {s}, re-rank {r}: {got}', flush=True)


def main():
    cache, lfw = sys.argv[1], sys.argv[2]
    root = os.path.join(lfw, 'images')
    counts = [len(os.listdir(os.path.join(root, p))) for p in sorted(os.listdir(root))]
    emb = np.fromfile(cache, dtype=np.float32).reshape(-1, DIM)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    variance = np.linalg.eigvalsh(np.cov(emb.T))[::-1]
    print('variance in the top 16 / 64 / 128 principal directions:', [round(variance[:k].sum() / variance.sum(), 3) for k in (16, 64, 128)])
    rng = np.random.default_rng(0)
    order = rng.permutation(len(emb))
    report('all photos', emb[order[1000:]], emb[order[:1000]])
    # One photo per person in the gallery; probes: other photos of enrolled people and 300 people never enrolled.
    starts = np.cumsum([0] + counts[:-1])
    rng = np.random.default_rng(1)
    held = set(rng.choice([i for i, c in enumerate(counts) if c == 1], 300, replace=False))
    gallery = [starts[i] for i in range(len(counts)) if i not in held]
    mated = [starts[i] + k for i, c in enumerate(counts) for k in range(1, c)]
    probes = list(rng.choice(mated, 700, replace=False)) + [starts[i] for i in held]
    report('one photo per person', emb[gallery], emb[probes])


if __name__ == '__main__':
    main()
