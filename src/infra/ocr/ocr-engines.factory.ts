import { renderSvg } from '../image/image-decoder.js';
import type { OcrEngine } from '../../domain/ports/ocr-engine.port.js';
import { OcrbEngine } from './ocrb.engine.js';
import { tesseractCliAvailable, TesseractCliEngine } from './tesseract-cli.engine.js';
import { TesseractJsEngine } from './tesseract-js.engine.js';

export interface OcrEnginesConfig {
  /** openidv's OCR-B line reader (pure JS, always available). Default true. */
  ocrb?: boolean;
  /** tesseract.js with the legacy (non-LSTM) eng model: the best tesseract voter on OCR-B fillers. Default true. */
  tesseractJsLegacy?: boolean;
  /** The `tesseract` command: 'auto' uses it when installed; false never; a string is its path. Default 'auto'. */
  tesseractCli?: 'auto' | false | string;
  /** tesseract.js with the LSTM eng model (best_int). Default true. */
  tesseractJs?: boolean;
  /** Concurrent recognitions per tesseract engine (threads or processes). Default 1. */
  concurrency?: number;
  cliTimeoutMs?: number;
}

/**
 * The available engines in preference order (measured on the specimen set, docs/benchmarks.md): the OCR-B
 * reader first, then the tesseract variants that disagree with it in different ways, which is what the
 * consensus on unprotected fields needs. Nothing here starts a worker: tesseract.js workers start on first
 * use; call close() on each engine at shutdown.
 */
export function createOcrEngines(config: OcrEnginesConfig = {}): OcrEngine[] {
  const engines: OcrEngine[] = [];
  const workers = Math.max(1, config.concurrency ?? 1);
  if (config.ocrb !== false) engines.push(new OcrbEngine());
  if (config.tesseractJsLegacy !== false) engines.push(new TesseractJsEngine({ model: 'legacy', workers }));
  const cli = config.tesseractCli ?? 'auto';
  if (cli !== false) {
    const command = cli === 'auto' ? 'tesseract' : cli;
    if (tesseractCliAvailable(command)) {
      engines.push(
        new TesseractCliEngine({
          command,
          concurrency: workers,
          ...(config.cliTimeoutMs ? { timeoutMs: config.cliTimeoutMs } : {}),
        }),
      );
    } else if (cli !== 'auto') {
      throw new Error(`tesseract command not usable: ${command}`);
    }
  }
  if (config.tesseractJs !== false) engines.push(new TesseractJsEngine({ model: 'lstm', workers }));
  return engines;
}

/**
 * Starts every engine's workers (tesseract.js loads its 3-11 MB model on first use, seconds on a busy
 * machine) so that the first document does not spend its deadline on it. Call once at start-up.
 */
export async function warmUpOcrEngines(engines: readonly OcrEngine[]): Promise<number> {
  const t0 = performance.now();
  // A few bars rather than a blank page: on an image with nothing in it tesseract prints blob statistics.
  const bars = [0, 1, 2, 3, 4, 5].map((i) => `<rect x="${12 + i * 30}" y="10" width="6" height="20"/>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><rect width="200" height="40" fill="#fff"/>${bars}</svg>`;
  const image = await renderSvg(svg).png().toBuffer();
  for (const e of engines) await e.recognize({ image, psm: 7, whitelist: 'ABC<' }).catch(() => '');
  return performance.now() - t0;
}

export async function closeOcrEngines(engines: readonly OcrEngine[]): Promise<void> {
  await Promise.all(engines.map((e) => e.close()));
}
