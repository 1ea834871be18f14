import { existsSync } from 'node:fs';
import { DEFAULT_DECODE_LIMITS } from '../../config/image-limits.js';
import { openImage, renderSvg } from '../../infra/image/image-decoder.js';
import { toGray, type GrayImage } from '../../infra/image/gray-image.js';

// Synthetic MRZ text in the real OCR-B font (Debian fonts-ocr-b, public domain), for training the OCR-B
// classifier and for tests. Never needed at run time: the product ships the trained weights, not the font.

export const OCRB_FONT_CANDIDATES = [
  '/usr/share/fonts/opentype/ocr-b/OCRB.otf',
  '/usr/share/fonts/truetype/ocr-b/OCRB.ttf',
];

export function findOcrbFont(): string | undefined {
  const fromEnv = process.env.OPENIDV_OCRB_FONT;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return OCRB_FONT_CANDIDATES.find((p) => existsSync(p));
}

/** OCR-B advance width and cap height as fractions of the font size (measured from the font). */
export const OCRB_ADVANCE_EM = 0.723;
export const OCRB_CAP_EM = 0.71;

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface RenderedLines {
  png: Buffer;
  width: number;
  height: number;
  /** Left edge of the first cell and baseline of each line, in output pixels. */
  lineOrigins: { x: number; baseline: number }[];
  pitch: number;
  capHeight: number;
}

export interface RenderOptions {
  fontSize?: number;
  marginX?: number;
  marginTop?: number;
  lineSpacing?: number;
  paper?: string;
  ink?: string;
  /** Extra SVG drawn under the text (a fake data page, for tests). */
  underlay?: string;
  width?: number;
  height?: number;
}

/**
 * Renders MRZ lines with SVG text in the OCR-B font via fontconfig family name "OCR B" (the file must be
 * installed), one text element per line so every glyph sits on the font's fixed pitch.
 */
export async function renderOcrbLines(lines: readonly string[], options: RenderOptions = {}): Promise<RenderedLines> {
  const fontSize = options.fontSize ?? 40;
  const pitch = fontSize * OCRB_ADVANCE_EM;
  const capHeight = fontSize * OCRB_CAP_EM;
  const marginX = options.marginX ?? pitch * 2;
  const lineSpacing = options.lineSpacing ?? capHeight * 1.75;
  const marginTop = options.marginTop ?? capHeight * 2;
  const longest = Math.max(...lines.map((l) => l.length));
  const width = options.width ?? Math.ceil(marginX * 2 + pitch * longest);
  const height = options.height ?? Math.ceil(marginTop * 2 + lineSpacing * (lines.length - 1) + capHeight);
  const origins = lines.map((_, i) => ({ x: marginX, baseline: marginTop + capHeight + i * lineSpacing }));
  const texts = lines
    .map(
      (l, i) =>
        `<text x="${marginX}" y="${(origins[i] as { baseline: number }).baseline}" font-family="OCR B" font-size="${fontSize}" fill="${options.ink ?? '#000'}">${escapeXml(l)}</text>`,
    )
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${options.paper ?? '#fff'}"/>${options.underlay ?? ''}${texts}</svg>`;
  const png = await renderSvg(svg).png().toBuffer();
  return { png, width, height, lineOrigins: origins, pitch, capHeight };
}

export async function renderOcrbGray(
  lines: readonly string[],
  options: RenderOptions = {},
): Promise<{ gray: GrayImage; render: RenderedLines }> {
  const render = await renderOcrbLines(lines, options);
  return { gray: await toGray((await openImage(render.png, { limits: DEFAULT_DECODE_LIMITS })).image), render };
}
