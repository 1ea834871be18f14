// Camera access and image preparation. Uploads are JPEG/PNG/WebP (what the server accepts), at most a few MB.

export type CameraProblem = 'DENIED' | 'NO_CAMERA' | 'IN_USE' | 'UNSUPPORTED';

export class CameraError extends Error {
  constructor(readonly problem: CameraProblem) {
    super(`camera unavailable: ${problem}`);
    this.name = 'CameraError';
  }
}

export function cameraSupported(): boolean {
  return Boolean(navigator.mediaDevices && typeof navigator.mediaDevices.getUserMedia === 'function');
}

/** The front ('user') or rear ('environment') camera; any camera where the preferred one does not exist. */
export async function openCamera(facing: 'user' | 'environment'): Promise<MediaStream> {
  if (!cameraSupported()) throw new CameraError('UNSUPPORTED');
  const size =
    facing === 'user'
      ? { width: { ideal: 1280 }, height: { ideal: 720 } }
      : { width: { ideal: 1920 }, height: { ideal: 1080 } };
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: facing }, ...size },
    });
  } catch (err) {
    const name = (err as { name?: string }).name ?? '';
    if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError')
      throw new CameraError('DENIED');
    if (name === 'NotReadableError' || name === 'TrackStartError' || name === 'AbortError')
      throw new CameraError('IN_USE');
    if (name === 'OverconstrainedError') {
      // Some browsers refuse the size hints outright; any camera will do.
      try {
        return await navigator.mediaDevices.getUserMedia({ audio: false, video: true });
      } catch {
        throw new CameraError('NO_CAMERA');
      }
    }
    throw new CameraError('NO_CAMERA');
  }
}

export function stopCamera(stream: MediaStream | null): void {
  stream?.getTracks().forEach((track) => track.stop());
}

export function canvasToBlob(canvas: HTMLCanvasElement, type: string, quality: number): Promise<Blob> {
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('could not encode the image'))), type, quality),
  );
}

/** The current video frame as a JPEG, scaled down to at most maxWidth pixels wide (never mirrored). */
export function grabFrame(video: HTMLVideoElement, maxWidth: number, quality: number): Promise<Blob> {
  return canvasToBlob(drawFrame(video, maxWidth), 'image/jpeg', quality);
}

/** The video's current frame on a canvas at most maxWidth wide: cheap, so a burst can draw on time and encode after. */
export function drawFrame(video: HTMLVideoElement, maxWidth: number): HTMLCanvasElement {
  const scale = Math.min(1, maxWidth / (video.videoWidth || maxWidth));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round((video.videoWidth || 640) * scale));
  canvas.height = Math.max(1, Math.round((video.videoHeight || 480) * scale));
  canvas.getContext('2d')!.drawImage(video, 0, 0, canvas.width, canvas.height);
  return canvas;
}

/** The video's current frame on a canvas whose longest side is at most maxSide (a phone's camera may be portrait). */
export function drawFrameWithin(video: HTMLVideoElement, maxSide: number): HTMLCanvasElement {
  const width = video.videoWidth || 640;
  const height = video.videoHeight || 480;
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  canvas.getContext('2d')!.drawImage(video, 0, 0, canvas.width, canvas.height);
  return canvas;
}

/** Resolves when the video shows a frame it has not shown before (at most 600 ms), where the browser can tell. */
export function freshFrame(video: HTMLVideoElement): Promise<void> {
  const v = video as HTMLVideoElement & { requestVideoFrameCallback?: (callback: () => void) => number };
  if (typeof v.requestVideoFrameCallback !== 'function') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = window.setTimeout(resolve, 600);
    v.requestVideoFrameCallback!(() => {
      window.clearTimeout(timer);
      resolve();
    });
  });
}

const MAX_BYTES = 8 * 1024 * 1024;
const MAX_SIDE = 3000;

/** The bytes start like a JPEG, PNG or WebP file (what the server accepts), whatever the file's name says. */
async function acceptedSignature(file: Blob): Promise<boolean> {
  const b = new Uint8Array(await file.slice(0, 12).arrayBuffer());
  const jpeg = b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
  const png = b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
  const webp = String.fromCharCode(...b.slice(0, 4)) === 'RIFF' && String.fromCharCode(...b.slice(8, 12)) === 'WEBP';
  return jpeg || png || webp;
}

/**
 * A chosen file as the server accepts it: kept as is when it is a reasonably sized JPEG/PNG/WebP, otherwise
 * re-encoded as JPEG (HEIC on Safari, GIF, huge camera photos). Every file is decoded first, so one the browser
 * cannot draw (a document renamed .jpg) is refused here and never reaches the review screen.
 */
export async function prepareFile(file: File): Promise<Blob> {
  const bitmap = await createImageBitmap(file);
  try {
    if (file.size <= MAX_BYTES && (await acceptedSignature(file))) return file;
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    return await canvasToBlob(canvas, 'image/jpeg', 0.92);
  } finally {
    bitmap.close();
  }
}
