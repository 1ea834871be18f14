import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';

// usearch's JavaScript wrapper converts every vector to Float32Array before it reaches the native index,
// whatever typed array it is given, and the native float→int8 cast then rescales to norm 127 and
// truncates: a 512-d face embedding keeps only about ±5 levels per component (similarity errors up to
// ~0.02 measured). The native class itself accepts Int8Array, so the HNSW pool talks to it directly with
// vectors it has quantised itself (embedding.math.ts). The native API used here is the one the wrapper
// calls (usearch/javascript/lib.cpp, 2.25): a test fails if a usearch upgrade changes the behaviour.

export interface NativeUsearchIndex {
  add(keys: BigUint64Array, vectors: Int8Array | Float32Array, threads: number): void;
  search(queries: Int8Array | Float32Array, k: number, threads: number): [BigUint64Array, Float32Array, BigUint64Array];
  contains(keys: BigUint64Array): boolean[];
  remove(keys: BigUint64Array): number[];
  size(): number;
  capacity(): number;
  dimensions(): number;
  connectivity(): number;
}

interface NativeModule {
  CompiledIndex: new (
    dimensions: number,
    metric: string,
    quantization: string,
    connectivity: number,
    expansionAdd: number,
    expansionSearch: number,
    multi: boolean,
  ) => NativeUsearchIndex;
}

let cached: NativeModule | undefined;

function nativeModule(): NativeModule {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  // The package entry is <root>/javascript/dist/cjs/usearch.js; the prebuilt binaries sit under <root>.
  const entry = require.resolve('usearch');
  const root = resolve(dirname(entry), '..', '..', '..');
  const fromUsearch = createRequire(entry);
  const load = fromUsearch('node-gyp-build') as (dir: string) => NativeModule;
  cached = load(root);
  if (typeof cached.CompiledIndex !== 'function') throw new Error('face index: usearch native module has no CompiledIndex');
  return cached;
}

export interface NativeIndexConfig {
  dimensions: number;
  metric: 'cos' | 'ip';
  quantization: 'i8' | 'f16' | 'f32';
  connectivity: number;
  expansionAdd: number;
  expansionSearch: number;
}

export function createNativeIndex(config: NativeIndexConfig): NativeUsearchIndex {
  const { CompiledIndex } = nativeModule();
  return new CompiledIndex(
    config.dimensions,
    config.metric,
    config.quantization,
    config.connectivity,
    config.expansionAdd,
    config.expansionSearch,
    false,
  );
}
