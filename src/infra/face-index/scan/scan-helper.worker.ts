import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { Ctrl, instantiateScanKernel, readJob, runPart, type ScanKernel } from './scan-kernel.js';

// A scan helper thread: waits on its control block, runs its part of a search (scan a range of the pool, then
// collect and refine the range's best rows) and signals completion. Memories arrive on the port
// (attach/detach) and are read synchronously on wake-up, because the thread never returns to its event loop.

interface Data {
  ctrl: SharedArrayBuffer;
  port: MessagePort;
  module: WebAssembly.Module;
}
type Message = { attach: number; memory: WebAssembly.Memory } | { detach: number };

const { ctrl, port, module } = workerData as Data;
const c = new Int32Array(ctrl);
const kernels = new Map<number, ScanKernel>();
// Read the job number before announcing readiness: the caller starts jobs only after it sees `ready`.
let seen = Atomics.load(c, Ctrl.seq);
Atomics.store(c, Ctrl.ready, 1);
for (;;) {
  Atomics.wait(c, Ctrl.seq, seen);
  seen = Atomics.load(c, Ctrl.seq);
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const msg = m.message as Message;
    if ('attach' in msg) kernels.set(msg.attach, instantiateScanKernel(msg.memory, module));
    else kernels.delete(msg.detach);
  }
  const id = Atomics.load(c, Ctrl.memory);
  if (id < 0) break;
  let status = 1;
  const kernel = kernels.get(id);
  if (kernel) {
    try {
      c[Ctrl.found] = runPart(kernel, readJob(c));
      status = 0;
    } catch {
      status = 1;
    }
  }
  Atomics.store(c, Ctrl.status, status);
  Atomics.store(c, Ctrl.done, seen);
  Atomics.notify(c, Ctrl.done);
}
port.close();
