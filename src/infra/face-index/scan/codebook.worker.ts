import { parentPort, workerData } from 'node:worker_threads';
import { type CodeShape, learnCode } from './scan-codebook.js';

// Learns one scan pool's code off the main thread (codebook-training.ts) and exits.

interface Data {
  rows: Float32Array;
  count: number;
  dimensions: number;
  shape: CodeShape;
}

const { rows, count, dimensions, shape } = workerData as Data;
parentPort!.postMessage(learnCode(rows, count, dimensions, shape));
