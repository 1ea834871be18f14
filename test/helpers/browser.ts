import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import { ROOT } from './server.js';

// Real Chromium for the capture page: Debian's package (never a Playwright download; the machine is offline),
// with Chromium's fake camera fed a video made at test time by ffmpeg.

const run = promisify(execFile);
export const CHROMIUM = process.env.OPENIDV_CHROMIUM ?? '/usr/bin/chromium';
export const FFMPEG = process.env.OPENIDV_FFMPEG ?? '/usr/bin/ffmpeg';
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'web-capture');

/** Why the browser tests cannot run here, or null when they can. */
export function browserSkipReason(): string | null {
  if (!existsSync(CHROMIUM))
    return `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set OPENIDV_CHROMIUM)`;
  if (!existsSync(FFMPEG)) return `ffmpeg not found at ${FFMPEG} (apt-get install ffmpeg, or set OPENIDV_FFMPEG)`;
  return null;
}

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Chromium with a fake camera playing `video` (a .y4m file). Without `autoAllowCamera` the camera permission
 * prompt is refused unless a context grants `camera`: that is how a user denying access is simulated.
 */
export async function launchChromium(
  options: { video?: string; autoAllowCamera?: boolean } = {},
): Promise<LaunchedBrowser> {
  // launch() gives every browser a fresh temporary profile (--user-data-dir) and removes it on close.
  const args = [...FLAGS];
  if (options.video)
    args.push('--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${options.video}`);
  if (options.autoAllowCamera) args.push('--use-fake-ui-for-media-stream');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args, timeout: 30_000 });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}

/** A few seconds of 640x480 video of a still photo, letterboxed (Chromium loops it as the camera). */
export async function videoFromPhoto(photo: string, out: string, seconds = 2): Promise<string> {
  await run(FFMPEG, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-loop',
    '1',
    '-i',
    photo,
    '-t',
    String(seconds),
    '-r',
    '10',
    '-vf',
    'scale=-2:480,pad=640:480:(ow-iw)/2:(oh-ih)/2:color=0x555555,format=yuv420p',
    out,
  ]);
  return out;
}

/**
 * The stand-in for a live selfie (src/tools/liveness-eval/photo-bursts.ts says what it stands for and what not): a few
 * seconds of the photo sheared and stretched a little differently in every frame, so a burst taken from it has the
 * non-rigid landmark motion the STATIC rules ask for. `videoFromPhoto` is the attack: a still photo held to the camera.
 * Another `phase` gives other frames of the same photo (two cameras of one person never send the same bytes).
 */
export async function standInVideoFromPhoto(photo: string, out: string, seconds = 3, phase = 0): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'stand-in-'));
  const base = await sharp(photo)
    .rotate()
    .resize({ height: 480, width: 640, fit: 'contain', background: '#555555' })
    .toBuffer();
  const fps = 10;
  for (let i = 0; i < seconds * fps; i++) {
    // Two incommensurate rates: no two frames of the loop are alike, so no burst can grab the same one twice.
    const warped = sharp(base).affine(
      [
        [1, 0.16 * Math.sin(phase + i * 0.9)],
        [0, 1 + 0.1 * Math.cos(phase + i * 1.3)],
      ],
      { background: '#555555' },
    );
    const frame = await sharp(await warped.png().toBuffer())
      .resize({ width: 640, height: 480, fit: 'contain', background: '#555555' })
      .png()
      .toBuffer();
    await writeFile(join(dir, `f${String(i).padStart(3, '0')}.png`), frame);
  }
  await run(FFMPEG, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-framerate',
    String(fps),
    '-i',
    join(dir, 'f%03d.png'),
    '-vf',
    'format=yuv420p',
    out,
  ]);
  await rm(dir, { recursive: true, force: true });
  return out;
}

/** A synthetic camera picture with no face in it (a pale card on a dark desk): for screenshots that get published. */
export async function placeholderVideo(out: string, seconds = 2): Promise<string> {
  const card = [
    'drawbox=x=96:y=110:w=448:h=282:color=0xe9e4d6:t=fill',
    'drawbox=x=124:y=150:w=120:h=150:color=0xb9c2cc:t=fill',
    ...[160, 190, 220, 250].map((y) => `drawbox=x=270:y=${y}:w=240:h=12:color=0x9aa3ad:t=fill`),
    'drawbox=x=124:y=330:w=392:h=12:color=0x7d8791:t=fill',
    'drawbox=x=124:y=356:w=392:h=12:color=0x7d8791:t=fill',
  ].join(',');
  await run(FFMPEG, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `color=c=0x2c3138:s=640x480:r=10:d=${seconds}`,
    '-vf',
    `${card},format=yuv420p`,
    out,
  ]);
  return out;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Page errors and CSP / Trusted Types violations (and any console line matching `also`) of a page, as they come. */
export function collectProblems(page: Page, also?: RegExp): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (/Content.Security.Policy|Trusted Type/i.test(msg.text()) || also?.test(msg.text()))
      problems.push(`console: ${msg.text()}`);
  });
  return problems;
}

/** Saves a full-page screenshot under test-artifacts/web-capture/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface LayoutProblem {
  control: string;
  problem: string;
}

/**
 * Every visible control (buttons, links, inputs, selects) can be scrolled fully into the viewport, and the page
 * does not scroll sideways.
 */
export async function layoutProblems(page: Page): Promise<LayoutProblem[]> {
  return page.evaluate(() => {
    const problems: { control: string; problem: string }[] = [];
    const width = window.innerWidth;
    if (document.documentElement.scrollWidth > width)
      problems.push({
        control: 'page',
        problem: `scrolls sideways: ${document.documentElement.scrollWidth}px wide in ${width}px`,
      });
    for (const el of Array.from(
      document.querySelectorAll<HTMLElement>('button, a[href], select, input:not(.sr-only), label, progress'),
    )) {
      if (!el.offsetParent && getComputedStyle(el).position !== 'fixed') continue;
      el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.textContent ?? '').trim().slice(0, 30)}"`;
      if (r.left < 0 || r.right > width + 0.5)
        problems.push({ control: name, problem: `x ${r.left.toFixed(0)}..${r.right.toFixed(0)} outside 0..${width}` });
      if (r.top < 0 || r.bottom > window.innerHeight + 0.5)
        problems.push({ control: name, problem: `y ${r.top.toFixed(0)}..${r.bottom.toFixed(0)} outside the viewport` });
    }
    window.scrollTo(0, 0);
    return problems;
  });
}
