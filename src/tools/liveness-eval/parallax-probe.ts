import { fitHomography, interOcular, type Pt, residuals, rms } from '../../domain/liveness/active/planar-fit.js';
import type { LivenessFrameAnalyser } from '../../domain/ports/liveness-frame-analyser.port.js';
import type { Subject } from './liveness-evaluation.js';
import { encodeJpeg, FlatCard, REST_POSE, TexturedHead } from './synthetic-scene.js';
import { seededRng } from './triangle-raster.js';

// The parallax measure on single image pairs, whether or not the pose targets are met: the head stand-in turned
// ±30° and a card tilted (perspective) or squeezed (affine) ±45°, each against its own frontal frame. In the full
// captures the cards rarely reach the pose targets, so this is where the threshold's margin is seen on images.

export interface ProbeRow {
  kind: 'head' | 'card_3d' | 'card_2d';
  parallax: number;
  yawDeg: number;
}

export async function parallaxProbe(
  analyser: LivenessFrameAnalyser,
  subjects: Subject[],
  seed: number,
): Promise<ProbeRow[]> {
  const rows: ProbeRow[] = [];
  const rng = seededRng(seed);
  const shot = async (canvas: {
    toImage: (s: number, g: number, r: () => number) => Parameters<typeof encodeJpeg>[0];
  }) => analyser.analyse(await encodeJpeg(canvas.toImage(2.5, 1, rng)));
  for (const s of subjects) {
    const head = new TexturedHead(s.photo);
    const card = new FlatCard(s.photo, [110, 120, 130]);
    const variants: [ProbeRow['kind'], (yaw: number) => Promise<Awaited<ReturnType<typeof shot>>>][] = [
      ['head', (yaw) => shot(head.render({ ...s.frontal, yawDeg: s.frontal.yawDeg + yaw }))],
      ['card_3d', (yaw) => shot(card.render({ ...REST_POSE, yawDeg: yaw * 1.5 }, 'perspective'))],
      ['card_2d', (yaw) => shot(card.render({ ...REST_POSE, yawDeg: yaw * 1.5 }, 'affine'))],
    ];
    for (const [kind, render] of variants) {
      const base = (await render(0)).face?.landmarks;
      for (const yaw of [30, -30]) {
        const turned = await render(yaw);
        const t = turned.face?.landmarks;
        if (!base || !t) continue;
        const h = fitHomography(base as Pt[], t as Pt[]);
        if (!h) continue;
        rows.push({ kind, parallax: rms(residuals(h, base, t)) / interOcular(base), yawDeg: turned.face!.yawDeg });
      }
    }
  }
  return rows;
}
