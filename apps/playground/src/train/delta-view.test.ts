import { describe, expect, it } from 'vitest';
import { deltaScale, logPosition, meanByRole, tokenRoles } from './delta-view.js';

describe('Δ view helpers', () => {
  it('names Selective Copying tokens: noise 0, marker vocab - 1, data else', () => {
    const roles = tokenRoles(
      { task: 'selective-copying', vocabSize: 16 },
      Int32Array.of(0, 3, 0, 14, 15, 15),
    );
    expect(roles).toEqual(['noise', 'data', 'noise', 'data', 'marker', 'marker']);
  });
  it('names the Induction Heads key, its value and the query', () => {
    const roles = tokenRoles({ task: 'induction-heads', vocabSize: 16 }, Int32Array.of(4, 15, 7, 2, 15));
    expect(roles).toEqual(['ordinary', 'key', 'value', 'ordinary', 'query']);
  });
  it('averages per role', () => {
    const means = meanByRole(Float32Array.of(1, 2, 3, 5), ['noise', 'data', 'noise', 'data']);
    expect(means).toEqual([
      ['noise', 2],
      ['data', 3.5],
    ]);
  });
  it('widens a flat row to a decade and places values on a log scale', () => {
    const [lo, hi] = deltaScale(Float32Array.of(0.02, 0.021));
    expect(hi / lo).toBeCloseTo(10);
    expect(Math.sqrt(lo * hi)).toBeCloseTo(Math.sqrt(0.02 * 0.021), 6);
    const [wideLo, wideHi] = deltaScale(Float32Array.of(0.01, 1));
    expect([wideLo, wideHi].map((v) => v.toPrecision(6))).toEqual(['0.0100000', '1.00000']);
    expect(logPosition(0.1, 0.01, 1)).toBeCloseTo(0.5);
    expect(logPosition(5, 0.01, 1)).toBe(1);
  });
});
