// Tests of the AdamW launch planner and the moment layout (pure): packing by shared buffers,
// splitting by binding size, segment and block bookkeeping.

import { describe, expect, it } from 'vitest';
import { type PlanItem, planAdamW } from './adamw-plan.js';
import { layoutMoments } from './moment-arena.js';

const P = { name: 'params' };
const G = { name: 'grads' };
const limits = { spanElements: 1000, maxSegments: 3, blockElements: 100 };

function item(numel: number, offset: number, buffers: [object, object] = [P, G], chunk = 0): PlanItem {
  return {
    numel,
    param: { buffer: buffers[0], offset },
    grad: { buffer: buffers[1], offset: offset + 7 },
    state: { chunk, offset },
    decays: numel % 2 === 0,
  };
}

describe('planAdamW', () => {
  it('packs items sharing buffers into one launch with a segment table', () => {
    const [launch, ...rest] = planAdamW([item(150, 0), item(3, 200), item(250, 300)], limits);
    expect(rest).toEqual([]);
    expect(launch!.param).toEqual({ buffer: P, begin: 0, end: 550 });
    expect(launch!.grad).toEqual({ buffer: G, begin: 7, end: 557 });
    expect(launch!.segments.map((s) => [s.firstBlock, s.numel, s.param, s.grad, s.decays])).toEqual([
      [0, 150, 0, 7, true],
      [2, 3, 200, 207, false],
      [3, 250, 300, 307, true],
    ]);
    expect(launch!.blocks).toBe(6);
  });

  it('starts a new launch for other buffers, a full segment table or a span over the limit', () => {
    const other = { name: 'other' };
    expect(planAdamW([item(10, 0), item(10, 0, [other, G])], limits)).toHaveLength(2);
    expect(planAdamW([item(10, 0), item(10, 0, [P, G], 1)], limits)).toHaveLength(2);
    expect(planAdamW([item(1, 0), item(1, 10), item(1, 20), item(1, 30)], limits)).toHaveLength(2);
    expect(planAdamW([item(600, 0), item(600, 600)], limits)).toHaveLength(2);
  });

  it('splits an item larger than a span into pieces', () => {
    const launches = planAdamW([item(2500, 40)], limits);
    expect(launches.flatMap((l) => l.segments.map((s) => [s.param, s.numel]))).toEqual([
      [40, 1000],
      [1040, 1000],
      [2040, 500],
    ]);
    expect(launches.every((l) => l.param.end - l.param.begin <= limits.spanElements)).toBe(true);
  });

  it('skips empty items', () => {
    expect(planAdamW([item(0, 0)], limits)).toEqual([]);
  });
});

describe('layoutMoments', () => {
  it('lays parameters out at 64-element boundaries in chunks of at most chunkElements', () => {
    const { sizes, slots } = layoutMoments([10, 70, 5, 300, 2000, 1], 400);
    expect(slots.map((s) => [s.chunk, s.offset])).toEqual([
      [0, 0],
      [0, 64],
      [0, 192],
      [1, 0],
      [2, 0],
      [3, 0],
    ]);
    expect(sizes).toEqual([197, 300, 2000, 1]);
  });
});
