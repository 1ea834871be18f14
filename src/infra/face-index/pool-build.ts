import { ExactPoolIndex } from './exact-pool.index.js';
import type { FaceIndexOptions } from '../../config/face-index-options.js';
import { addManyGrowing, promoteNow } from './pool-growth.js';
import type { PoolIndex } from './pool-index.types.js';

/**
 * A pool index being built off to the side (promotion to a scan pool, or a rebuild fed from the database) while
 * the live one keeps serving. Changes made to the live pool meanwhile are mirrored here and their keys
 * remembered as touched: a row fed later for a touched key is older than the live change and is skipped,
 * so a face removed during the build cannot come back when the build is swapped in.
 */
export class PoolBuild {
  private readonly touched = new Set<number>();
  private state: 'open' | 'finished' | 'aborted' = 'open';

  constructor(
    private target: PoolIndex,
    private readonly optionsOf: () => Readonly<FaceIndexOptions>,
    readonly origin: 'promotion' | 'rebuild',
  ) {}

  get isOpen(): boolean {
    return this.state === 'open';
  }

  get bytes(): number {
    return this.target.bytes();
  }

  isTouched(key: number): boolean {
    return this.touched.has(key);
  }

  mirrorAdd(key: number, unit: Float32Array): void {
    this.touched.add(key);
    if (
      this.target instanceof ExactPoolIndex &&
      !this.target.has(key) &&
      this.target.size >= this.optionsOf().exactLimit
    ) {
      this.target = promoteNow(this.target, this.optionsOf());
    }
    this.target.add(key, unit);
  }

  mirrorAddMany(keys: ArrayLike<number>, units: Float32Array): void {
    for (let i = 0; i < keys.length; i++) this.touched.add(keys[i]!);
    this.target = addManyGrowing(this.target, keys, units, this.optionsOf());
  }

  mirrorRemove(key: number): void {
    this.touched.add(key);
    this.target.remove(key);
  }

  /** Rows from the build's source; rows of touched keys are dropped. */
  feed(keys: ArrayLike<number>, units: Float32Array): void {
    this.assertOpen();
    const dim = this.optionsOf().dimensions;
    let keep: number[] | undefined;
    for (let i = 0; i < keys.length; i++) {
      if (this.touched.has(keys[i]!)) {
        keep ??= Array.from({ length: i }, (_, j) => j);
      } else if (keep) {
        keep.push(i);
      }
    }
    if (!keep) {
      this.target = addManyGrowing(this.target, keys, units, this.optionsOf());
      return;
    }
    if (keep.length === 0) return;
    const k = new Float64Array(keep.length);
    const u = new Float32Array(keep.length * dim);
    keep.forEach((row, i) => {
      k[i] = keys[row]!;
      u.set(units.subarray(row * dim, (row + 1) * dim), i * dim);
    });
    this.target = addManyGrowing(this.target, k, u, this.optionsOf());
  }

  finish(): PoolIndex {
    this.assertOpen();
    this.state = 'finished';
    return this.target;
  }

  abort(): void {
    if (this.state === 'open') this.state = 'aborted';
  }

  private assertOpen(): void {
    if (this.state !== 'open')
      throw new Error(
        `face index: this ${this.origin} was ${this.state === 'aborted' ? 'aborted or superseded' : 'already committed'}`,
      );
  }
}
