import type { FaceIndexHit } from '../../domain/ports/face-index.port.js';

/**
 * One pool's search structure. Vectors handed in are already validated and unit length (the facade
 * normalises once), and keys already checked, so implementations only store and search.
 */
export interface PoolIndex {
  readonly kind: 'exact' | 'scan';
  readonly size: number;
  has(key: number): boolean;
  /** Adds or replaces one face. */
  add(key: number, unit: Float32Array): void;
  /** Adds or replaces rows; `units` holds keys.length unit vectors. Later duplicates of a key win. */
  addMany(keys: ArrayLike<number>, units: Float32Array): void;
  remove(key: number): boolean;
  search(unitProbe: Float32Array, k: number): FaceIndexHit[];
  bytes(): number;
}
