import type { CameraProblem } from '../camera.js';
import type { FlowContext } from '../context.js';
import { button, h, notice } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { cameraHelp } from '../messages.js';

export interface CameraProblemView {
  message: HTMLElement;
  buttons: HTMLButtonElement[];
}

/**
 * What a capture screen shows when the camera cannot be used: how to fix it, and the ways on (an upload where the
 * capture allows one, trying the camera again, leaving). A live-only capture (a liveness selfie) says why no file
 * will do, so the user is not left looking for an upload that will never come.
 */
export function cameraProblemView(
  ctx: FlowContext,
  problem: CameraProblem,
  options: { retry: () => void; upload: (() => HTMLButtonElement) | null; liveOnly: boolean },
): CameraProblemView {
  ctx.progress(problem === 'DENIED' ? 'CAMERA_DENIED' : 'CAMERA_UNAVAILABLE');
  const allowUpload = options.upload !== null;
  const canRetry = problem !== 'UNSUPPORTED';
  const text: string[] = [cameraHelp(problem)];
  if (!allowUpload && (problem === 'NO_CAMERA' || problem === 'UNSUPPORTED')) text.push(cameraHelp('NEEDS_CAMERA'));
  else if (allowUpload) text.push(t('capture.canUpload'));
  else if (options.liveOnly) text.push(t('selfie.cameraOnly'));
  const { leave, leaveLabel } = ctx.exits;
  return {
    message: notice(problem === 'DENIED' ? 'warning' : 'error', ...text.map((line) => h('p', {}, line))),
    buttons: [
      ...(options.upload ? [options.upload()] : []),
      ...(canRetry
        ? [
            button(t('capture.tryCameraAgain'), options.retry, allowUpload ? 'secondary' : 'primary', {
              id: 'retry-camera',
            }),
          ]
        : []),
      ...(!allowUpload && leave
        ? [
            button(leaveLabel, () => leave(problem === 'DENIED' ? 'CAMERA_DENIED' : 'CAMERA_UNAVAILABLE'), 'link', {
              id: 'camera-leave',
            }),
          ]
        : []),
    ],
  };
}
