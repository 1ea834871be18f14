import { describe, expect, it } from 'vitest';
import { cellEdge, fitCells, type CellGrid, type InkMap } from './ocrb-cells.js';

// A 44-character line photographed at an angle: the pitch shrinks from 42.6 to 40.4 px along it.
const COUNT = 44;
const truth: CellGrid = { count: COUNT, pitch: 41.5, x0: 30, curve: -0.025, borderInk: 0 };

function lineMap(): { map: InkMap; geo: { top: number; bottom: number; left: number; right: number } } {
  const width = Math.ceil(cellEdge(truth, COUNT)) + 40;
  const height = 60;
  const data = new Float32Array(width * height);
  for (let i = 0; i < COUNT; i++) {
    const a = cellEdge(truth, i);
    const b = cellEdge(truth, i + 1);
    const p = b - a;
    for (let x = Math.round(a + 0.15 * p); x < Math.round(b - 0.17 * p); x++)
      for (let y = 14; y < 46; y++) data[y * width + x] = 1;
  }
  const left = Math.round(cellEdge(truth, 0) + 0.15 * 42.6);
  const right = Math.round(cellEdge(truth, COUNT) - 0.17 * 40.4);
  return { map: { width, height, data }, geo: { top: 14, bottom: 46, left, right } };
}

describe('fitCells', () => {
  it('follows a pitch that changes along the line', () => {
    const { map, geo } = lineMap();
    const grid = fitCells(map, geo, COUNT);
    for (let i = 0; i <= COUNT; i += 11)
      expect(Math.abs(cellEdge(grid, i) - cellEdge(truth, i))).toBeLessThan(0.2 * 41.5);
  });
});
