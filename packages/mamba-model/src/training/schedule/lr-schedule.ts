// Learning-rate schedules: pure functions of the step index t (0 for the first optimizer step).
//   warmup (t < W):          lr * (t + 1) / W            (the first step already learns; t = W-1 reaches lr)
//   constant (t >= W):       lr
//   cosine (W <= t < T):     minLr + (lr - minLr) * (1 + cos(pi * (t - W) / (T - W))) / 2
//   cosine (t >= T):         minLr
// (llm.c's and nanoGPT's form.) Pass `schedule(t)` as `AdamW.step(grads, { lr })`.

import { InvalidArgumentError } from '@mamba-webgpu/tensor';
import { checkLr } from '../optimizer/adamw-options.js';
import { checkInteger } from '../validate.js';
import { describeJson } from '../../loading/json.js';

/** The learning rate of step t (0-based). */
export type LrSchedule = (step: number) => number;

/** Options of `constantSchedule`. */
export interface ConstantScheduleOptions {
  /** The learning rate after warmup. */
  lr: number;
  /** Steps of linear warmup; default 0. */
  warmupSteps?: number;
}

/** Options of `cosineSchedule`. */
export interface CosineScheduleOptions extends ConstantScheduleOptions {
  /** Steps of the whole run (T): the decay ends at minLr there. */
  totalSteps: number;
  /** The floor of the decay, in [0, lr]; default 0. */
  minLr?: number;
}

/** The schedule names the CLI accepts (`--schedule`). */
export type LrScheduleKind = 'constant' | 'cosine';

function warmup(caller: string, options: ConstantScheduleOptions): { lr: number; warmupSteps: number } {
  return {
    lr: checkLr(caller, options.lr),
    warmupSteps: checkInteger(caller, 'warmupSteps', options.warmupSteps ?? 0, 0),
  };
}

function checkStep(caller: string, step: number): number {
  return checkInteger(caller, 'step', step, 0);
}

/** lr after `warmupSteps` of linear warmup. */
export function constantSchedule(options: ConstantScheduleOptions): LrSchedule {
  const fn = 'constantSchedule';
  const { lr, warmupSteps } = warmup(fn, options);
  return (step) => {
    checkStep(fn, step);
    return step < warmupSteps ? (lr * (step + 1)) / warmupSteps : lr;
  };
}

/** Linear warmup to lr, then cosine decay to minLr at totalSteps (minLr after). */
export function cosineSchedule(options: CosineScheduleOptions): LrSchedule {
  const fn = 'cosineSchedule';
  const { lr, warmupSteps } = warmup(fn, options);
  const totalSteps = checkInteger(fn, 'totalSteps', options.totalSteps, 1);
  const minLr = checkLr(fn, options.minLr ?? 0, 'minLr');
  if (minLr > lr) throw new InvalidArgumentError(`${fn}: minLr must be <= lr (${lr}), got ${minLr}`, 'minLr');
  if (warmupSteps > totalSteps) {
    throw new InvalidArgumentError(
      `${fn}: warmupSteps must be <= totalSteps (${totalSteps}), got ${warmupSteps}`,
      'warmupSteps',
    );
  }
  return (step) => {
    checkStep(fn, step);
    if (step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
    if (step >= totalSteps) return minLr;
    const progress = (step - warmupSteps) / (totalSteps - warmupSteps);
    return minLr + ((lr - minLr) * (1 + Math.cos(Math.PI * progress))) / 2;
  };
}

/** The schedule called `kind` (`--schedule constant|cosine`). */
export function lrSchedule(kind: LrScheduleKind, options: CosineScheduleOptions): LrSchedule {
  if (kind === 'constant') return constantSchedule(options);
  if (kind === 'cosine') return cosineSchedule(options);
  throw new InvalidArgumentError(
    `lrSchedule: kind must be "constant" or "cosine", got ${describeJson(kind)}`,
    'kind',
  );
}
