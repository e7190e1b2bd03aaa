// Tests of the learning-rate schedules: the documented formulas at their key points, continuity
// and monotonicity, and typed errors for bad options and steps.

import { InvalidArgumentError } from '@mamba-webgpu/tensor';
import { describe, expect, it } from 'vitest';
import { constantSchedule, cosineSchedule, lrSchedule } from './lr-schedule.js';

describe('learning-rate schedules', () => {
  it('constant: linear warmup over W steps, then lr', () => {
    const schedule = constantSchedule({ lr: 1e-3, warmupSteps: 4 });
    expect([0, 1, 2, 3, 4, 100].map(schedule)).toEqual([2.5e-4, 5e-4, 7.5e-4, 1e-3, 1e-3, 1e-3]);
    expect(constantSchedule({ lr: 0.1 })(0)).toBe(0.1);
  });

  it('cosine: warmup, half the way at the midpoint, minLr from totalSteps on', () => {
    const schedule = cosineSchedule({ lr: 1, minLr: 0.1, warmupSteps: 10, totalSteps: 110 });
    expect(schedule(0)).toBeCloseTo(0.1, 12);
    expect(schedule(9)).toBe(1);
    expect(schedule(10)).toBe(1);
    expect(schedule(60)).toBeCloseTo(0.55, 12);
    expect(schedule(109)).toBeCloseTo(0.1 + 0.45 * (1 + Math.cos(Math.PI * 0.99)), 12);
    expect(schedule(110)).toBe(0.1);
    expect(schedule(1000)).toBe(0.1);
    for (let t = 10; t < 200; t++) expect(schedule(t + 1)).toBeLessThanOrEqual(schedule(t));
    for (let t = 0; t < 9; t++) expect(schedule(t + 1)).toBeGreaterThan(schedule(t));
  });

  it('cosine without warmup starts at lr; all-warmup ends at minLr', () => {
    expect(cosineSchedule({ lr: 2, totalSteps: 5 })(0)).toBe(2);
    const allWarmup = cosineSchedule({ lr: 1, warmupSteps: 3, totalSteps: 3 });
    expect([0, 1, 2, 3].map(allWarmup)).toEqual([1 / 3, 2 / 3, 1, 0]);
    expect(lrSchedule('constant', { lr: 1, totalSteps: 3 })(2)).toBe(1);
  });

  it('refuses bad options and steps with typed errors', () => {
    const bad = (run: () => unknown, pattern: RegExp) => {
      expect(run).toThrow(InvalidArgumentError);
      expect(run).toThrow(pattern);
    };
    bad(
      () => constantSchedule({ lr: Number.NaN }),
      /^constantSchedule: lr must be a finite number >= 0, got NaN/,
    );
    bad(
      () => constantSchedule({ lr: 1, warmupSteps: 1.5 }),
      /^constantSchedule: warmupSteps must be an integer >= 0/,
    );
    bad(
      () => cosineSchedule({ lr: 1, totalSteps: 0 }),
      /^cosineSchedule: totalSteps must be an integer >= 1, got 0/,
    );
    bad(() => cosineSchedule({ lr: 1, minLr: 2, totalSteps: 5 }), /^cosineSchedule: minLr must be <= lr/);
    bad(
      () => cosineSchedule({ lr: 1, warmupSteps: 6, totalSteps: 5 }),
      /^cosineSchedule: warmupSteps must be <= totalSteps/,
    );
    bad(() => constantSchedule({ lr: 1 })(-1), /^constantSchedule: step must be an integer >= 0, got -1/);
    bad(() => lrSchedule('linear' as 'cosine', { lr: 1, totalSteps: 1 }), /^lrSchedule: kind must be/);
  });
});
