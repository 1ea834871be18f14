import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { OcrEngine, OcrRequest } from '../../domain/ports/ocr-engine.port.js';
import { JobLimiter } from './job-limiter.js';

export interface TesseractCliEngineOptions {
  /** Executable name or path. */
  command?: string;
  /** Concurrent processes; each is single-threaded (OMP_THREAD_LIMIT=1). */
  concurrency?: number;
  timeoutMs?: number;
  /** Folder holding eng.traineddata, when not the system one. */
  tessdataDir?: string;
  name?: string;
}

/** True when the `tesseract` executable runs and has the eng language installed. */
export function tesseractCliAvailable(command = 'tesseract', tessdataDir?: string): boolean {
  const args = ['--list-langs', ...(tessdataDir ? ['--tessdata-dir', tessdataDir] : [])];
  const res = spawnSync(command, args, { encoding: 'utf8', timeout: 5000 });
  return res.status === 0 && /^eng$/m.test(`${res.stdout}\n${res.stderr}`);
}

/**
 * The Debian `tesseract` 5.x command, one short process per request: native code with a bounded worst case
 * and no state to leak between documents. A single image goes in on stdin; several (recognizeAll) go in as
 * files listed in a text file, the only way to hand the command more than one image.
 */
export class TesseractCliEngine implements OcrEngine {
  readonly name: string;
  // Debian's eng model is LSTM-only; measured: it prints the OCR-B filler as K, C, L, E, X or S.
  readonly mrzFillerGhosts = 'KCLEXS';
  readonly modelFamily = 'tesseract-lstm-eng';
  private readonly limiter: JobLimiter;
  private readonly command: string;
  private readonly timeoutMs: number;
  private readonly tessdataDir: string | undefined;

  constructor(options: TesseractCliEngineOptions = {}) {
    this.command = options.command ?? 'tesseract';
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.tessdataDir = options.tessdataDir;
    this.name = options.name ?? 'tesseract-cli';
    this.limiter = new JobLimiter(Math.max(1, options.concurrency ?? 1));
  }

  recognize(request: OcrRequest): Promise<string> {
    return this.limiter.run(() => this.spawnOnce('stdin', request, request.image));
  }

  /**
   * Starting the command and loading its model costs 0.17-0.28 s per process here (measured on a blank
   * 40×20 image), so the lines of one MRZ are read by one process. Its output separates pages with a form feed.
   */
  async recognizeAll(images: readonly Buffer[], request: Omit<OcrRequest, 'image'>): Promise<string[]> {
    if (images.length === 1) return [await this.recognize({ ...request, image: images[0] as Buffer })];
    return this.limiter.run(async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'openidv-ocr-'));
      try {
        const files = images.map((_, i) => path.join(dir, `${i}.png`));
        await Promise.all(images.map((image, i) => writeFile(files[i] as string, image)));
        const list = path.join(dir, 'images.txt');
        await writeFile(list, `${files.join('\n')}\n`);
        const pages = (await this.spawnOnce(list, request)).split('\f');
        if (pages.length !== images.length)
          throw new Error(`tesseract returned ${pages.length} pages for ${images.length} images`);
        return pages;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  async close(): Promise<void> {
    // Processes end with their job; nothing long-lived to release.
  }

  private spawnOnce(input: string, request: Omit<OcrRequest, 'image'>, stdin?: Buffer): Promise<string> {
    const args = [
      input,
      'stdout',
      ...(this.tessdataDir ? ['--tessdata-dir', this.tessdataDir] : []),
      '-l',
      'eng',
      '--oem',
      '1',
      '--psm',
      String(request.psm),
      '-c',
      'load_system_dawg=0',
      '-c',
      'load_freq_dawg=0',
      ...(request.whitelist ? ['-c', `tessedit_char_whitelist=${request.whitelist}`] : []),
    ];
    return new Promise((resolve, reject) => {
      const child = spawn(this.command, args, {
        env: { ...process.env, OMP_THREAD_LIMIT: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
        timeout: this.timeoutMs,
        killSignal: 'SIGKILL',
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
        else
          reject(new Error(`tesseract exited ${signal ?? code}: ${Buffer.concat(err).toString('utf8').slice(0, 300)}`));
      });
      // A dead child closes stdin early; the 'close' handler reports the real failure.
      child.stdin.on('error', () => undefined);
      child.stdin.end(stdin);
    });
  }
}
