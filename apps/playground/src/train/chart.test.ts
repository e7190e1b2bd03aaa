import { describe, expect, it } from 'vitest';
import { chartGeometry, niceTicks, smooth, thin } from './chart.js';

describe('chart geometry', () => {
  it('picks round ticks', () => {
    expect(niceTicks(0, 40, 5)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.5, 1]);
    expect(niceTicks(2.61, 2.93, 4)).toEqual([2.7, 2.8, 2.9]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });
  it('thins long series to every k-th point, keeping the last', () => {
    const points = Array.from({ length: 1001 }, (_, i) => i);
    const thinned = thin(points, 100);
    expect(thinned.length).toBeLessThanOrEqual(101);
    expect(thinned.at(-1)).toBe(1000);
    expect(thin([1, 2, 3], 100)).toEqual([1, 2, 3]);
  });
  it('smooths with an exponential moving average', () => {
    expect(
      smooth(
        [
          [1, 2],
          [2, 4],
        ],
        0.5,
      ),
    ).toEqual([
      [1, 2],
      [2, 3],
    ]);
  });
  it('maps data into the plot area, y up', () => {
    const g = chartGeometry(
      [
        {
          className: 'a',
          points: [
            [0, 0],
            [10, 1],
          ],
        },
      ],
      { width: 200, height: 100, yMin: 0, yMax: 1, xMax: 10 },
    );
    const { left, right, top, bottom } = g.plot;
    expect(g.paths[0]!.d).toBe(`M${left},${bottom}L${right},${top}`);
    expect(g.yTicks.map((t) => t.value)).toEqual([0, 0.5, 1]);
    expect(g.yTicks.map((t) => t.at)).toEqual([bottom, (top + bottom) / 2, top]);
  });
  it('copes with one point, no points and non-finite values', () => {
    const g = chartGeometry(
      [
        {
          className: 'a',
          points: [
            [1, 2.5],
            [2, Number.NaN],
          ],
        },
        { className: 'b', points: [] },
      ],
      { width: 200, height: 100 },
    );
    expect(g.paths).toHaveLength(1);
    expect(g.paths[0]!.d).toMatch(/^M[\d.]+,[\d.]+$/);
    expect(g.yTicks.length).toBeGreaterThan(0);
  });
});
