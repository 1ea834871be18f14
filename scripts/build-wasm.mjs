// Assembles the WebAssembly text kernels into TypeScript modules holding their bytes (base64), so the
// index can instantiate them synchronously and no build step is needed before tests run from sources.
// Run after editing a .wat file: npm run build:wasm (wabt is a dev dependency).
import { readFileSync, writeFileSync } from 'node:fs';
import wabtInit from 'wabt';

export const KERNELS = ['src/infra/face-index/scan/scan-kernel.wat'];

export async function assemble(watPath) {
  const wabt = await wabtInit();
  const module = wabt.parseWat(watPath, readFileSync(watPath, 'utf8'), { simd: true, threads: true });
  try {
    // No module.validate(): wabt's validator ignores the features given to parseWat and rejects shared
    // memory. V8 validates the bytes when the index compiles them (and the kernel's unit test does).
    return Buffer.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

export function moduleSource(watPath, bytes) {
  const name = watPath.split('/').pop();
  return `// Generated from ${name} by scripts/build-wasm.mjs; do not edit.\nexport const WASM_BASE64 =\n  '${bytes.toString('base64')}';\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const wat of KERNELS) {
    const out = wat.replace(/\.wat$/, '.wasm.ts');
    writeFileSync(out, moduleSource(wat, await assemble(wat)));
    console.log(`wrote ${out}`);
  }
}
