// selectiveScan: the public entry point. Validates, takes or allocates the outputs, picks the
// kernel version (a named one, or the best automatic one for the adapter that supports the
// problem), gives it contiguous copies of the inputs it cannot read in place, and records it.

import {
  type AdapterSummary,
  type GpuContext,
  InvalidArgumentError,
  Tensor,
  contiguous,
} from '@mamba-webgpu/tensor';
import { kernelNamed } from '@mamba-webgpu/tensor/internal';
import { layoutsReadable, withContiguousInputs } from './common.js';
import { SCAN_KERNELS } from './kernels.js';
import type { ScanKernelVersion, ScanProblem, SelectiveScanArgs, SelectiveScanResult } from './types.js';
import { validateScan } from './validate.js';

/** Copies the initial state into `lastState` (the kernels update it in place). */
function copyInitialState(initial: Tensor, lastState: Tensor): void {
  const ctx = lastState.ctx;
  const plain = initial.isContiguous ? initial : contiguous(initial);
  ctx.copyBuffer(plain.storageBuffer, plain.offset * 4, lastState.buffer, 0, lastState.byteLength);
  if (plain !== initial) plain.dispose(); // recorded: a later user of the buffer runs after the copy
}

/**
 * The validated problem of `args`: operands as given (views included), `y` = `yOut` or a new
 * (batch, dInner, seqLen) tensor, `lastState` = `lastStateOut` or a new tensor, holding the
 * initial state when one is given. The caller owns the new outputs.
 */
export function prepareScan(ctx: GpuContext, caller: string, args: SelectiveScanArgs): ScanProblem {
  const { batch, dInner, seqLen, dState } = validateScan(ctx, caller, args);
  const y = (args.yOut ??
    Tensor.empty(ctx, [batch, dInner, seqLen], 'f32', 'selective-scan/y')) as Tensor<'f32'>;
  const lastState = (args.lastStateOut ??
    Tensor.empty(ctx, [batch, dInner, dState], 'f32', 'selective-scan/last-state')) as Tensor<'f32'>;
  if (args.initialState) copyInitialState(args.initialState, lastState);
  return {
    ctx,
    u: args.u,
    delta: args.delta,
    A: args.A,
    B: args.B,
    C: args.C,
    D: args.D ?? undefined,
    z: args.z ?? undefined,
    deltaBias: args.deltaBias ?? undefined,
    y,
    lastState,
    hasInitialState: !!args.initialState,
    deltaSoftplus: args.deltaSoftplus ?? false,
    batch,
    dInner,
    seqLen,
    dState,
  };
}

/** The version automatic picks try first on a CPU adapter (`AdapterSummary.isCpu`). */
export const CPU_ADAPTER_SCAN_KERNEL = 'v1-sequential';

/**
 * The automatic versions of `kernels` in the order `selectiveScan` tries them. On a GPU: the newest
 * first (v2-chunked on the H200). On a CPU adapter (lavapipe, SwiftShader) v1-sequential first:
 * a CPU runs one invocation per (batch, channel) walking the sequence faster than v2's chunked
 * passes with their workgroup barriers and rescans (lavapipe: 1.6-1.9x, SwiftShader: 5-21x here,
 * 28x in issue 16; see the scan-kernels README), then the others newest first.
 */
export function automaticScanKernels(
  kernels: readonly ScanKernelVersion[],
  adapter: Pick<AdapterSummary, 'isCpu'>,
): ScanKernelVersion[] {
  const newestFirst = kernels.filter((k) => k.automatic).reverse();
  if (!adapter.isCpu) return newestFirst;
  const preferred = newestFirst.filter((k) => k.name === CPU_ADAPTER_SCAN_KERNEL);
  return [...preferred, ...newestFirst.filter((k) => k.name !== CPU_ADAPTER_SCAN_KERNEL)];
}

/**
 * The version to run and the problem it runs on: the named version, or the first of
 * `automaticScanKernels` for the adapter that supports the problem — in place when it reads every operand's layout, else with contiguous
 * copies of the inputs it cannot read (pushed onto `temporaries`).
 */
export function planScan(
  caller: string,
  problem: ScanProblem,
  name: string | undefined,
  temporaries: Tensor[],
): { kernel: ScanKernelVersion; problem: ScanProblem } {
  // kernelNamed returns the registry's own entry (typed as the base KernelVersion).
  const candidates: ScanKernelVersion[] =
    name !== undefined
      ? [kernelNamed(caller, SCAN_KERNELS, name) as ScanKernelVersion]
      : automaticScanKernels(SCAN_KERNELS, problem.ctx.adapter);
  for (const kernel of candidates) {
    if (kernel.supports(problem)) return { kernel, problem };
    // Unsupported with every layout readable: the device does not fit it; no copy would help.
    if (layoutsReadable(kernel.strided, problem)) continue;
    const resolved = withContiguousInputs(kernel.strided, problem, temporaries);
    if (kernel.supports(resolved)) return { kernel, problem: resolved };
  }
  throw new InvalidArgumentError(
    name !== undefined
      ? `${caller}: kernel ${name} does not support this problem on this device`
      : `${caller}: no kernel version supports this problem on this device (have ${SCAN_KERNELS.map((k) => k.name).join(', ')})`,
    'kernel',
  );
}

/**
 * The selective scan of Mamba (`selective_scan_fn`), f32:
 * `h_t = exp(dt_t A) h_{t-1} + dt_t B_t u_t`, `y_t = (C_t . h_t + D u_t) * silu(z_t)` with
 * `dt = softplus(delta + deltaBias)` when `deltaSoftplus`.
 * Shapes: u, delta, z, y (batch, dInner, seqLen); A (dInner, dState); B, C (batch, dState, seqLen);
 * D, deltaBias (dInner); initialState and the returned lastState (batch, dInner, dState).
 * u, delta, z, B, C (and `yOut`) may be strided views, read in place: e.g. B as a view of
 * x_proj's output rows, z as a view of in_proj's; other views are copied first.
 * Inputs are borrowed; `y` and `lastState` are new tensors the caller owns (or `yOut` /
 * `lastStateOut`, which the caller keeps owning).
 * @throws ShapeError, DTypeError, LayoutError, LimitError (dState outside 1..256, binding sizes),
 *   InvalidArgumentError.
 */
export function selectiveScan(ctx: GpuContext, args: SelectiveScanArgs): SelectiveScanResult {
  const caller = 'selectiveScan';
  const problem = prepareScan(ctx, caller, args);
  const temporaries: Tensor[] = [];
  try {
    const plan = planScan(caller, problem, args.kernel, temporaries);
    temporaries.push(...plan.kernel.record(plan.problem));
  } catch (error) {
    if (!args.yOut) problem.y.dispose();
    if (!args.lastStateOut) problem.lastState.dispose();
    throw error;
  } finally {
    // Released now, still recorded: a later user of a pooled buffer runs after these dispatches
    // (GPU order), and host writes flush pending work first (GpuContext.writeBuffer).
    for (const t of temporaries) t.dispose();
  }
  return { y: problem.y, lastState: problem.lastState };
}
