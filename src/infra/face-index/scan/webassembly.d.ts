// The part of the WebAssembly JavaScript API the scan kernel uses. Node provides it at run time; the server
// build compiles without the DOM library, which is where TypeScript declares it.
declare global {
  namespace WebAssembly {
    class Module {
      constructor(bytes: BufferSource);
    }
    class Instance {
      constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
      readonly exports: Record<string, unknown>;
    }
    class Memory {
      constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
      readonly buffer: ArrayBuffer | SharedArrayBuffer;
      grow(delta: number): number;
    }
  }
}
export {};
