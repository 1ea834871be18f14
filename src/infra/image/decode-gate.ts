import { FaceEngineError } from '../../domain/ports/face-engine.port.js';

/**
 * Admits image work by its estimated decoding memory (decodeCost), so the images being decoded at once in a
 * process never need more than `budgetBytes` together, whatever the number of threads that decode them. Work
 * that does not fit waits in arrival order, at most `maxWaiting` images; beyond that the caller is refused at once
 * with ENGINE_OVERLOADED (503 with Retry-After over HTTP, a later retry for jobs) instead of piling up uploads in
 * memory. Arrival order means a large image is never starved by a stream of small ones.
 */
export class DecodeGate {
  private used = 0;
  private readonly waiting: { cost: number; admit: () => void }[] = [];

  constructor(
    readonly budgetBytes: number,
    readonly maxWaiting: number,
  ) {}

  /** Estimated bytes of the work running now. */
  get inFlightBytes(): number {
    return this.used;
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  async run<T>(cost: number, work: () => Promise<T>): Promise<T> {
    // One image alone may always run: the per-image limit (DecodeLimits.maxDecodeBytes) is what refuses more.
    const share = Math.min(Math.max(0, cost), this.budgetBytes);
    if (this.waiting.length || this.used + share > this.budgetBytes) {
      if (this.waiting.length >= this.maxWaiting) {
        throw new FaceEngineError(
          'ENGINE_OVERLOADED',
          `image decoding is at capacity (${this.waiting.length} images waiting)`,
        );
      }
      await new Promise<void>((admit) => this.waiting.push({ cost: share, admit }));
    } else {
      this.used += share;
    }
    try {
      return await work();
    } finally {
      this.used -= share;
      this.admitWaiting();
    }
  }

  private admitWaiting(): void {
    while (this.waiting.length && this.used + this.waiting[0]!.cost <= this.budgetBytes) {
      const next = this.waiting.shift()!;
      this.used += next.cost;
      next.admit();
    }
  }
}
