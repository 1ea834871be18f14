// Types of build-wasm.mjs for the kernel's unit test.
export declare const KERNELS: string[];
export declare function assemble(watPath: string): Promise<Buffer>;
export declare function moduleSource(watPath: string, bytes: Buffer): string;
