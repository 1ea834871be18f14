import { renderSvg } from '../../infra/image/image-decoder.js';

export interface RocSeries {
  label: string;
  colour: string;
  points: { far: number; tar: number }[];
}

export interface RocMark {
  label: string;
  far: number;
  tar: number;
}

const W = 900;
const H = 620;
const M = { left: 80, right: 30, top: 50, bottom: 70 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * ROC with a logarithmic FAR axis (the region that matters for thresholds is 1e-6..1e-2, invisible on a linear
 * axis) and a TAR axis that starts just below the lowest plotted TAR. Drawn as SVG, rasterised by sharp's
 * librsvg, so no plotting dependency.
 */
export function rocSvg(title: string, series: RocSeries[], marks: RocMark[] = []): string {
  const minFar = 1e-7;
  const visible = series.flatMap((s) => s.points.filter((p) => p.far >= minFar));
  const lowest = Math.min(...visible.map((p) => p.tar), 1);
  const yMin = Math.max(0, Math.floor((lowest - 0.005) * 20) / 20);
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (far: number) =>
    M.left + ((Math.log10(Math.max(far, minFar)) - Math.log10(minFar)) / -Math.log10(minFar)) * pw;
  const y = (tar: number) => M.top + (1 - (tar - yMin) / (1 - yMin)) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="28" font-size="18" text-anchor="middle">${esc(title)}</text>`,
  ];
  for (let e = -7; e <= 0; e++) {
    const gx = x(10 ** e);
    out.push(`<line x1="${gx}" y1="${M.top}" x2="${gx}" y2="${M.top + ph}" stroke="#ddd"/>`);
    out.push(`<text x="${gx}" y="${M.top + ph + 20}" font-size="13" text-anchor="middle">1e${e}</text>`);
  }
  const step = (1 - yMin) / 10;
  for (let i = 0; i <= 10; i++) {
    const t = yMin + i * step;
    out.push(`<line x1="${M.left}" y1="${y(t)}" x2="${M.left + pw}" y2="${y(t)}" stroke="#ddd"/>`);
    out.push(
      `<text x="${M.left - 8}" y="${y(t) + 4}" font-size="13" text-anchor="end">${(t * 100).toFixed(1)}%</text>`,
    );
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(
    `<text x="${M.left + pw / 2}" y="${H - 22}" font-size="14" text-anchor="middle">false accept rate (log scale)</text>`,
  );
  out.push(
    `<text x="22" y="${M.top + ph / 2}" font-size="14" text-anchor="middle" transform="rotate(-90 22 ${M.top + ph / 2})">true accept rate</text>`,
  );
  series.forEach((s, i) => {
    const pts = s.points
      .filter((p) => p.far >= minFar)
      .map((p) => `${x(p.far).toFixed(1)},${y(Math.max(p.tar, yMin)).toFixed(1)}`);
    out.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${s.colour}" stroke-width="2"/>`);
    const ly = M.top + ph - 20 - i * 20;
    out.push(
      `<line x1="${M.left + pw - 330}" y1="${ly}" x2="${M.left + pw - 300}" y2="${ly}" stroke="${s.colour}" stroke-width="3"/>`,
    );
    out.push(`<text x="${M.left + pw - 292}" y="${ly + 5}" font-size="13">${esc(s.label)}</text>`);
  });
  for (const m of marks) {
    out.push(`<circle cx="${x(m.far)}" cy="${y(m.tar)}" r="5" fill="none" stroke="#c00" stroke-width="2"/>`);
    out.push(`<text x="${x(m.far) + 8}" y="${y(m.tar) + 18}" font-size="12" fill="#c00">${esc(m.label)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n');
}

export async function writeRocPng(
  path: string,
  title: string,
  series: RocSeries[],
  marks: RocMark[] = [],
): Promise<void> {
  await renderSvg(rocSvg(title, series, marks))
    .png()
    .toFile(path);
}
