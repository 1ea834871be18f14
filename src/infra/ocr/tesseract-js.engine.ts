import { createRequire } from 'node:module';
import path from 'node:path';
import { createWorker, OEM, type Worker } from 'tesseract.js';
import type { OcrEngine, OcrRequest } from '../../domain/ports/ocr-engine.port.js';

const require = createRequire(import.meta.url);

export type TesseractJsModel = 'lstm' | 'legacy';

/**
 * Folder of the npm-shipped language data. `langPath` must be a local path: left unset, tesseract.js
 * fetches from a CDN (the only network path it has in Node).
 */
export function tesseractJsDataDir(model: TesseractJsModel): string {
  const pkg = path.dirname(require.resolve('@tesseract.js-data/eng/package.json'));
  // best_int holds only the LSTM network; the legacy engine needs the 4.0.0 file that carries both.
  return path.join(pkg, model === 'lstm' ? '4.0.0_best_int' : '4.0.0');
}

export interface TesseractJsEngineOptions {
  model?: TesseractJsModel;
  /** Long-lived workers (threads); one per core at most. */
  workers?: number;
}

interface Slot {
  /** Started on first use, so that listing the engines costs nothing until a document arrives. */
  worker?: Promise<Worker>;
  params: string;
  busy: boolean;
}

/** tesseract.js 7 (WebAssembly) with the eng data from node_modules; never touches the network or the CWD. */
export class TesseractJsEngine implements OcrEngine {
  readonly name: string;
  /** The LSTM model prints the OCR-B filler as K, C, L, E, X or S (measured); the legacy model does not. */
  readonly mrzFillerGhosts: string | undefined;
  readonly modelFamily: string;
  private readonly model: TesseractJsModel;
  private readonly slots: Slot[];
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  constructor(options: TesseractJsEngineOptions = {}) {
    this.model = options.model ?? 'lstm';
    this.name = this.model === 'lstm' ? 'tesseract.js' : 'tesseract.js-legacy';
    this.mrzFillerGhosts = this.model === 'lstm' ? 'KCLEXS' : undefined;
    this.modelFamily = this.model === 'lstm' ? 'tesseract-lstm-eng' : this.name;
    this.slots = Array.from({ length: Math.max(1, options.workers ?? 1) }, () => ({ params: '', busy: false }));
  }

  async recognize(request: OcrRequest): Promise<string> {
    if (this.closed) throw new Error(`${this.name} engine is closed`);
    const slot = await this.acquire();
    try {
      slot.worker ??= startWorker(this.model);
      const worker = await slot.worker;
      const params = `${request.psm}|${request.whitelist ?? ''}`;
      if (slot.params !== params) {
        await worker.setParameters({
          tessedit_pageseg_mode: String(request.psm) as never,
          tessedit_char_whitelist: request.whitelist ?? '',
          // The legacy classifier otherwise adapts to every page it reads, so a document's reading would
          // depend on the documents the same worker read before it (measured: specimens flipped between runs).
          classify_enable_learning: '0',
          // Line crops carry no resolution; tesseract would fall back to 70 dpi with a warning on stderr for
          // every line. The same value, stated.
          user_defined_dpi: '70',
        });
        slot.params = params;
      }
      const { data } = await worker.recognize(request.image);
      return data.text;
    } finally {
      slot.busy = false;
      this.waiting.shift()?.();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map(async (slot) => (slot.worker ? (await slot.worker).terminate() : undefined)));
  }

  private async acquire(): Promise<Slot> {
    for (;;) {
      const free = this.slots.find((s) => !s.busy);
      if (free) {
        free.busy = true;
        return free;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }
}

async function startWorker(model: TesseractJsModel): Promise<Worker> {
  return createWorker(
    'eng',
    model === 'lstm' ? OEM.LSTM_ONLY : OEM.TESSERACT_ONLY,
    {
      langPath: tesseractJsDataDir(model),
      cacheMethod: 'none',
      gzip: true,
      // tesseract.js logs progress and "Detected N diacritics" otherwise.
      logger: () => undefined,
      errorHandler: () => undefined,
    },
    {
      // The dictionaries pull MRZ text towards English words; MRZ is not language.
      load_system_dawg: '0',
      load_freq_dawg: '0',
    },
  );
}
