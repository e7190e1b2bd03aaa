// selectiveScan: the public entry point. Validates, allocates the outputs and records the best
// registered kernel (or a named one) for the problem.

import { type GpuContext, InvalidArgumentError, Tensor } from '@mamba-webgpu/tensor';
import { SCAN_KERNELS } from './kernels.js';
import type {
  BcLayout,
  BcRows,
  ScanKernel,
  ScanViews,
  ScanProblem,
  SelectiveScanArgs,
  SelectiveScanResult,
} from './types.js';
import { validateScan } from './validate.js';

/** Options beyond the official arguments (internal: layout and kernel choice). */
export interface ScanOptions {
  /** Layout of B and C (default `bnl`, the official (batch, dState, seqLen)). */
  bcLayout?: BcLayout;
  /** Run this kernel instead of the best supported one. */
  kernel?: ScanKernel;
  /** B and C are columns of one time-major tensor (see ScanProblem.bcRows). */
  bcRows?: BcRows;
  /** delta and z read through strided views (see ScanProblem.views). */
  views?: Pick<ScanViews, 'delta' | 'z'>;
  /** Write y token-major, (batch, seqLen, dInner), as the next projection reads it. */
  tokenMajorY?: boolean;
}

/** The view of a token-major (batch, seqLen, dInner) tensor for u's (batch, dInner, seqLen). */
function tokenMajorView([, dInner, seqLen]: [number, number, number]) {
  return { offset: 0, batch: seqLen * dInner, channel: 1, time: dInner };
}

/**
 * Records `kernel` on a validated problem into freshly allocated outputs (y is token-major,
 * (batch, seqLen, dInner), when the problem has a y view).
 */
export function runScanKernel(
  ctx: GpuContext,
  kernel: ScanKernel,
  problem: ScanProblem,
  lastStateOut?: Tensor,
): SelectiveScanResult {
  const yShape = problem.views?.y
    ? [problem.batch, problem.seqLen, problem.dInner]
    : [problem.batch, problem.dInner, problem.seqLen];
  const y = Tensor.empty(ctx, yShape, 'f32', 'selective-scan/y');
  const lastState = (lastStateOut ??
    Tensor.empty(
      ctx,
      [problem.batch, problem.dInner, problem.dState],
      'f32',
      'selective-scan/last-state',
    )) as Tensor<'f32'>;
  if (problem.initialState) {
    ctx.copyBuffer(problem.initialState.buffer, 0, lastState.buffer, 0, lastState.byteLength);
  }
  const temporaries = kernel.record(ctx, problem, y, lastState);
  // Released now, still recorded: a later user of the pooled buffer runs after these dispatches
  // (GPU order), and host writes flush pending work first (GpuContext.writeBuffer).
  for (const t of temporaries) t.dispose();
  return { y, lastState };
}

/** The last registered kernel, not marked `automatic: false`, that supports the problem on this device. */
export function pickScanKernel(ctx: GpuContext, problem: ScanProblem): ScanKernel {
  for (let i = SCAN_KERNELS.length - 1; i >= 0; i--) {
    const kernel = SCAN_KERNELS[i]!;
    if (kernel.automatic !== false && kernel.supports(ctx, problem)) return kernel;
  }
  throw new InvalidArgumentError('selectiveScan: no kernel supports this problem on this device', 'ctx');
}

/** selectiveScan with internal options (B/C layout, kernel choice). */
export function selectiveScanWith(
  ctx: GpuContext,
  args: SelectiveScanArgs,
  options: ScanOptions = {},
): SelectiveScanResult {
  const caller = 'selectiveScan';
  const views: ScanViews | undefined =
    options.views || options.tokenMajorY
      ? {
          ...options.views,
          ...(options.tokenMajorY ? { y: tokenMajorView(args.u.shape as [number, number, number]) } : {}),
        }
      : undefined;
  const problem = validateScan(ctx, caller, args, options.bcLayout ?? 'bnl', options.bcRows, views);
  const kernel = options.kernel ?? pickScanKernel(ctx, problem);
  if (!kernel.supports(ctx, problem)) {
    throw new InvalidArgumentError(
      `${caller}: kernel ${kernel.name} does not support this problem`,
      'kernel',
    );
  }
  const out = args.lastStateOut;
  if (out) {
    out.expectDType(caller, 'lastStateOut', 'f32');
    out.expectShape(
      caller,
      'lastStateOut',
      [problem.batch, problem.dInner, problem.dState],
      '(batch, dInner, dState)',
    );
    if (args.initialState && args.initialState.buffer === out.buffer) {
      throw new InvalidArgumentError(
        `${caller}: lastStateOut must not share memory with initialState`,
        'lastStateOut',
      );
    }
  }
  return runScanKernel(ctx, kernel, problem, out);
}

/**
 * The selective scan of Mamba (`selective_scan_fn`), f32:
 * `h_t = exp(dt_t A) h_{t-1} + dt_t B_t u_t`, `y_t = (C_t . h_t + D u_t) * silu(z_t)` with
 * `dt = softplus(delta + deltaBias)` when `deltaSoftplus`.
 * Shapes: u, delta, z (batch, dInner, seqLen); A (dInner, dState); B, C (batch, dState, seqLen);
 * D, deltaBias (dInner); initialState and the returned lastState (batch, dInner, dState).
 * Inputs are borrowed; `y` and `lastState` are new tensors the caller owns.
 * @throws ShapeError, DTypeError, LimitError (dState outside 1..256, binding sizes), InvalidArgumentError.
 */
export function selectiveScan(ctx: GpuContext, args: SelectiveScanArgs): SelectiveScanResult {
  return selectiveScanWith(ctx, args);
}
