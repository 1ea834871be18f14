import type { ZoomChallenge, ZoomFrameAnswer, ZoomStep } from '../api.js';
import { announce, h } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { zoomCue, zoomFaceAdvice, zoomPrompt } from '../messages.js';

/**
 * What the user sees during the guided challenge: the mirrored preview in an oval (larger for NEAR), one large
 * prompt for the current step, the steps met so far, and face guidance. The prompt is an assertive live region
 * (a step has a deadline, so it must not wait behind other speech) and carries the step as data-zoom-step; the
 * progress is a progressbar with its values; the guidance is polite and changes only when the advice does.
 */
export class ZoomView {
  readonly root: HTMLElement;
  private readonly area = h('div', { class: 'zoom-area' });
  private readonly cue = h('span', { class: 'zoom-cue', 'aria-hidden': 'true' });
  private readonly text = h('span', { class: 'zoom-text' });
  private readonly prompt = h(
    'p',
    { class: 'zoom-prompt', id: 'zoom-prompt', 'aria-live': 'assertive', 'aria-atomic': 'true' },
    this.cue,
    this.text,
  );
  private readonly segments = h('div', { class: 'zoom-segments', 'aria-hidden': 'true' });
  private readonly progressLabel = h('p', { class: 'zoom-progress-label', 'aria-hidden': 'true' });
  private readonly progress = h(
    'div',
    {
      class: 'zoom-progress',
      id: 'zoom-progress',
      role: 'progressbar',
      'aria-label': t('zoom.progressLabel'),
      'aria-valuemin': 0,
      hidden: true,
    },
    this.segments,
    this.progressLabel,
  );
  private readonly face = h('p', { class: 'feedback zoom-face', id: 'zoom-face', 'aria-live': 'polite' });
  private guide: HTMLElement | null = null;
  private stepIndex = -1;
  private total = 0;
  private flash = 0;

  constructor() {
    this.root = h('div', { class: 'zoom' }, this.area, this.prompt, this.progress, this.face);
  }

  cameraStarting(): void {
    this.area.replaceChildren(h('p', { class: 'status', role: 'status' }, t('capture.startingCamera')));
    this.say('');
  }

  cameraUnavailable(): void {
    this.area.replaceChildren();
    this.say('');
    this.progress.hidden = true;
  }

  showVideo(stream: MediaStream): HTMLVideoElement {
    const video = h('video', {
      autoplay: true,
      playsinline: true,
      muted: true,
      class: 'mirrored',
      'aria-label': t('capture.previewFace'),
    });
    video.muted = true;
    video.srcObject = stream;
    this.guide = h('div', { class: 'guide guide-oval', 'aria-hidden': 'true' });
    this.area.replaceChildren(h('div', { class: 'viewfinder viewfinder-oval' }, video, this.guide));
    return video;
  }

  ready(): void {
    this.say(t('zoom.ready'));
  }

  starting(): void {
    this.say(t('zoom.starting'));
    this.setFace('');
  }

  begin(challenge: ZoomChallenge): void {
    this.total = challenge.steps_total;
    this.stepIndex = -1;
    this.segments.replaceChildren(...Array.from({ length: this.total }, () => h('span', { class: 'zoom-segment' })));
    this.setProgress(0);
    this.progress.hidden = false;
    this.setStep(challenge.step);
  }

  update(answer: ZoomFrameAnswer): void {
    if (answer.steps_total > 0 && answer.steps_total !== this.total) {
      this.total = answer.steps_total;
      this.segments.replaceChildren(...Array.from({ length: this.total }, () => h('span', { class: 'zoom-segment' })));
    }
    this.setProgress(answer.steps_met);
    if (answer.step_met) this.flashMet();
    if (answer.state === 'IN_PROGRESS' && answer.step && answer.step.index !== this.stepIndex)
      this.setStep(answer.step);
    this.setFace(answer.face && answer.face !== 'OK' ? zoomFaceAdvice(answer.face) : '');
  }

  /** The attempt is over: no step is asked any more. */
  end(): void {
    this.prompt.removeAttribute('data-zoom-step');
    this.guide?.classList.remove('guide-near');
    this.setFace('');
  }

  /** The attempt failed: the notice below says why; a count of moves met would only confuse. */
  retry(): void {
    this.say('');
    this.progress.hidden = true;
  }

  passed(): void {
    this.setProgress(this.total);
    this.say(t('zoom.passed'));
    announce(t('zoom.passed'));
  }

  private setStep(step: ZoomStep): void {
    this.stepIndex = step.index;
    this.prompt.hidden = false;
    this.prompt.classList.remove('quiet');
    this.prompt.setAttribute('data-zoom-step', step.kind);
    this.cue.textContent = zoomCue(step.kind);
    this.text.textContent = zoomPrompt(step.kind);
    this.guide?.classList.toggle('guide-near', step.kind === 'NEAR');
  }

  private say(text: string): void {
    this.prompt.removeAttribute('data-zoom-step');
    this.cue.textContent = '';
    if (this.text.textContent !== text) this.text.textContent = text;
    this.prompt.hidden = text === '';
    // Only a step's instruction is large: the rest ("press Start") must not push the preview off a phone's screen.
    this.prompt.classList.add('quiet');
  }

  private setProgress(met: number): void {
    const done = Math.max(0, Math.min(met, this.total));
    this.progress.setAttribute('aria-valuemax', String(this.total));
    this.progress.setAttribute('aria-valuenow', String(done));
    const label = t('zoom.progress', { done, total: this.total });
    this.progress.setAttribute('aria-valuetext', label);
    this.progressLabel.textContent = label;
    Array.from(this.segments.children).forEach((s, i) => s.classList.toggle('done', i < done));
  }

  private setFace(text: string): void {
    if (this.face.textContent !== text) this.face.textContent = text;
  }

  /** The oval turns green for a moment when a step is met: a sign that does not depend on reading. */
  private flashMet(): void {
    const guide = this.guide;
    if (!guide) return;
    guide.classList.add('ok');
    window.clearTimeout(this.flash);
    this.flash = window.setTimeout(() => guide.classList.remove('ok'), 700);
  }
}
