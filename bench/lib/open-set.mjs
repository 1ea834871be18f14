// Open-set 1:N figures by brute force over small galleries (exact, so the variants compare on the same footing).

/** Top-1 gallery entry of a probe under `score(probeId, galleryId)`. */
export function top1(probe, gallery, score) {
  let best = -Infinity;
  let owner = null;
  for (const g of gallery) {
    const s = score(probe.id, g.id);
    if (s > best) {
      best = s;
      owner = g.owner;
    }
  }
  return { score: best, owner };
}

/**
 * FNIR at FPIR targets with the threshold read off the non-mated probes' top scores (the best a deployment tuned on
 * these strangers could do). Refused probes count as misses in `fnirWithRefusals` (what an integrator sees).
 */
export function openSetRates(mated, nonMated, targets = [0.01, 0.1], refusedMated = 0) {
  const strangers = nonMated.map((h) => h.score).sort((a, b) => b - a);
  return targets.map((fpir) => {
    const allowed = Math.floor(fpir * strangers.length + 1e-9);
    const t = (strangers[allowed] ?? -Infinity) + 1e-6;
    const misses = mated.filter((h) => !(h.hit && h.score >= t)).length;
    return {
      target_fpir: fpir,
      threshold: round(t),
      fpir: round(strangers.filter((s) => s >= t).length / Math.max(1, strangers.length)),
      fnir: round(misses / Math.max(1, mated.length)),
      fnir_with_refusals: round((misses + refusedMated) / Math.max(1, mated.length + refusedMated)),
    };
  });
}

export const round = (x) => Math.round(x * 1e4) / 1e4;
export const pct = (x) => `${(100 * x).toFixed(2)}%`;
