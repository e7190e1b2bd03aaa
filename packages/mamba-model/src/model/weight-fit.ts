// Before any weight is allocated: does the model fit the adapter and the caller's memory budget in
// the dtype asked for? If not, a ModelTooLargeError that says how much is needed, what limit it
// passes, and which weight dtypes would fit.

import { type GpuContext, InvalidArgumentError } from '@mamba-webgpu/tensor';
import type { CheckpointTensor } from '../loading/checkpoint.js';
import { ModelTooLargeError } from '../loading/errors.js';
import { formatBytes } from '../loading/progress.js';
import { WEIGHT_DTYPES, type WeightDType, type WeightPlan, planWeights } from './weights.js';

/** Throws InvalidArgumentError unless `dtype` is undefined or one of WEIGHT_DTYPES. */
export function checkWeightDType(caller: string, dtype: unknown): asserts dtype is WeightDType | undefined {
  if (dtype !== undefined && !WEIGHT_DTYPES.includes(dtype as WeightDType)) {
    throw new InvalidArgumentError(
      `${caller}: dtype must be one of ${WEIGHT_DTYPES.map((d) => `'${d}'`).join(', ')}, got ${typeof dtype === 'string' ? `'${dtype}'` : String(dtype)}`,
      'dtype',
    );
  }
}

/** Throws InvalidArgumentError unless `budget` is undefined or a positive finite number of bytes. */
export function checkMemoryBudget(caller: string, budget: unknown): asserts budget is number | undefined {
  if (budget !== undefined && !(typeof budget === 'number' && Number.isFinite(budget) && budget > 0)) {
    throw new InvalidArgumentError(
      `${caller}: memoryBudgetBytes must be a positive number of bytes, got ${String(budget)}`,
      'memoryBudgetBytes',
    );
  }
}

/** Why `plan` does not fit, or undefined when it does. */
function overLimit(plan: WeightPlan, maxBufferSize: number, budget: number | undefined): string | undefined {
  if (plan.largest.bytes > maxBufferSize) {
    return `its largest tensor (${plan.largest.key}, ${formatBytes(plan.largest.bytes)}) is over this adapter's maxBufferSize ${formatBytes(maxBufferSize)}`;
  }
  if (budget !== undefined && plan.totalBytes > budget) {
    return `that is over the memory budget of ${formatBytes(budget)}`;
  }
  return undefined;
}

/**
 * Checks that `tensors` stored in `dtype` fit `ctx`'s limits and `budget` (bytes of weights; e.g.
 * what a browser tab may use), before anything is allocated. Returns the plan.
 * @throws ModelTooLargeError naming what is needed and the dtypes that would fit.
 */
export function checkWeightsFit(
  caller: string,
  ctx: GpuContext,
  tensors: readonly CheckpointTensor[],
  dtype: WeightDType | undefined,
  budget: number | undefined,
): WeightPlan {
  const maxBufferSize = ctx.limits.maxBufferSize;
  const plan = planWeights(tensors, dtype);
  const why = overLimit(plan, maxBufferSize, budget);
  if (why === undefined) return plan;
  const plans = WEIGHT_DTYPES.map((d) => planWeights(tensors, d));
  const fitting = plans.filter((p) => overLimit(p, maxBufferSize, budget) === undefined);
  const fits = fitting.map((p) => p.dtype!);
  const q4 = plans.find((p) => p.dtype === 'q4')!;
  const advice = fitting.length
    ? `it fits as dtype ${fitting.map((p) => `'${p.dtype}' (${formatBytes(p.totalBytes)})`).join(', ')}: pass { dtype: '${fits[0]}' }`
    : `no weight dtype fits (q4 needs ${formatBytes(q4.totalBytes)}); use a smaller model or a GPU with more memory`;
  throw new ModelTooLargeError(
    `${caller}: the weights need ${formatBytes(plan.totalBytes)} as ${dtype ?? 'stored'}; ${why}. ${advice[0]!.toUpperCase()}${advice.slice(1)}.`,
    plan.totalBytes,
    fits,
  );
}
