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
  const size = facing === 'user' ? { width: { ideal: 1280 }, height: { ideal: 720 } } : { width: { ideal: 1920 }, height: { ideal: 1080 } };
  try {
    return await navigator.mediaDevices.getUserMedia({ audio: false, video: { facingMode: { ideal: facing }, ...size } });
  } catch (err) {
    const name = (err as { name?: string }).name ?? '';
    if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') throw new CameraError('DENIED');
    if (name === 'NotReadableError' || name === 'TrackStartError' || name === 'AbortError') throw new CameraError('IN_USE');
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

function canvasToBlob(canvas: HTMLCanvasElement, type: string, quality: number): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('could not encode the image'))), type, quality));
}

/** The current video frame as a JPEG, scaled down to at most maxWidth pixels wide (never mirrored). */
export function grabFrame(video: HTMLVideoElement, maxWidth: number, quality: number): Promise<Blob> {
  const scale = Math.min(1, maxWidth / (video.videoWidth || maxWidth));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round((video.videoWidth || 640) * scale));
  canvas.height = Math.max(1, Math.round((video.videoHeight || 480) * scale));
  canvas.getContext('2d')!.drawImage(video, 0, 0, canvas.width, canvas.height);
  return canvasToBlob(canvas, 'image/jpeg', quality);
}

const ACCEPTED = ['image/jpeg', 'image/png', 'image/webp'];
const MAX_BYTES = 8 * 1024 * 1024;
const MAX_SIDE = 3000;

/**
 * A chosen file as the server accepts it: kept as is when it is already a reasonably sized JPEG/PNG/WebP,
 * otherwise decoded by the browser and re-encoded as JPEG (HEIC on Safari, huge camera photos).
 * Throws when the browser cannot decode it.
 */
export async function prepareFile(file: File): Promise<Blob> {
  if (ACCEPTED.includes(file.type) && file.size <= MAX_BYTES) return file;
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return canvasToBlob(canvas, 'image/jpeg', 0.92);
}
